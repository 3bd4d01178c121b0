package io.zerocopy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.TransferEngine;
import io.zerocopy.spi.ChannelKind;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * {@code InputStream}s that deliver a known payload and {@code OutputStream}s that record what
 * they receive, one of each kind of stream a caller holds. Peers run on the daemon threads of
 * {@link Endpoints}; {@code finish()} waits for them with its bound.
 */
public final class StreamEndpoints {

    private static final AtomicInteger FILES = new AtomicInteger();

    /** The payload sizes of the matrix: empty, one byte, above the threshold and the chunk, above 1 MiB. */
    public static final int[] SIZES = {0, 1, 70_001, (1 << 20) + 3};
    /** The target kinds of the matrix (a buffered stream is a source only). */
    public static final Kind[] TARGETS = {Kind.FILE, Kind.CHANNEL_SOCKET, Kind.PLAIN_SOCKET, Kind.PIPE, Kind.FILES,
        Kind.MEMORY};

    private StreamEndpoints() { }

    /** @return every source kind, target kind and size of the matrix */
    public static Stream<Arguments> pairs() {
        List<Arguments> all = new ArrayList<>();
        for (Kind source : Kind.values()) {
            for (Kind target : TARGETS) {
                for (int size : SIZES) {
                    all.add(Arguments.of(source, target, size));
                }
            }
        }
        return all.stream();
    }

    /**
     * Runs one stream pair through {@code engine} and checks the bytes, the count, the
     * positions of file streams and the strategy that served.
     *
     * @param engine the engine; its listener is {@code rec}
     * @param rec the engine's listener
     * @param source the source kind
     * @param target the target kind
     * @param size the payload size
     * @param dir a directory for files
     * @return the strategy that served
     * @throws Exception on a failed transfer or check
     */
    public static String moveAndCheck(TransferEngine engine, RecordingListener rec, Kind source, Kind target, int size,
            Path dir) throws Exception {
        byte[] payload = Payloads.of(size, 15);
        try (StreamEndpoints.Source in = StreamEndpoints.source(source, payload, dir);
             StreamEndpoints.Target out = StreamEndpoints.target(target, dir)) {
            long moved = engine.transfer(in.stream(), out.stream());
            String pair = source + " -> " + target + ", " + size + " bytes";
            assertEquals(size, moved, pair);
            if (source.unwrapped) {
                assertEquals(in.start + size, in.filePosition(), pair + ": source stream after the bytes read");
                assertEquals(-1, in.stream().read(), pair + ": source stream at its end");
            }
            if (target.unwrapped) {
                assertEquals(500 + size, out.filePosition(), pair + ": target stream after the bytes written");
            }
            Payloads.assertSameBytes(payload, out.finish(), pair);
            in.finish();
            String strategy = rec.last().strategy();
            List<String> plan = engine.strategies(source.engineKind(size), target.engineKind(size), size);
            if (source.unwrapped && size > 0) {
                List<String> tried = rec.last().attempts().stream().map(a -> a.strategy()).toList();
                assertEquals(plan.subList(0, Math.min(tried.size(), plan.size())), tried,
                        pair + ": the strategies tried follow the plan " + plan + ": " + rec.last());
            } else {
                assertEquals("copy", strategy, pair + ": a stream the engine cannot see into is copied");
            }
            return strategy;
        }
    }

    /** The kinds of stream, and what the engine sees of them. */
    public enum Kind {
        /** {@code FileInputStream}/{@code FileOutputStream}: unwrapped to its {@code FileChannel}. */
        FILE(true),
        /** A socket's stream, the socket made by {@code SocketChannel.open()}: not unwrapped. */
        CHANNEL_SOCKET(false),
        /** A socket's stream, the socket made by {@code new Socket()}: no channel. */
        PLAIN_SOCKET(false),
        /** {@code Channels.newInputStream}/{@code newOutputStream} of a {@code Pipe}: not unwrapped. */
        PIPE(false),
        /** {@code Files.newInputStream}/{@code newOutputStream}: not unwrapped. */
        FILES(false),
        /** A {@code BufferedInputStream} over a {@code FileInputStream} that has read ahead (sources only). */
        BUFFERED_FILE(false),
        /** {@code ByteArrayInputStream}/{@code ByteArrayOutputStream}. */
        MEMORY(false);

        /** Whether the engine reaches the file behind the stream. */
        public final boolean unwrapped;

        Kind(boolean unwrapped) {
            this.unwrapped = unwrapped;
        }

        /**
         * @param size the payload size
         * @return the kind the engine's plan sees
         */
        public ChannelKind engineKind(long size) {
            return unwrapped && size > 0 ? ChannelKind.FILE : ChannelKind.CHANNEL;
        }
    }

    /** A stream source of a payload. */
    public abstract static class Source implements AutoCloseable {
        final List<Closeable> closeables = new ArrayList<>();
        Future<?> feeder;
        FileChannel file;
        /** Where the payload starts in the file, for a file source. */
        public long start;

        /** @return the stream to transfer from */
        public abstract InputStream stream();

        /**
         * @return the position of the file under a {@code FILE} source's stream
         * @throws IOException if it cannot be read
         */
        public long filePosition() throws IOException {
            return file.position();
        }

        /**
         * Waits for the feeding peer, if any.
         *
         * @throws Exception what it threw, or a timeout
         */
        public void finish() throws Exception {
            if (feeder != null) {
                Endpoints.await(feeder);
            }
        }

        @Override
        public void close() throws IOException {
            for (Closeable c : closeables) {
                c.close();
            }
        }
    }

    /** A stream target that records what it receives. */
    public abstract static class Target implements AutoCloseable {
        final List<Closeable> closeables = new ArrayList<>();
        FileChannel file;

        /** @return the stream to transfer to */
        public abstract OutputStream stream();

        /**
         * @return the position of the file under a {@code FILE} target's stream
         * @throws IOException if it cannot be read
         */
        public long filePosition() throws IOException {
            return file.position();
        }

        /**
         * Ends the stream and returns every byte received.
         *
         * @return the bytes
         * @throws Exception what the draining peer threw, or a timeout
         */
        public abstract byte[] finish() throws Exception;

        @Override
        public void close() throws IOException {
            for (Closeable c : closeables) {
                c.close();
            }
        }
    }

    /**
     * @param kind the kind of stream
     * @param payload the bytes it delivers
     * @param dir a directory for files
     * @return an open source; a file source is positioned after a prefix of other bytes
     * @throws IOException if it cannot be set up
     */
    public static Source source(Kind kind, byte[] payload, Path dir) throws IOException {
        switch (kind) {
            case FILE:
            case FILES:
            case BUFFERED_FILE: {
                int prefix = 1000;
                Path path = dir.resolve("stream-src-" + FILES.incrementAndGet());
                byte[] content = new byte[prefix + payload.length];
                System.arraycopy(Payloads.of(prefix, 3), 0, content, 0, prefix);
                System.arraycopy(payload, 0, content, prefix, payload.length);
                Files.write(path, content);
                InputStream in;
                FileChannel file = null;
                if (kind == Kind.FILES) {
                    in = Files.newInputStream(path);
                } else {
                    FileInputStream fis = new FileInputStream(path.toFile());
                    file = fis.getChannel();
                    in = kind == Kind.FILE ? fis : new BufferedInputStream(fis);
                }
                if (in.readNBytes(prefix).length != prefix) {
                    throw new IOException("short prefix");
                }
                InputStream stream = in;
                Source s = new Source() {
                    @Override
                    public InputStream stream() {
                        return stream;
                    }
                };
                s.file = file;
                s.start = prefix;
                s.closeables.add(in);
                s.closeables.add(() -> Files.deleteIfExists(path));
                return s;
            }
            case CHANNEL_SOCKET: {
                Loopback.Connection c = Loopback.connect();
                Source s = socketSource(c.accepted.socket(), c.client.socket().getOutputStream(), payload);
                s.closeables.add(c::close);
                return s;
            }
            case PLAIN_SOCKET: {
                Socket[] pair = plainSockets();
                Source s = socketSource(pair[1], pair[0].getOutputStream(), payload);
                s.closeables.add(pair[0]);
                s.closeables.add(pair[1]);
                return s;
            }
            case PIPE: {
                Pipe pipe = Pipe.open();
                InputStream in = Channels.newInputStream(pipe.source());
                Source s = new Source() {
                    @Override
                    public InputStream stream() {
                        return in;
                    }
                };
                s.feeder = Endpoints.peer(() -> {
                    try (Pipe.SinkChannel sink = pipe.sink()) {
                        Endpoints.writeFully(sink, ByteBuffer.wrap(payload));
                    }
                    return null;
                });
                s.closeables.add(pipe.source());
                s.closeables.add(pipe.sink());
                return s;
            }
            default: {
                InputStream in = new ByteArrayInputStream(payload);
                return new Source() {
                    @Override
                    public InputStream stream() {
                        return in;
                    }
                };
            }
        }
    }

    private static Source socketSource(Socket reading, OutputStream peer, byte[] payload) throws IOException {
        InputStream in = reading.getInputStream();
        Source s = new Source() {
            @Override
            public InputStream stream() {
                return in;
            }
        };
        s.feeder = Endpoints.peer(() -> {
            try (OutputStream o = peer) {
                o.write(payload);
            }
            return null;
        });
        return s;
    }

    /**
     * @param kind the kind of stream ({@code BUFFERED_FILE} is for sources only)
     * @param dir a directory for files
     * @return an open target; a file target is positioned after a prefix of other bytes
     * @throws IOException if it cannot be set up
     */
    public static Target target(Kind kind, Path dir) throws IOException {
        switch (kind) {
            case FILE:
            case FILES: {
                int prefix = 500;
                Path path = dir.resolve("stream-dst-" + FILES.incrementAndGet());
                OutputStream out;
                FileChannel file = null;
                if (kind == Kind.FILES) {
                    out = Files.newOutputStream(path);
                } else {
                    FileOutputStream fos = new FileOutputStream(path.toFile());
                    file = fos.getChannel();
                    out = fos;
                }
                out.write(Payloads.of(prefix, 5));
                OutputStream stream = out;
                Target t = new Target() {
                    @Override
                    public OutputStream stream() {
                        return stream;
                    }

                    @Override
                    public byte[] finish() throws IOException {
                        stream.flush();
                        byte[] all = Files.readAllBytes(path);
                        return java.util.Arrays.copyOfRange(all, prefix, all.length);
                    }
                };
                t.file = file;
                t.closeables.add(out);
                t.closeables.add(() -> Files.deleteIfExists(path));
                return t;
            }
            case CHANNEL_SOCKET: {
                Loopback.Connection c = Loopback.connect();
                Target t = socketTarget(c.client.socket(), c.accepted.socket().getInputStream());
                t.closeables.add(c::close);
                return t;
            }
            case PLAIN_SOCKET: {
                Socket[] pair = plainSockets();
                Target t = socketTarget(pair[0], pair[1].getInputStream());
                t.closeables.add(pair[0]);
                t.closeables.add(pair[1]);
                return t;
            }
            case PIPE: {
                Pipe pipe = Pipe.open();
                OutputStream out = Channels.newOutputStream(pipe.sink());
                Future<byte[]> drainer = Endpoints.peer(() -> Endpoints.drain(pipe.source()));
                Target t = new Target() {
                    @Override
                    public OutputStream stream() {
                        return out;
                    }

                    @Override
                    public byte[] finish() throws Exception {
                        pipe.sink().close();
                        return Endpoints.await(drainer);
                    }
                };
                t.closeables.add(pipe.sink());
                t.closeables.add(pipe.source());
                return t;
            }
            case MEMORY: {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                return new Target() {
                    @Override
                    public OutputStream stream() {
                        return out;
                    }

                    @Override
                    public byte[] finish() {
                        return out.toByteArray();
                    }
                };
            }
            default:
                throw new IllegalArgumentException("not a target kind: " + kind);
        }
    }

    private static Target socketTarget(Socket writing, InputStream peer) throws IOException {
        OutputStream out = writing.getOutputStream();
        Future<byte[]> drainer = Endpoints.peer(peer::readAllBytes);
        return new Target() {
            @Override
            public OutputStream stream() {
                return out;
            }

            @Override
            public byte[] finish() throws Exception {
                writing.shutdownOutput();
                return Endpoints.await(drainer);
            }
        };
    }

    /** @return a connected pair of sockets without channels: {connecting, accepted} */
    private static Socket[] plainSockets() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            return new Socket[] {client, server.accept()};
        }
    }
}

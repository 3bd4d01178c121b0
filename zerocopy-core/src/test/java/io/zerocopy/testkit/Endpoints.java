package io.zerocopy.testkit;

import io.zerocopy.spi.ChannelKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sources that deliver a known payload and targets that record what they receive, for every
 * {@link ChannelKind}. Socket and pipe peers run on daemon threads; {@code finish()} waits for
 * them with a bound, so a broken transfer fails the test instead of hanging it.
 */
public final class Endpoints {

    /**
     * Puts a selectable channel in non-blocking mode, as {@code transferTo} needs: it declines
     * blocking targets (an interrupt would lose its count).
     *
     * @param channel a channel; left alone unless selectable
     * @return the channel
     * @throws IOException if the mode cannot be changed
     */
    public static <C extends java.nio.channels.Channel> C nonBlocking(C channel) throws IOException {
        if (channel instanceof java.nio.channels.SelectableChannel) {
            ((java.nio.channels.SelectableChannel) channel).configureBlocking(false);
        }
        return channel;
    }


    private static final long PEER_TIMEOUT_SECONDS = 60;
    private static final AtomicInteger FILES = new AtomicInteger();
    private static final ExecutorService PEERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "zerocopy-test-peer");
        t.setDaemon(true);
        return t;
    });

    private Endpoints() { }

    /** A source of a payload. */
    public abstract static class Source implements AutoCloseable {
        /** For a file source: where the payload starts; otherwise -1. */
        public final long position;
        private final Future<?> feeder;

        Source(long position, Future<?> feeder) {
            this.position = position;
            this.feeder = feeder;
        }

        /** @return the channel to transfer from */
        public abstract ReadableByteChannel channel();

        /** @return the channel as a file channel (file sources only) */
        public FileChannel file() {
            return (FileChannel) channel();
        }

        /**
         * Waits for the feeding peer, if any, to finish.
         *
         * @throws Exception what the peer threw, or a timeout
         */
        public void finish() throws Exception {
            if (feeder != null) {
                await(feeder);
            }
        }

        @Override
        public abstract void close() throws IOException;
    }

    /** A target that records what it receives. */
    public abstract static class Target implements AutoCloseable {
        /** @return the channel to transfer to */
        public abstract WritableByteChannel channel();

        /**
         * Ends the stream (for sockets and pipes) and returns every byte received.
         *
         * @return the bytes received
         * @throws Exception what the draining peer threw, or a timeout
         */
        public abstract byte[] finish() throws Exception;

        @Override
        public abstract void close() throws IOException;
    }

    /**
     * @param kind the source kind
     * @param payload the bytes it delivers
     * @param prefix for a file source, bytes of other content before the payload
     * @param dir a directory for files
     * @return an open source
     * @throws IOException if it cannot be set up
     */
    public static Source source(ChannelKind kind, byte[] payload, int prefix, Path dir) throws IOException {
        return source(kind, ChannelBehaviour.NORMAL, payload, prefix, dir);
    }

    /**
     * @param kind the source kind
     * @param behaviour how a {@link ChannelKind#CHANNEL} source reads; {@code NORMAL} for any other kind
     * @param payload the bytes it delivers
     * @param prefix for a file source, bytes of other content before the payload
     * @param dir a directory for files
     * @return an open source
     * @throws IOException if it cannot be set up
     */
    public static Source source(ChannelKind kind, ChannelBehaviour behaviour, byte[] payload, int prefix, Path dir)
            throws IOException {
        checkWrappable(kind, behaviour);
        switch (kind) {
            case FILE: {
                Path file = dir.resolve("src-" + FILES.incrementAndGet());
                try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    writeFully(out, ByteBuffer.wrap(Payloads.of(prefix, 7)));
                    writeFully(out, ByteBuffer.wrap(payload));
                }
                FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                return new Source(prefix, null) {
                    @Override
                    public ReadableByteChannel channel() {
                        return in;
                    }

                    @Override
                    public void close() throws IOException {
                        in.close();
                        Files.deleteIfExists(file);
                    }
                };
            }
            case SOCKET: {
                Loopback.Connection c = Loopback.connect();
                Future<?> feeder = PEERS.submit(() -> {
                    writeFully(c.client, ByteBuffer.wrap(payload));
                    c.client.shutdownOutput();
                    return null;
                });
                return new Source(-1, feeder) {
                    @Override
                    public ReadableByteChannel channel() {
                        return c.accepted;
                    }

                    @Override
                    public void close() throws IOException {
                        c.close();
                    }
                };
            }
            case PIPE: {
                Pipe pipe = Pipe.open();
                Future<?> feeder = PEERS.submit(() -> {
                    try (Pipe.SinkChannel sink = pipe.sink()) {
                        writeFully(sink, ByteBuffer.wrap(payload));
                    }
                    return null;
                });
                return new Source(-1, feeder) {
                    @Override
                    public ReadableByteChannel channel() {
                        return pipe.source();
                    }

                    @Override
                    public void close() throws IOException {
                        pipe.source().close();
                        pipe.sink().close();
                    }
                };
            }
            default: {
                ReadableByteChannel ch = behaviour.reader(Channels.newChannel(new ByteArrayInputStream(payload)));
                return new Source(-1, null) {
                    @Override
                    public ReadableByteChannel channel() {
                        return ch;
                    }

                    @Override
                    public void close() throws IOException {
                        ch.close();
                    }
                };
            }
        }
    }

    /**
     * @param kind the target kind ({@link ChannelKind#CHANNEL} gives an in-memory channel)
     * @param dir a directory for files
     * @return an open target
     * @throws IOException if it cannot be set up
     */
    public static Target target(ChannelKind kind, Path dir) throws IOException {
        return target(kind, ChannelBehaviour.NORMAL, dir);
    }

    /**
     * @param kind the target kind ({@link ChannelKind#CHANNEL} gives an in-memory channel)
     * @param behaviour how a {@code CHANNEL} target writes; {@code NORMAL} for any other kind
     * @param dir a directory for files
     * @return an open target
     * @throws IOException if it cannot be set up
     */
    public static Target target(ChannelKind kind, ChannelBehaviour behaviour, Path dir) throws IOException {
        checkWrappable(kind, behaviour);
        switch (kind) {
            case FILE: {
                Path file = dir.resolve("dst-" + FILES.incrementAndGet());
                FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                return new Target() {
                    @Override
                    public WritableByteChannel channel() {
                        return out;
                    }

                    @Override
                    public byte[] finish() throws IOException {
                        long position = out.position();
                        byte[] bytes = Files.readAllBytes(file);
                        if (position != bytes.length) {
                            throw new AssertionError("target file position " + position + " but size " + bytes.length);
                        }
                        return bytes;
                    }

                    @Override
                    public void close() throws IOException {
                        out.close();
                        Files.deleteIfExists(file);
                    }
                };
            }
            case SOCKET: {
                Loopback.Connection c = Loopback.connect();
                Future<byte[]> drainer = PEERS.submit(() -> drain(c.accepted));
                return new Target() {
                    @Override
                    public WritableByteChannel channel() {
                        return c.client;
                    }

                    @Override
                    public byte[] finish() throws Exception {
                        c.client.shutdownOutput();
                        return await(drainer);
                    }

                    @Override
                    public void close() throws IOException {
                        c.close();
                    }
                };
            }
            case PIPE: {
                Pipe pipe = Pipe.open();
                Future<byte[]> drainer = PEERS.submit(() -> drain(pipe.source()));
                return new Target() {
                    @Override
                    public WritableByteChannel channel() {
                        return pipe.sink();
                    }

                    @Override
                    public byte[] finish() throws Exception {
                        pipe.sink().close();
                        return await(drainer);
                    }

                    @Override
                    public void close() throws IOException {
                        pipe.sink().close();
                        pipe.source().close();
                    }
                };
            }
            default: {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                WritableByteChannel ch = behaviour.writer(Channels.newChannel(bytes));
                return new Target() {
                    @Override
                    public WritableByteChannel channel() {
                        return ch;
                    }

                    @Override
                    public byte[] finish() {
                        return bytes.toByteArray();
                    }

                    @Override
                    public void close() throws IOException {
                        ch.close();
                    }
                };
            }
        }
    }

    private static void checkWrappable(ChannelKind kind, ChannelBehaviour behaviour) {
        if (behaviour != ChannelBehaviour.NORMAL && kind != ChannelKind.CHANNEL) {
            throw new IllegalArgumentException("only a CHANNEL endpoint can be " + behaviour + ", not " + kind);
        }
    }

    /**
     * Reads a channel to its end.
     *
     * @param in the channel, blocking
     * @return every byte read
     * @throws IOException on a read error
     */
    public static byte[] drain(ReadableByteChannel in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (in.read(buf) >= 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return out.toByteArray();
    }

    /**
     * Writes a whole buffer to a blocking channel.
     *
     * @param out the channel
     * @param src the bytes
     * @throws IOException on a write error
     */
    public static void writeFully(WritableByteChannel out, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            out.write(src);
        }
    }

    /**
     * Writes a whole buffer to a blocking channel.
     *
     * @param out the channel
     * @param src the bytes
     * @return the bytes written
     * @throws IOException on a write error
     */
    public static int writeAll(WritableByteChannel out, ByteBuffer src) throws IOException {
        int n = src.remaining();
        writeFully(out, src);
        return n;
    }

    /**
     * Runs a task on a daemon peer thread.
     *
     * @param task the task
     * @param <T> its result
     * @return its future
     */
    public static <T> Future<T> peer(java.util.concurrent.Callable<T> task) {
        return PEERS.submit(task);
    }

    /**
     * Waits for a peer, with the peer timeout.
     *
     * @param f the peer's future
     * @param <T> its result
     * @return its result
     * @throws Exception what it threw, or a timeout
     */
    public static <T> T await(Future<T> f) throws Exception {
        try {
            return f.get(PEER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("test peer did not finish in " + PEER_TIMEOUT_SECONDS + " s", e);
        }
    }
}

package io.zerocopy.bench.jmh;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.bench.Workspace;
import io.zerocopy.linux.BenchBinding;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Small transfers through an engine whose one Linux strategy calls the C library through the
 * chosen binding ({@link BenchBinding}; threshold 0), time per transfer:
 *
 * <ul>
 *   <li>{@code fileToSocket}: {@code sendfile} from a cached file to a loopback connection that
 *       a reader thread drains; one connection per trial.
 *   <li>{@code socketToSocket}: {@code splice} relays one loopback connection into another
 *       (drained by a reader thread) to end of stream. The source connection is fresh for each
 *       operation, its bytes and FIN already queued (set up outside the measurement,
 *       {@code Level.Invocation}); the target lives for the trial.
 * </ul>
 *
 * <p>A trial fails at setup if its binding cannot be loaded here (the foreign one before JDK 22)
 * or if the engine served the transfer with anything but its Linux strategy.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
 *     -jar zerocopy-bench.jar --jmh SmallTransferBenchmark -p size=4096
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SmallTransferBenchmark {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** file to socket: the engine, the file, the connection and its reader. */
    @State(Scope.Thread)
    public static class FileToSocket {
        /** {@code jnr} or {@code foreign}. */
        @Param({BenchBinding.JNR, BenchBinding.FOREIGN})
        public String binding;
        /** Bytes per transfer. */
        @Param({"256", "4096", "65536"})
        public int size;

        private BenchBinding b;
        private TransferEngine engine;
        private Path dir;
        private FileChannel src;
        private Drain drain;
        private SocketChannel target;

        /**
         * Loads the binding, writes the file, connects, and checks that sendfile serves.
         *
         * @throws IOException if they cannot be set up, or another strategy served
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException {
            b = BenchBinding.load(binding);
            engine = b.sendfileEngine();
            dir = Files.createTempDirectory("zerocopy-jmh-");
            Path in = dir.resolve("src.bin");
            Workspace.fill(in, size, 1);
            src = FileChannel.open(in, StandardOpenOption.READ);
            drain = new Drain();
            target = connect(drain.address());
            expect("sendfile", engine, e -> e.transfer(src, 0, size, target));
        }

        /**
         * Closes the connection, the file and the binding, and deletes the file.
         *
         * @throws IOException if closing or deleting fails
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                closeAll(target, src, drain);
            } finally {
                if (b != null) {
                    b.close();
                }
                if (dir != null) {
                    Files.deleteIfExists(dir.resolve("src.bin"));
                    Files.deleteIfExists(dir);
                }
            }
        }
    }

    /** socket to socket: the engine, the source server, the target connection and its reader. */
    @State(Scope.Thread)
    public static class SocketToSocket {
        /** {@code jnr} or {@code foreign}. */
        @Param({BenchBinding.JNR, BenchBinding.FOREIGN})
        public String binding;
        /** Bytes per transfer. */
        @Param({"256", "4096", "65536"})
        public int size;

        private BenchBinding b;
        private TransferEngine engine;
        private ServerSocketChannel sources;
        private ByteBuffer data;
        private Drain drain;
        private SocketChannel target;
        private SocketChannel source;

        /**
         * Loads the binding, connects the target, and checks that splice serves.
         *
         * @throws IOException if they cannot be set up, or another strategy served
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException {
            b = BenchBinding.load(binding);
            engine = b.spliceEngine();
            sources = ServerSocketChannel.open().bind(LOOPBACK);
            data = ByteBuffer.allocateDirect(size);
            drain = new Drain();
            target = connect(drain.address());
            queueSource();
            expect("splice", engine, e -> e.transfer(source, target));
            source.close();
        }

        /**
         * Opens the next source connection and queues its bytes and FIN.
         *
         * @throws IOException if it cannot be opened or written
         */
        @Setup(Level.Invocation)
        public void queueSource() throws IOException {
            try (SocketChannel feed = SocketChannel.open(sources.getLocalAddress())) {
                source = sources.accept();
                data.clear();
                while (data.hasRemaining()) {
                    feed.write(data);
                }
                feed.shutdownOutput();
            }
        }

        /**
         * Closes the operation's source connection.
         *
         * @throws IOException if closing fails
         */
        @TearDown(Level.Invocation)
        public void closeSource() throws IOException {
            source.close();
        }

        /**
         * Closes the connections, the server and the binding.
         *
         * @throws IOException if closing fails
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                closeAll(source, target, sources, drain);
            } finally {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    /**
     * One sendfile transfer of {@code size} bytes from offset 0.
     *
     * @param s the trial's state
     * @return the bytes moved
     * @throws IOException if the transfer fails or moves fewer bytes
     */
    @Benchmark
    public long fileToSocket(FileToSocket s) throws IOException {
        return checked(s.size, s.engine.transfer(s.src, 0, s.size, s.target));
    }

    /**
     * One splice relay of a connection holding {@code size} bytes, to its end of stream.
     *
     * @param s the trial's state
     * @return the bytes moved
     * @throws IOException if the relay fails or moves fewer bytes
     */
    @Benchmark
    public long socketToSocket(SocketToSocket s) throws IOException {
        return checked(s.size, s.engine.transfer(s.source, s.target));
    }

    private static long checked(long expected, long n) throws IOException {
        if (n != expected) {
            throw new IOException("moved " + n + " of " + expected);
        }
        return n;
    }

    private static SocketChannel connect(InetSocketAddress to) throws IOException {
        SocketChannel c = SocketChannel.open();
        try {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.connect(to);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** A transfer made by {@link #expect}. */
    interface Move {
        long run(TransferEngine e) throws IOException;
    }

    /**
     * Transfers once through {@code engine}, observed.
     *
     * @throws IOException if the transfer fails, or was served by anything but {@code strategy} alone
     */
    static void expect(String strategy, TransferEngine engine, Move move) throws IOException {
        String[] ran = new String[1];
        TransferListener l = new TransferListener() {
            @Override
            public void onComplete(TransferResult r) {
                StringBuilder sb = new StringBuilder();
                for (TransferResult.Attempt a : r.attempts()) {
                    sb.append(sb.length() == 0 ? "" : ">").append(a.strategy());
                }
                ran[0] = sb.toString();
            }
        };
        move.run(engine.withListener(l));
        if (!strategy.equals(ran[0])) {
            throw new IOException("expected " + strategy + " to serve, ran: " + ran[0]);
        }
    }

    private static void closeAll(AutoCloseable... all) throws IOException {
        IOException first = null;
        for (AutoCloseable c : all) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                IOException io = e instanceof IOException ? (IOException) e : new IOException(e);
                if (first == null) {
                    first = io;
                } else {
                    first.addSuppressed(io);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** A loopback server whose thread reads and discards every connection until end of stream; closing it ends the thread. */
    static final class Drain implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Thread thread;

        Drain() throws IOException {
            server = ServerSocketChannel.open().bind(LOOPBACK);
            thread = new Thread(this::run, "jmh-drain");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        private void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            while (true) {
                try (SocketChannel c = server.accept()) {
                    do {
                        buf.clear();
                    } while (c.read(buf) >= 0);
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

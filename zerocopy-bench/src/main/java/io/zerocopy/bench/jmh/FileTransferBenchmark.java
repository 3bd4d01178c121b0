package io.zerocopy.bench.jmh;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.bench.Workspace;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Throughput of one strategy (forced, threshold 0) or of the default engine ({@code auto}) by
 * transfer size, from a cached file to a loopback socket drained by a reader thread ({@code fs})
 * or over a cached file of the same size ({@code ff}).
 *
 * <p>Read the secondary results: {@code bytes} is bytes per second; {@code cpuNanos} is the
 * benchmark thread's CPU nanoseconds per second, so CPU seconds per GiB =
 * {@code cpuNanos / bytes * 1.073741824}. The drain thread's CPU is not included. A strategy
 * that cannot serve a scenario fails its trial at setup (JMH reports it and carries on).
 *
 * <pre>
 * java -jar zerocopy-bench.jar --jmh FileTransferBenchmark -p size=4096,1048576 -p strategy=copy,auto
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FileTransferBenchmark {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** {@code fs}: file to a loopback socket; {@code ff}: file to file. */
    @Param({"fs", "ff"})
    public String scenario;

    /** The one strategy the engine may use, or {@code auto} for the default engine. */
    @Param({"copy", "transferTo", "mmap", "splice", "copyFileRange", "auto"})
    public String strategy;

    /** Powers of 4 from 64 B to 1 GiB. */
    @Param({"64", "256", "1024", "4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864",
        "268435456", "1073741824"})
    public long size;

    /**
     * The engine's {@code chunkSize}: the copy loop's buffer, so its read and write size. 65483 is
     * the TCP segment size of a Linux loopback connection (MTU 65536), so each write is one whole
     * segment; 65536 leaves a 53-byte segment after each.
     */
    @Param({"65536"})
    public int chunk;

    private Path dir;
    private FileChannel src;
    private WritableByteChannel target;
    private FileChannel targetFile;
    private TransferEngine engine;
    private ServerSocketChannel server;
    private Thread drain;

    /** Aux counters, reported as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Bytes delivered. */
        public long bytes;
        /** CPU nanoseconds of the benchmark thread. */
        public long cpuNanos;
        long cpuStart;
        long ops;

        /** Starts an iteration's counts from zero. */
        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            cpuNanos = 0;
            ops = 0;
            cpuStart = MX.getCurrentThreadCpuTime();
        }
    }

    /**
     * Builds the engine, the source file and the scenario's target, then transfers once, so that
     * a strategy that cannot serve the pair fails here rather than in the measurement.
     *
     * @throws IOException if they cannot be set up
     * @throws InterruptedException if interrupted while they are
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        engine = engineFor(strategy, chunk);
        dir = Files.createTempDirectory("zerocopy-jmh-");
        Path in = dir.resolve("src.bin");
        Workspace.fill(in, size, 1);
        src = FileChannel.open(in, StandardOpenOption.READ);
        if (scenario.equals("ff")) {
            Path out = dir.resolve("dst.bin");
            Workspace.fill(out, size, 2);
            targetFile = FileChannel.open(out, StandardOpenOption.WRITE);
            target = targetFile;
        } else if (scenario.equals("fs")) {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            drain = new Thread(() -> drain(server), "jmh-drain");
            drain.setDaemon(true);
            drain.start();
            SocketChannel c = SocketChannel.open();
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.connect(server.getLocalAddress());
            target = c;
        } else {
            throw new IllegalArgumentException("scenario: fs or ff, not " + scenario);
        }
        // fail here, not in the measurement, if the strategy cannot serve this pair
        transferOnce();
    }

    /** @return the default engine ({@code auto}) or one with only {@code strategy}, threshold 0; chunk size as given */
    static TransferEngine engineFor(String strategy, int chunk) {
        if (strategy.equals("auto")) {
            return chunk == TransferEngine.DEFAULT_CHUNK_SIZE ? ZeroCopy.defaultEngine()
                    : ZeroCopy.builder().chunkSize(chunk).build();
        }
        if (!ZeroCopy.defaultEngine().strategies().contains(strategy)) {
            throw new IllegalStateException("strategy " + strategy + " not available; known: "
                    + ZeroCopy.defaultEngine().strategies());
        }
        return ZeroCopy.builder().strategies(strategy).threshold(0).chunkSize(chunk).build();
    }

    private static void drain(ServerSocketChannel server) {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        try (SocketChannel c = server.accept()) {
            while (true) {
                buf.clear();
                if (c.read(buf) < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            // closed at tear-down
        }
    }

    private long transferOnce() throws IOException {
        if (targetFile != null) {
            targetFile.position(0);
        }
        long n = engine.transfer(src, 0, size, target);
        if (n != size) {
            throw new IOException("moved " + n + " of " + size);
        }
        return n;
    }

    /**
     * One transfer of {@code size} bytes.
     *
     * @param c the counters
     * @return the bytes moved
     * @throws IOException if the transfer fails or moves fewer bytes
     */
    @Benchmark
    public long transfer(Counters c) throws IOException {
        long n = transferOnce();
        c.bytes += n;
        if ((++c.ops & 63) == 0 || size >= 65536) {
            c.cpuNanos = MX.getCurrentThreadCpuTime() - c.cpuStart;
        }
        return n;
    }

    /**
     * Closes the channels, stops the drain thread and deletes the files.
     *
     * @throws IOException if closing or deleting fails
     * @throws InterruptedException if interrupted while the drain thread ends
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        try {
            if (target != null) {
                target.close();
            }
            if (src != null) {
                src.close();
            }
            if (server != null) {
                server.close();
                drain.join(5000);
            }
        } finally {
            if (dir != null) {
                try (var s = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
    }
}

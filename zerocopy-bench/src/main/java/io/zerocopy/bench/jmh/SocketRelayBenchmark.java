package io.zerocopy.bench.jmh;

import io.zerocopy.TransferEngine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.SynchronousQueue;
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
 * socket->socket: a proxy relays one loopback connection (fed by a writer thread) into another
 * (drained by a reader thread) until end of stream, one connection pair per operation, set up
 * outside the measurement ({@code Level.Invocation}: per-operation timer overhead makes the
 * smallest sizes indicative only). Secondary results as in {@link FileTransferBenchmark}.
 *
 * <pre>
 * java -jar zerocopy-bench.jar --jmh SocketRelayBenchmark -p size=1048576,67108864
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SocketRelayBenchmark {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** The one strategy the engine may use, or {@code auto} for the default engine. */
    @Param({"copy", "splice", "auto"})
    public String strategy;

    /** Bytes relayed per operation: powers of 4 from 64 B to 1 GiB. */
    @Param({"64", "256", "1024", "4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864",
        "268435456", "1073741824"})
    public long size;

    /** The engine's {@code chunkSize}, as in {@link FileTransferBenchmark#chunk}. */
    @Param({"65536"})
    public int chunk;

    private TransferEngine engine;
    private ServerSocketChannel feedServer;
    private ServerSocketChannel sinkServer;
    private Thread feeder;
    private Thread sink;
    private final SynchronousQueue<Long> sunk = new SynchronousQueue<>();
    private SocketChannel a;
    private SocketChannel b;
    private final ByteBuffer go = ByteBuffer.allocateDirect(1);

    /** Aux counters, reported as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Bytes relayed. */
        public long bytes;
        /** CPU nanoseconds of the proxy (benchmark) thread. */
        public long cpuNanos;

        /** Starts an iteration's counts from zero. */
        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            cpuNanos = 0;
        }
    }

    /**
     * Builds the engine and starts the feeder and sink threads on their loopback servers.
     *
     * @throws IOException if they cannot be set up
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        engine = FileTransferBenchmark.engineFor(strategy, chunk);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        feedServer = ServerSocketChannel.open().bind(any);
        sinkServer = ServerSocketChannel.open().bind(any);
        feeder = new Thread(this::feed, "jmh-feeder");
        sink = new Thread(this::sink, "jmh-sink");
        feeder.setDaemon(true);
        sink.setDaemon(true);
        feeder.start();
        sink.start();
    }

    private void feed() {
        ByteBuffer data = ByteBuffer.allocateDirect(256 * 1024);
        ByteBuffer g = ByteBuffer.allocateDirect(1);
        while (true) {
            try (SocketChannel c = feedServer.accept()) {
                g.clear();
                if (c.read(g) < 0) {
                    continue;
                }
                long left = size;
                while (left > 0) {
                    data.clear();
                    data.limit((int) Math.min(left, data.capacity()));
                    left -= c.write(data);
                }
                c.shutdownOutput();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void sink() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        while (true) {
            try (SocketChannel c = sinkServer.accept()) {
                long got = 0;
                int n;
                while (true) {
                    buf.clear();
                    n = c.read(buf);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
                sunk.put(got);
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Opens the operation's connections: one from the feeder, one to the sink.
     *
     * @throws IOException if they cannot be opened
     */
    @Setup(Level.Invocation)
    public void connect() throws IOException {
        a = SocketChannel.open(feedServer.getLocalAddress());
        b = SocketChannel.open();
        b.setOption(StandardSocketOptions.TCP_NODELAY, true);
        b.connect(sinkServer.getLocalAddress());
    }

    /**
     * Relays one connection into the other to end of stream.
     *
     * @param c the counters
     * @return the bytes relayed
     * @throws IOException if the relay fails
     */
    @Benchmark
    public long relay(Counters c) throws IOException {
        long c0 = MX.getCurrentThreadCpuTime();
        go.clear();
        a.write(go);
        long n = engine.transfer(a, b);
        b.shutdownOutput();
        c.cpuNanos += MX.getCurrentThreadCpuTime() - c0;
        c.bytes += n;
        return n;
    }

    /**
     * Closes the operation's connections and checks that the sink received every byte.
     *
     * @throws IOException if it did not
     * @throws InterruptedException if interrupted while waiting for the sink
     */
    @TearDown(Level.Invocation)
    public void disconnect() throws IOException, InterruptedException {
        a.close();
        b.close();
        Long got = sunk.poll(60, TimeUnit.SECONDS);
        if (got == null || got != size) {
            throw new IOException("sink received " + got + " of " + size);
        }
    }

    /**
     * Closes the servers, which ends the feeder and sink threads.
     *
     * @throws IOException if closing fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        feedServer.close();
        sinkServer.close();
    }
}

package io.zerocopy.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.zerocopy.EventLoops;
import io.zerocopy.TransferEngine;
import io.zerocopy.TransferFuture;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Loopback;

/**
 * Relays of N loopback socket pairs through pipes (socket → pipe → socket), one JVM, the modes
 * interleaved per round, round 0 warm-up:
 * <ul>
 *   <li>{@code uring-inline}: {@code transferAsync} with {@code splice} on
 *       {@link Linux#ioUringEventLoops()}: POLL_ADD readiness, splice(2) inline on the ring's
 *       threads;</li>
 *   <li>{@code selector-inline}: the same on {@link EventLoops#selector()} (epoll);</li>
 *   <li>{@code ring-splice}: one thread and one ring (io-wq bound 4, as {@link RingPool} sets
 *       it) submitting {@code IORING_OP_SPLICE} socket → pipe, then pipe → socket, per relay,
 *       splice flags 0, the sockets blocking (each splice waits in its worker);</li>
 *   <li>{@code ring-splice-nb}: the same with {@code SPLICE_F_NONBLOCK} and the sockets'
 *       {@code O_NONBLOCK} (a TCP splice read honours only the file's flag); an {@code -EAGAIN}
 *       arms a POLL_ADD, then the splice is submitted again.</li>
 * </ul>
 * Each relay's peer threads write {@code MiB} from a direct buffer and drain the far end (the
 * same for every mode); {@code idle} more relays have a peer that sends nothing until the
 * active ones are done (a ring-splice relay waits for them in an io-wq worker: with as many
 * idle relays as workers the active ones stall, reported as {@code stalled-30s}). Reports aggregate MB/s (10^6 bytes/s), the process's CPU seconds per GiB
 * moved (peers included) and the most io-wq workers ({@code iou-wrk-*} threads, sampled every
 * 5 ms, after waiting up to 15 s for an earlier mode's idle workers to exit). Args: rounds pairs
 * MiB [idle [modes, comma-separated]]. Not a test; run on JDK 22+:
 * {@code mvn -q -pl zerocopy-linux -am package -DskipTests}, then
 * {@code java --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp zerocopy-linux/target/test-classes:zerocopy-linux/target/classes/META-INF/versions/22:zerocopy-linux/target/classes:zerocopy-core/target/zerocopy-core-0.1.0-SNAPSHOT.jar:zerocopy-core/target/zerocopy-core-0.1.0-SNAPSHOT-tests.jar io.zerocopy.linux.SpliceRingTiming 3 16 64 0} (and {@code ... 2 16 64 4}).
 */
public final class SpliceRingTiming {

    private static final int CHUNK = 256 << 10;
    private static final ExecutorService PEERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "timing-peer");
        t.setDaemon(true);
        return t;
    });

    private SpliceRingTiming() { }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int pairs = Integer.parseInt(args[1]);
        long bytes = Long.parseLong(args[2]) << 20;
        if (!"io_uring".equals(Linux.ioUringEventLoops().name())) {
            throw new IllegalStateException("io_uring loops unavailable", Linux.ioUringEventLoopsCause());
        }
        TransferEngine uring = ZeroCopy.builder().strategies("splice").eventLoops(Linux.ioUringEventLoops()).build();
        TransferEngine selector = ZeroCopy.builder().strategies("splice").eventLoops(EventLoops.selector()).build();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int idle = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        String[] modes = args.length > 4 ? args[4].split(",") : new String[] {"uring-inline", "selector-inline", "ring-splice", "ring-splice-nb"};
        System.out.println("mode round pairs idle MiB-per-pair MB/s cpu-s/GiB iou-wrk-max");
        for (int r = 0; r <= rounds; r++) {
            for (String mode : modes) {
                List<Loopback.Connection> in = new ArrayList<>();
                List<Loopback.Connection> out = new ArrayList<>();
                for (int i = 0; i < pairs + idle; i++) {
                    in.add(Loopback.connect());
                    out.add(Loopback.connect());
                }
                for (int w = 0; w < 300 && ioWqWorkers() > 0; w++) {
                    Thread.sleep(50); // idle workers of an earlier mode exit (after about 5 s idle)
                }
                AtomicInteger workers = new AtomicInteger();
                AtomicBoolean sampling = new AtomicBoolean(true);
                Thread sampler = new Thread(() -> {
                    while (sampling.get()) {
                        workers.accumulateAndGet(ioWqWorkers(), Math::max);
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                sampler.start();
                long cpu = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                List<CompletableFuture<Long>> drained = new ArrayList<>();
                for (int i = 0; i < pairs; i++) {
                    feed(in.get(i).client, bytes);
                    drained.add(drain(out.get(i).accepted));
                }
                for (int i = pairs; i < pairs + idle; i++) {
                    drained.add(drain(out.get(i).accepted)); // an idle pair's peer sends nothing until the end
                }
                CompletableFuture<Void> relayed = new CompletableFuture<>();
                Thread relay = new Thread(() -> {
                    try {
                        if (mode.endsWith("-inline")) {
                            relayAsync(mode.startsWith("uring") ? uring : selector, in, out);
                        } else {
                            relayOnRing(in, out, mode.endsWith("-nb") ? IoUring.SPLICE_F_NONBLOCK : 0);
                        }
                        relayed.complete(null);
                    } catch (Throwable e) {
                        relayed.completeExceptionally(e);
                    }
                }, "timing-relay");
                relay.start();
                long total = 0;
                boolean stalled = false;
                for (int i = 0; i < pairs; i++) {
                    try {
                        total += drained.get(i).get(Math.max(1, 30_000 - (System.nanoTime() - t0) / 1_000_000), TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        stalled = true; // idle pairs hold the ring's every io-wq worker
                        break;
                    }
                }
                long nanos = System.nanoTime() - t0;
                cpu = os.getProcessCpuTime() - cpu;
                sampling.set(false);
                sampler.join();
                for (int i = pairs; i < pairs + idle; i++) {
                    in.get(i).client.shutdownOutput(); // the idle relays end
                }
                relayed.get(300, TimeUnit.SECONDS);
                if (stalled) {
                    total = 0;
                    for (int i = 0; i < pairs; i++) {
                        total += drained.get(i).get(300, TimeUnit.SECONDS);
                    }
                    if (r > 0) {
                        System.out.printf("%s %d %d %d %d stalled-30s - %d%n", mode, r, pairs, idle, bytes >> 20, workers.get());
                    }
                } else if (r > 0) {
                    double gib = total / (double) (1L << 30);
                    System.out.printf("%s %d %d %d %d %.0f %.2f %d%n", mode, r, pairs, idle, bytes >> 20,
                            total / (nanos / 1e9) / 1e6, cpu / 1e9 / gib, workers.get());
                }
                if (total != pairs * bytes) {
                    throw new IllegalStateException(mode + ": received " + total + " of " + pairs * bytes);
                }
                for (int i = 0; i < pairs + idle; i++) {
                    in.get(i).close();
                    out.get(i).close();
                }
            }
        }
    }

    private static void relayAsync(TransferEngine engine, List<Loopback.Connection> in, List<Loopback.Connection> out) throws Exception {
        List<TransferFuture> fs = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            fs.add(engine.transferAsync(in.get(i).accepted, out.get(i).client));
        }
        for (int i = 0; i < in.size(); i++) {
            fs.get(i).get(300, TimeUnit.SECONDS);
            out.get(i).client.shutdownOutput();
        }
    }

    /** One relay of {@link #relayOnRing}: its descriptors, pipe and bytes in the pipe. */
    private static final class Relay {
        final int index;
        int src;
        int dst;
        final int[] pipe = new int[2];
        int inPipe;

        Relay(int index) {
            this.index = index;
        }
    }

    private static final int SPLICE_IN = 0;
    private static final int SPLICE_OUT = 1;
    private static final int POLL_IN = 2;
    private static final int POLL_OUT = 3;

    /** Relays every pair with IORING_OP_SPLICE on one ring, on this thread. */
    private static void relayOnRing(List<Loopback.Connection> in, List<Loopback.Connection> out, int flags) throws Exception {
        Syscalls sys = Native.syscalls();
        int n = in.size();
        Relay[] relays = new Relay[n];
        IoUring ring = RingPool.openBounded(sys, 256);
        try {
            for (int i = 0; i < n; i++) {
                Relay r = new Relay(i);
                if (flags == 0) { // the sockets blocking: a splice waits for them in its io-wq worker
                    r.src = ChannelDescriptors.dup(sys, in.get(i).accepted);
                    r.dst = ChannelDescriptors.dup(sys, out.get(i).client);
                } else { // O_NONBLOCK too: tcp_splice_read honours the file's flag, not SPLICE_F_NONBLOCK
                    r.src = ChannelDescriptors.open(sys, in.get(i).accepted);
                    r.dst = ChannelDescriptors.open(sys, out.get(i).client);
                }
                if (sys.pipe2(r.pipe, Native.O_CLOEXEC) < 0 || sys.fcntl(r.pipe[1], Native.F_SETPIPE_SZ, CHUNK) < 0) {
                    throw new IOException("pipe");
                }
                relays[i] = r;
                prepare(ring, i, SPLICE_IN, r, flags);
            }
            int done = 0;
            int[] ended = {0};
            while (done < n) {
                ring.await(100);
                ring.reap((userData, res, f) -> {
                    int i = (int) (userData >> 2);
                    int kind = (int) (userData & 3);
                    Relay r = relays[i];
                    if (res == -Errno.EAGAIN && (kind == SPLICE_IN || kind == SPLICE_OUT)) {
                        prepare(ring, i, kind == SPLICE_IN ? POLL_IN : POLL_OUT, r, flags);
                        return;
                    }
                    if (res < 0 && kind <= SPLICE_OUT) {
                        throw new IllegalStateException("splice failed: " + Native.describe(-res));
                    }
                    switch (kind) {
                        case SPLICE_IN:
                            if (res == 0) {
                                try {
                                    out.get(i).client.shutdownOutput();
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                                ended[0]++;
                                return;
                            }
                            r.inPipe = res;
                            prepare(ring, i, SPLICE_OUT, r, flags);
                            return;
                        case SPLICE_OUT:
                            r.inPipe -= res;
                            prepare(ring, i, r.inPipe > 0 ? SPLICE_OUT : SPLICE_IN, r, flags);
                            return;
                        case POLL_IN:
                            prepare(ring, i, SPLICE_IN, r, flags);
                            return;
                        default:
                            prepare(ring, i, SPLICE_OUT, r, flags);
                    }
                });
                done = ended[0];
            }
        } finally {
            for (Relay r : relays) {
                if (r != null) {
                    ChannelDescriptors.release(sys, in.get(r.index).accepted, r.src);
                    ChannelDescriptors.release(sys, out.get(r.index).client, r.dst);
                    sys.close(r.pipe[0]);
                    sys.close(r.pipe[1]);
                }
            }
            ring.close();
        }
    }

    private static void prepare(IoUring ring, int i, int kind, Relay r, int flags) {
        long userData = ((long) i << 2) | kind;
        boolean prepared;
        do {
            switch (kind) {
                case SPLICE_IN:
                    prepared = ring.splice(r.src, -1, r.pipe[1], -1, CHUNK, flags, userData);
                    break;
                case SPLICE_OUT:
                    prepared = ring.splice(r.pipe[0], -1, r.dst, -1, r.inPipe, flags, userData);
                    break;
                case POLL_IN:
                    prepared = ring.pollAdd(r.src, Native.POLLIN, userData);
                    break;
                default:
                    prepared = ring.pollAdd(r.dst, Native.POLLOUT, userData);
            }
            if (!prepared) {
                try {
                    ring.submit();
                } catch (NativeIOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        } while (!prepared);
    }

    private static void feed(SocketChannel ch, long bytes) {
        PEERS.execute(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(CHUNK);
            try {
                for (long left = bytes; left > 0; ) {
                    b.clear().limit((int) Math.min(CHUNK, left));
                    left -= ch.write(b);
                }
                ch.shutdownOutput();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static CompletableFuture<Long> drain(SocketChannel ch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                long n = 0;
                ByteBuffer b = ByteBuffer.allocateDirect(CHUNK);
                for (int got; (got = ch.read(b)) >= 0; b.clear()) {
                    n += got;
                }
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, PEERS);
    }

    private static int ioWqWorkers() {
        try {
            return UringEventLoopTest.ioWqWorkers();
        } catch (IOException e) {
            return -1;
        }
    }
}

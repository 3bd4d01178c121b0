package io.zerocopy.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The broadcast scenario's loopback peers: {@link #TARGETS} reader threads, started once per
 * run of the report. For each measured transfer the mover opens {@link #TARGETS} fresh
 * connections (TCP_NODELAY, outside the timed window); reader {@code i} reads connection
 * {@code i} to its end of stream into its own 64 KiB direct buffer, as the single-target sink
 * of {@link Link} does, and records when the last expected byte arrived and its own CPU.
 *
 * <p>The timed window opens just before the first byte moves and closes when the last target
 * has its last byte. Delivery is checked per target: exactly {@code n} bytes, then end of
 * stream.
 */
final class Fanout implements AutoCloseable {

    /** Targets per broadcast. */
    static final int TARGETS = 8;

    /** Moves {@code n} bytes from offset 0 of {@code src} to every target; returns what ran. */
    interface Body {
        String move(FileChannel src, long n, List<SocketChannel> targets) throws IOException;
    }

    /** A measured broadcast with what served it. */
    record Run(Sample sample, String ran) { }

    /** What the readers saw of one broadcast. */
    private static final class Round {
        final long expected;
        final long[] received = new long[TARGETS];
        final long[] endNs = new long[TARGETS];
        final long[] cpuNs = new long[TARGETS];
        final Throwable[] failure = new Throwable[TARGETS];
        final CountDownLatch done = new CountDownLatch(TARGETS);

        Round(long expected) {
            this.expected = expected;
        }

        void await(long seconds) throws IOException {
            try {
                if (!done.await(seconds, TimeUnit.SECONDS)) {
                    throw new IOException("timed out waiting for the broadcast readers: " + describe());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        /** After a failed transfer: lets the readers finish with their connections. */
        void settle() {
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String describe() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < TARGETS; i++) {
                sb.append(i == 0 ? "" : ", ").append(i).append(": ").append(received[i]);
            }
            return sb.append(" of ").append(expected).append(" bytes").toString();
        }
    }

    private record Job(SocketChannel channel, Round round, int index) { }

    private static final Job STOP = new Job(null, null, -1);

    private final ServerSocketChannel server;
    private final List<BlockingQueue<Job>> queues = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private final Path source;

    Fanout(Path source) throws IOException {
        this.source = source;
        this.server = ServerSocketChannel.open().bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TARGETS * 2);
        for (int i = 0; i < TARGETS; i++) {
            BlockingQueue<Job> q = new LinkedBlockingQueue<>();
            Thread t = new Thread(() -> readLoop(q), "zc-bench-bc-reader-" + i);
            t.setDaemon(true);
            queues.add(q);
            readers.add(t);
            t.start();
        }
    }

    private static void readLoop(BlockingQueue<Job> q) {
        ByteBuffer buf = ByteBuffer.allocateDirect(Link.SINK_BUFFER);
        while (true) {
            Job j;
            try {
                j = q.take();
            } catch (InterruptedException e) {
                return;
            }
            if (j == STOP) {
                return;
            }
            Round r = j.round();
            int i = j.index();
            long c0 = Cpu.thread();
            long got = 0;
            try (SocketChannel c = j.channel()) {
                while (true) {
                    buf.clear();
                    int n = c.read(buf);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                    if (got >= r.expected && r.endNs[i] == 0) {
                        r.endNs[i] = System.nanoTime();
                    }
                }
            } catch (IOException | RuntimeException e) {
                r.failure[i] = e;
            }
            if (r.endNs[i] == 0) {
                r.endNs[i] = System.nanoTime();
            }
            r.received[i] = got;
            r.cpuNs[i] = Cpu.thread() - c0;
            // the latch publishes the plain array writes above to the awaiting mover
            r.done.countDown();
        }
    }

    /**
     * One measured broadcast of {@code n} bytes.
     *
     * @throws IOException if the body fails, or any target received other than {@code n} bytes
     */
    Run run(long n, Body body) throws IOException {
        Round round = new Round(n);
        List<SocketChannel> clients = new ArrayList<>(TARGETS);
        int handed = 0;
        long t0;
        long c0;
        long u0;
        long c1;
        long u1;
        String ran;
        try (FileChannel src = FileChannel.open(source, StandardOpenOption.READ)) {
            try {
                for (int i = 0; i < TARGETS; i++) {
                    clients.add(Harness.open(server.getLocalAddress()));
                    SocketChannel accepted = server.accept();
                    queues.get(i).add(new Job(accepted, round, i));
                    handed++;
                }
                u0 = Cpu.threadUser();
                c0 = Cpu.thread();
                t0 = System.nanoTime();
                ran = body.move(src, n, clients);
                for (SocketChannel c : clients) {
                    c.shutdownOutput();
                }
                c1 = Cpu.thread();
                u1 = Cpu.threadUser();
            } catch (IOException | RuntimeException e) {
                closeAll(clients, e);
                for (int i = handed; i < TARGETS; i++) {
                    round.done.countDown();
                }
                round.settle();
                throw e;
            }
            round.await(120);
        } finally {
            closeAll(clients, null);
        }
        long end = 0;
        long peer = 0;
        for (int i = 0; i < TARGETS; i++) {
            if (round.failure[i] != null) {
                throw new IOException("broadcast target " + i + " failed: " + round.failure[i] + " (" + round.describe()
                        + ")", round.failure[i]);
            }
            if (round.received[i] != n) {
                throw new IOException("broadcast delivery failed: " + round.describe());
            }
            end = Math.max(end, round.endNs[i]);
            peer += round.cpuNs[i];
        }
        return new Run(new Sample(n, end - t0, c1 - c0, u1 - u0, peer, n * TARGETS), ran);
    }

    private static void closeAll(List<SocketChannel> cs, Exception primary) {
        for (SocketChannel c : cs) {
            try {
                c.close();
            } catch (IOException e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (BlockingQueue<Job> q : queues) {
            q.add(STOP);
        }
        server.close();
        try {
            for (Thread t : readers) {
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

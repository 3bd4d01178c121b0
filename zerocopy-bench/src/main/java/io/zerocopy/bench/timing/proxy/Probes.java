package io.zerocopy.bench.timing.proxy;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The probes, open-loop: a scheduler thread starts one probe thread every 10 ms, whether or
 * not the earlier probes got their byte; each times its connection from before the connect
 * to the first byte (blocking, bounded by the row's deadline) and then resets it.
 */
final class Probes implements Closeable {

    private static final long PROBE_GAP_NANOS = 10_000_000L;

    final Thread thread;
    private final double[] ttfb;
    private final boolean[] during;
    private final Thread[] probes;
    private final Socket[] sockets;
    private final InetSocketAddress address;
    private final long deadline;
    private final CountDownLatch load;
    private volatile boolean stopped;

    Probes(InetSocketAddress address, int count, long deadline, CountDownLatch load) {
        this.address = address;
        this.deadline = deadline;
        this.load = load;
        ttfb = new double[count];
        Arrays.fill(ttfb, Double.NaN);
        during = new boolean[count];
        probes = new Thread[count];
        sockets = new Socket[count];
        for (int i = 0; i < count; i++) {
            sockets[i] = new Socket();
        }
        thread = Threads.daemon(this::schedule, "probes");
    }

    private void schedule() {
        long next = System.nanoTime();
        for (int i = 0; i < probes.length && !stopped && System.nanoTime() < deadline; i++) {
            int index = i;
            probes[i] = Threads.daemon(() -> probe(index), "probe-" + i);
            next += PROBE_GAP_NANOS;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void probe(int i) {
        boolean loaded = load.getCount() > 0;
        long t0 = System.nanoTime();
        try (Socket s = sockets[i]) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - t0);
            if (left < 1 || stopped) {
                return;
            }
            Sockets.buffers(s);
            s.connect(address, (int) Math.min(Integer.MAX_VALUE, left));
            s.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE,
                    TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            if (s.getInputStream().read() >= 0) {
                ttfb[i] = (System.nanoTime() - t0) / 1e6;
                during[i] = loaded;
            }
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // timed out at the deadline, or closed at the end of the row
        }
    }

    /** Waits for every probe until the deadline. */
    void await() throws InterruptedException {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        for (Thread t : probes) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (t != null && left > 0) {
                t.join(left);
            }
        }
    }

    int ok() {
        return (int) Arrays.stream(ttfb).filter(v -> !Double.isNaN(v)).count();
    }

    int inLoad() {
        int n = 0;
        for (int i = 0; i < during.length; i++) {
            n += during[i] && !Double.isNaN(ttfb[i]) ? 1 : 0;
        }
        return n;
    }

    /** @return the nearest-rank {@code p} quantile of the probes' TTFB in ms, NaN if none got a byte */
    double percentile(double p) {
        double[] s = Arrays.stream(ttfb).filter(v -> !Double.isNaN(v)).sorted().toArray();
        return s.length == 0 ? Double.NaN : s[(int) Math.max(0, Math.ceil(p * s.length) - 1)];
    }

    /** Stops the scheduler, closes every probe's socket and joins every probe thread. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        Threads.join(thread);
        for (Socket s : sockets) {
            Sockets.closeQuietly(s);
        }
        for (Thread t : probes) {
            if (t != null) {
                Threads.join(t);
            }
        }
    }
}

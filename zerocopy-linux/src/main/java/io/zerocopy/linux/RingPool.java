package io.zerocopy.linux;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A bounded pool of quiet {@link IoUring}s (nothing in flight, every completion reaped), leased
 * to one thread at a time. Internal: not API.
 *
 * <p>Why a pool and not a ring per thread: a ring costs a descriptor, two mappings and a
 * setup call of about a syscall's worth of work plus mmap; a ring per thread would leave that
 * behind in every thread that ever sent (thousands of virtual threads) until a cleaner ran, and
 * a ring per call would pay setup and teardown on every send. A lease is as cheap as a
 * synchronized deque operation, and the synchronization is the happens-before edge that hands
 * a ring from one owner to the next (the rings are set up for successive owners, see
 * {@link IoUring}).
 *
 * <p>When every ring is leased and the bound is reached, {@link #acquire} answers null and the
 * caller falls back instead of waiting, as the pipe pool does. Idle rings stay open until
 * {@link #close()} (the shared pool: until the process exits, which closes them). Each new ring
 * gets the io-wq bound {@link IoUringProbe#MAX_WORKERS}. Thread-safe.
 */
final class RingPool implements AutoCloseable {

    /** SQ entries of each ring; the CQ has twice as many. */
    static final int ENTRIES = 256;

    private final Syscalls sys;
    private final int maxRings;
    private final ArrayDeque<IoUring> idle = new ArrayDeque<>();
    private int open;
    private boolean closed;

    /**
     * @param sys the binding (the {@code java.lang.foreign} one: see {@link IoUring})
     * @param maxRings the most rings in existence, at least 1
     */
    RingPool(Syscalls sys, int maxRings) {
        if (maxRings < 1) {
            throw new IllegalArgumentException("maxRings < 1: " + maxRings);
        }
        this.sys = Objects.requireNonNull(sys, "sys");
        this.maxRings = maxRings;
    }

    /** @return the default bound: twice the processors, at least 4 */
    static int defaultMaxRings() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * Leases a quiet ring, setting one up if none is idle and the bound allows.
     *
     * @return the ring, owned by the calling thread until {@link #release} or {@link #discard};
     *     null if the pool is closed or every ring is leased
     * @throws NativeIOException if a ring cannot be set up
     */
    IoUring acquire() throws NativeIOException {
        synchronized (this) {
            if (closed) {
                return null;
            }
            IoUring r = idle.pollFirst();
            if (r != null) {
                return r;
            }
            if (open >= maxRings) {
                return null;
            }
            open++;
        }
        try {
            return openBounded(sys, ENTRIES);
        } catch (NativeIOException | RuntimeException | Error e) {
            synchronized (this) {
                open--;
            }
            throw e;
        }
    }

    /**
     * Sets up a ring with the io-wq bound {@link IoUringProbe#MAX_WORKERS} (where the kernel
     * has it, 5.15+).
     *
     * @param sys the binding
     * @param entries SQ entries
     * @return the ring, owned by the calling thread
     * @throws NativeIOException if the ring cannot be set up or bounded
     */
    static IoUring openBounded(Syscalls sys, int entries) throws NativeIOException {
        IoUring r = IoUring.open(sys, entries);
        try {
            r.maxWorkers(IoUringProbe.MAX_WORKERS[0], IoUringProbe.MAX_WORKERS[1]);
        } catch (NativeIOException e) {
            if (Errno.action(Errno.Syscall.IO_URING_REGISTER, e.errno(), true) != Errno.Action.FALLBACK_TRANSFER) {
                closeSuppressed(r, e);
                throw e;
            } // before 5.15: no bound, and no operation of ours uses io-wq
        } catch (RuntimeException | Error e) {
            closeSuppressed(r, e);
            throw e;
        }
        return r;
    }

    private static void closeSuppressed(IoUring ring, Throwable failure) {
        try {
            ring.close();
        } catch (NativeIOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /**
     * Returns a leased ring that is quiet: nothing in flight and every completion reaped.
     *
     * @param ring the ring
     */
    void release(IoUring ring) {
        synchronized (this) {
            if (!closed) {
                idle.addFirst(ring);
                return;
            }
            open--;
        }
        closeQuietly(ring);
    }

    /**
     * Closes a leased ring instead of returning it (an operation may still be in flight: the
     * kernel finishes it after the close).
     *
     * @param ring the ring
     */
    void discard(IoUring ring) {
        synchronized (this) {
            open--;
        }
        closeQuietly(ring);
    }

    /** @return rings in existence, idle or leased */
    synchronized int openRings() {
        return open;
    }

    /** @return the bound on rings in existence */
    int maxRings() {
        return maxRings;
    }

    /** Closes the idle rings; leased ones are closed when returned. Idempotent. */
    @Override
    public void close() {
        ArrayDeque<IoUring> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            open -= idle.size();
            idle.clear();
        }
        for (IoUring r : toClose) {
            closeQuietly(r);
        }
    }

    private static void closeQuietly(IoUring ring) {
        try {
            ring.close();
        } catch (NativeIOException e) {
            // munmap or close failed: the descriptor is released anyway (close(2)); nothing to retry
            System.getLogger(RingPool.class.getName()).log(System.Logger.Level.DEBUG, "zerocopy-linux: closing " + ring + ": " + e);
        }
    }

    @Override
    public synchronized String toString() {
        return "RingPool[" + open + " open (" + idle.size() + " idle) of at most " + maxRings + ", " + ENTRIES + " entries each]";
    }
}

package io.zerocopy.linux;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * A bounded, thread-safe pool of kernel pipes for {@code splice}: at most {@link #maxPipes()}
 * pipes exist at once (leased and idle together), so the pool never holds more than
 * {@code 2 * maxPipes()} descriptors. When every pipe is leased, a transfer does not wait: the
 * splice strategy falls back to the next strategy for that transfer.
 *
 * <p>Pipes are created with {@code pipe2(O_CLOEXEC | O_NONBLOCK)} and resized with
 * {@code F_SETPIPE_SZ} to {@link #pipeSize()}. A refused resize means the user's pipes are
 * over {@code /proc/sys/fs/pipe-user-pages-soft} (or the size over {@code pipe-max-size}): the
 * new pipe is closed and the lease refused, so the pool never takes the pages the user's other
 * pipes need. A pipe is returned to the pool only empty; one that still holds bytes after a
 * failure is closed.
 *
 * <p>The shared pool's size is {@link Sizing#forThisSystem}: a quarter of the per-user limit.
 *
 * <p>{@link #close()} closes the idle pipes and makes the pool close each leased pipe when it
 * is returned; later transfers fall back. Each pool registers a shutdown hook that closes it,
 * removed again by {@link #close()}; descriptors are never left to the garbage collector.
 */
final class PipePool implements Closeable {

    /** The largest pipe the shared pool asks for, if {@code pipe-max-size} and the budget allow. */
    static final int DEFAULT_PIPE_SIZE = 1 << 20;
    /** The most pipes the shared pool holds, unless asked for more. */
    static final int DEFAULT_MAX_PIPES = 64;
    /** The kernel's default {@code pipe-user-pages-soft} (1024 pipes of 16 pages), assumed if it cannot be read. */
    static final long DEFAULT_USER_PAGES_SOFT = 16384;
    /** The shared pool takes at most 1/{@value} of the per-user pipe limit. */
    static final int LIMIT_SHARE = 4;
    private static final System.Logger LOG = System.getLogger(PipePool.class.getName());

    private final Syscalls sys;
    private final int maxPipes;
    private final int pipeSize;
    private final ArrayDeque<PooledPipe> idle;
    private final Thread hook;
    private int open;
    private boolean closed;

    /**
     * @param maxPipes the bound on pipes in existence; at least 1
     * @param pipeSize the requested capacity of each pipe in bytes; at least 4096, capped at
     *     {@code /proc/sys/fs/pipe-max-size}
     * @throws IllegalArgumentException on an out-of-range argument
     */
    PipePool(int maxPipes, int pipeSize) {
        this(Native.syscalls(), maxPipes, pipeSize);
    }

    /** @param sys the binding that creates and closes the pipes */
    PipePool(Syscalls sys, int maxPipes, int pipeSize) {
        if (maxPipes < 1) {
            throw new IllegalArgumentException("maxPipes < 1: " + maxPipes);
        }
        if (pipeSize < 4096) {
            throw new IllegalArgumentException("pipeSize < 4096: " + pipeSize);
        }
        this.sys = java.util.Objects.requireNonNull(sys, "sys");
        this.maxPipes = maxPipes;
        this.pipeSize = Math.min(pipeSize, pipeMaxSize());
        this.idle = new ArrayDeque<>(Math.min(maxPipes, 64));
        Thread h = new Thread(this::closeQuietly, "zerocopy-linux-pipe-pool-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(h);
        } catch (IllegalStateException e) {
            h = null; // the JVM is already shutting down: the owner's close() is all there is
        }
        this.hook = h;
    }

    /** @return the bound on pipes in existence (leased and idle) */
    int maxPipes() {
        return maxPipes;
    }

    /** @return the pipe capacity requested from the kernel, in bytes */
    int pipeSize() {
        return pipeSize;
    }

    /** @return pipes in existence now, leased and idle */
    synchronized int openPipes() {
        return open;
    }

    /** @return pipes waiting in the pool */
    synchronized int idlePipes() {
        return idle.size();
    }

    /** @return whether {@link #close()} was called */
    synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Leases an empty pipe, creating one if none is idle and the bound allows.
     *
     * @return the pipe, owned by the caller until {@link #release} or {@link #discard}; null if
     *     the pool is closed, every pipe is leased, the process is out of descriptors, or the
     *     kernel refuses the pipe size (the user's pipes are over their soft limit)
     * @throws NativeIOException if pipe2 fails otherwise
     */
    PooledPipe acquire() throws NativeIOException {
        synchronized (this) {
            if (closed) {
                return null;
            }
            PooledPipe p = idle.pollFirst();
            if (p != null) {
                return p;
            }
            if (open >= maxPipes) {
                return null;
            }
            open++;
        }
        boolean created = false;
        try {
            PooledPipe p = create();
            created = p != null;
            return p;
        } finally {
            if (!created) {
                synchronized (this) {
                    open--;
                }
            }
        }
    }

    /**
     * Returns an empty pipe leased from this pool.
     *
     * @param pipe the pipe; it must hold no bytes
     */
    void release(PooledPipe pipe) {
        synchronized (this) {
            if (!closed) {
                idle.addFirst(pipe);
                return;
            }
            open--;
        }
        pipe.close();
    }

    /**
     * Closes a leased pipe instead of returning it (it may hold bytes).
     *
     * @param pipe the pipe
     */
    void discard(PooledPipe pipe) {
        synchronized (this) {
            open--;
        }
        pipe.close();
    }

    /** Closes the idle pipes; leased pipes are closed when returned. Idempotent. */
    @Override
    public void close() {
        closeQuietly();
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                assert e.getMessage() != null; // shutdown in progress: the hook runs or ran
            }
        }
    }

    private void closeQuietly() {
        PooledPipe[] drained;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            drained = idle.toArray(new PooledPipe[0]);
            idle.clear();
            open -= drained.length;
        }
        for (PooledPipe p : drained) {
            p.close();
        }
    }

    /**
     * @return a new pipe; null if {@link Errno} says pipe2 falls back (out of descriptors) or
     *     the kernel refuses to resize it (the user's pipes are over their soft limit)
     */
    private PooledPipe create() throws NativeIOException {
        int[] fds = new int[2];
        int r;
        while ((r = sys.pipe2(fds, Native.O_CLOEXEC | Native.O_NONBLOCK)) < 0) {
            int errno = -r;
            Errno.Action action = Errno.action(Errno.Syscall.PIPE2, errno, true);
            if (action.isFallback()) {
                LOG.log(Level.DEBUG, () -> "zerocopy-linux: pipe2 refused: " + Native.describe(errno));
                return null;
            }
            if (action != Errno.Action.RETRY) {
                throw Errno.exception(Errno.Syscall.PIPE2, errno);
            }
        }
        int size = sys.fcntl(fds[1], Native.F_SETPIPE_SZ, pipeSize); // the capacity set, or -errno
        if (size <= 0) {
            sys.close(fds[0]);
            sys.close(fds[1]);
            // EPERM: over pipe-user-pages-soft (a pipe made there has 1 or 2 pages) or pipe-max-size.
            LOG.log(Level.DEBUG, () -> "zerocopy-linux: F_SETPIPE_SZ " + pipeSize + " refused ("
                    + Native.describe(-size) + "): no pipe leased");
            return null;
        }
        return new PooledPipe(sys, fds[0], fds[1], size);
    }

    /** @return /proc/sys/fs/pipe-max-size, or 1 MiB if it cannot be read */
    static int pipeMaxSize() {
        return (int) readProc("pipe-max-size", DEFAULT_PIPE_SIZE);
    }

    /** @return the number in /proc/sys/fs/{@code name}, or {@code otherwise} if it cannot be read */
    private static long readProc(String name, long otherwise) {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/fs", name))) {
            String line = r.readLine();
            return line == null ? otherwise : Long.parseLong(line.trim());
        } catch (IOException | RuntimeException e) {
            return otherwise;
        }
    }

    /**
     * The shared pool's bound and pipe size, so that it takes at most a quarter of the pipe
     * pages the kernel lets one user have. Unprivileged, once a user's pipes hold
     * {@code pipe-user-pages-soft} pages (16384 by default), every pipe that user creates
     * afterwards, in any process, gets one or two pages; the old default, 64 pipes of 1 MiB,
     * was exactly that limit. The kernel does not say how many pages a user holds, so what
     * others use is seen only when it refuses a resize ({@link #create}).
     *
     * @param maxPipes the bound on pipes in existence
     * @param pipeSize the capacity requested for each pipe, in bytes
     */
    record Sizing(int maxPipes, int pipeSize) {

        /**
         * The budget is a quarter of the smaller limit that is set (the hard one,
         * {@code pipe-user-pages-hard}, refuses new pipes outright); with neither set, 64 pipes
         * of 1 MiB. The pipe size starts at 1 MiB (at most {@code pipe-max-size}) and is
         * halved, down to 16 pages (what {@code pipe(2)} gives), while fewer pipes than wanted
         * (64, or {@code maxPipes}) fit the budget; the bound is what fits, 1 to 64. A value
         * given is kept; the other is fitted to it.
         *
         * @param softPages {@code pipe-user-pages-soft}; 0: none
         * @param hardPages {@code pipe-user-pages-hard}; 0: none
         * @param pipeMaxSize {@code pipe-max-size}, bytes
         * @param pageSize the page size, bytes
         * @param maxPipes the bound asked for, or 0 to compute it
         * @param pipeSize the pipe size asked for (at most {@code pipeMaxSize} is used), or 0 to compute it
         * @return the sizing
         */
        static Sizing of(long softPages, long hardPages, int pipeMaxSize, int pageSize, int maxPipes, int pipeSize) {
            long limit = softPages <= 0 ? hardPages : hardPages <= 0 ? softPages : Math.min(softPages, hardPages);
            long budget = limit <= 0 ? Long.MAX_VALUE : Math.max(1, limit / LIMIT_SHARE);
            int size = pipeSize > 0 ? Math.min(pipeSize, pipeMaxSize) : Math.min(DEFAULT_PIPE_SIZE, pipeMaxSize);
            if (pipeSize <= 0) {
                int want = maxPipes > 0 ? maxPipes : DEFAULT_MAX_PIPES;
                int floor = Math.min(size, 16 * pageSize);
                while (size / 2 >= floor && budget / pages(size, pageSize) < want) {
                    size /= 2;
                }
            }
            int bound = maxPipes > 0 ? maxPipes
                    : (int) Math.max(1, Math.min(DEFAULT_MAX_PIPES, budget / pages(size, pageSize)));
            return new Sizing(bound, size);
        }

        /**
         * @param maxPipes the bound asked for ({@link Linux#MAX_PIPES_PROPERTY}), or 0
         * @param pipeSize the pipe size asked for ({@link Linux#PIPE_SIZE_PROPERTY}), or 0
         * @return the sizing for this system's limits in {@code /proc/sys/fs}
         */
        static Sizing forThisSystem(int maxPipes, int pipeSize) {
            return of(readProc("pipe-user-pages-soft", DEFAULT_USER_PAGES_SOFT), readProc("pipe-user-pages-hard", 0),
                    pipeMaxSize(), Native.pageSize(), maxPipes, pipeSize);
        }

        /** @return the pages the kernel accounts for a pipe of {@code size} bytes (a power of two, at least one) */
        static long pages(int size, int pageSize) {
            long rounded = size <= pageSize ? pageSize : Long.highestOneBit(size - 1L) << 1;
            return rounded / pageSize;
        }
    }

    @Override
    public synchronized String toString() {
        return "PipePool{maxPipes=" + maxPipes + ", pipeSize=" + pipeSize + ", open=" + open + ", idle=" + idle.size()
                + (closed ? ", closed" : "") + "}";
    }
}

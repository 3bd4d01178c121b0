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
 * {@code F_SETPIPE_SZ} to {@link #pipeSize()} (a refused resize is tolerated: the pipe keeps
 * the size the kernel gave it). A pipe is returned to the pool only empty; one that still
 * holds bytes after a failure is closed.
 *
 * <p>{@link #close()} closes the idle pipes and makes the pool close each leased pipe when it
 * is returned; later transfers fall back. Each pool registers a shutdown hook that closes it,
 * removed again by {@link #close()}; descriptors are never left to the garbage collector.
 */
final class PipePool implements Closeable {

    static final int DEFAULT_PIPE_SIZE = 1 << 20;
    static final int DEFAULT_MAX_PIPES = 64;
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
     *     the pool is closed, every pipe is leased, or the process is out of descriptors
     * @throws NativeIOException if pipe2 or F_GETPIPE_SZ fails otherwise
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

    /** @return a new pipe, or null if {@link Errno} says pipe2 falls back (out of descriptors) */
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
        int resized = sys.fcntl(fds[1], Native.F_SETPIPE_SZ, pipeSize);
        if (resized < 0) {
            LOG.log(Level.DEBUG, () -> "zerocopy-linux: F_SETPIPE_SZ " + pipeSize + " refused: " + Native.describe(-resized));
        }
        int size = sys.fcntl(fds[0], Native.F_GETPIPE_SZ, 0);
        if (size <= 0) {
            sys.close(fds[0]);
            sys.close(fds[1]);
            throw Errno.exception(Errno.Syscall.FCNTL, -size);
        }
        return new PooledPipe(sys, fds[0], fds[1], size);
    }

    /** @return /proc/sys/fs/pipe-max-size, or 1 MiB if it cannot be read */
    static int pipeMaxSize() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/fs/pipe-max-size"))) {
            String line = r.readLine();
            return line == null ? DEFAULT_PIPE_SIZE : Integer.parseInt(line.trim());
        } catch (IOException | RuntimeException e) {
            return DEFAULT_PIPE_SIZE;
        }
    }

    @Override
    public synchronized String toString() {
        return "PipePool{maxPipes=" + maxPipes + ", pipeSize=" + pipeSize + ", open=" + open + ", idle=" + idle.size()
                + (closed ? ", closed" : "") + "}";
    }
}

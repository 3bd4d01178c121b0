package io.zerocopy.linux;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.zerocopy.internal.Waiter;

import io.zerocopy.spi.Broadcast;
import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;

/**
 * {@code tee}: one source to many targets without the payload entering user space, reading
 * each source byte once.
 *
 * <p>Pipes: a broadcast to N targets leases N + 1 pipes from the pool: P0, which the source is
 * spliced into, and one pipe per target. Each chunk (at most P0's size) goes to every target
 * but the last still waiting for it by {@code tee(P0, Pi)}, which shares the pages, and to that
 * last one by {@code splice(P0, Pi)}, which moves them and empties P0 for the next chunk; each
 * Pi is spliced out to its target. Invariants, so that no byte is duplicated or skipped
 * (tee always copies from the start of P0): a chunk is teed into Pi only when Pi is empty, and
 * all of it or the target fails; P0 is the smallest leased pipe, so an empty Pi always has room
 * for P0's whole content; P0 is refilled only when empty. A target is thus at most one chunk
 * behind the source, and one pipe-full per target is in flight.
 *
 * <p>Every call is non-blocking; one thread serves all targets, waiting with one poll(2) over
 * the source and every target with bytes pending. A target that fails ({@code EPIPE},
 * {@code ECONNRESET}, an asynchronous close, a short tee, or accepting nothing for
 * {@link Broadcast#stallTimeoutNanos()}) is failed with {@link Broadcast#fail} and the others
 * go on; its pipe, with any bytes still in it, is closed instead of pooled.
 *
 * <p>A target that refuses splice once the broadcast has begun (a file system without splice
 * support: an errno {@link Errno} maps to a fallback, or nothing taken from a full pipe) is
 * switched to copying, recorded with {@link Broadcast#fellBack}: its pipe still receives each
 * chunk by tee, and is read into a buffer of that target's own with read(2), which is written
 * with the target channel's {@code write} (positional for a file, at the position splice had
 * reached; a selectable channel non-blocking until the broadcast ends). Its count goes on from
 * where splice left it, and the other targets are unaffected.
 *
 * <p>Falls back ({@link Outcome#unsupported}, always before reading a source byte): a channel
 * without a readable descriptor, a file target opened with {@code APPEND} or without a
 * position, the pool unable to lease N + 1 pipes, the source refusing splice on the first
 * call, or a file source that yields nothing on the first call.
 *
 * <p>Positions as in {@code splice}: the file source is read at {@link Broadcast#position()},
 * a file target written at its channel position, left after the bytes it received. Thread-safe;
 * the per-chunk path allocates nothing.
 */
final class TeeBroadcast implements BroadcastStrategy {

    static final String NAME = "tee";
    /** System property: {@code false} keeps {@code tee} out of the provider's broadcast strategies. */
    static final String ENABLED_PROPERTY = "io.zerocopy.linux.tee";
    private static final int FLAGS = Native.SPLICE_F_NONBLOCK;
    private static final int MOVE = Native.SPLICE_F_MOVE | Native.SPLICE_F_NONBLOCK;
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(Waiter.SLICE_MILLIS);
    /** The path a target that refuses splice is switched to ({@link Broadcast#fellBack}). */
    static final String COPY = "copy";
    private static final System.Logger LOG = System.getLogger(TeeBroadcast.class.getPackageName());

    private final PipePool pool;
    private final Syscalls sys;

    /**
     * @param pool the pipes to tee through (a broadcast to N targets leases N + 1 of them)
     * @param sys the binding
     */
    TeeBroadcast(PipePool pool, Syscalls sys) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.sys = Objects.requireNonNull(sys, "sys");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, List<ChannelKind> targets, long size) {
        if (!spliceable(source)) {
            return false;
        }
        for (ChannelKind k : targets) {
            if (!spliceable(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean spliceable(ChannelKind k) {
        return k == ChannelKind.FILE || k == ChannelKind.SOCKET || k == ChannelKind.PIPE;
    }

    @Override
    public Outcome broadcast(Broadcast b) throws IOException {
        try (NativeSession s = NativeSession.of(sys, b)) {
            Outcome refused = s.open(pool, b.targetCount() + 1);
            if (refused != null) {
                return refused;
            }
            Run run = new Run(b, s);
            Outcome outcome;
            try {
                outcome = run.loop();
            } catch (Throwable e) {
                run.restoreBlocking(e);
                throw e;
            }
            run.restoreBlocking(null);
            return outcome;
        }
    }

    @Override
    public String toString() {
        return NAME + "(" + pool + ")";
    }

    /**
     * One broadcast's state. Index i is target i; its pipe is session pipe {@code i + 1}; the
     * bytes pending for it are its pipe's recorded content, and for a target switched to
     * copying, before them, what its buffer still holds. Pipe 0 is P0.
     */
    private final class Run {

        private final Broadcast b;
        private final NativeSession s;
        private final int n;
        private final boolean fileSource;
        /** Whether target i's pipe has received P0's current chunk. */
        private final boolean[] given;
        private final long[] lastProgress;
        /** For a target switched to copying: bytes read out of its pipe, not yet written; else null. */
        private final ByteBuffer[] copying;
        /** Whether target i was made non-blocking when switched to copying (made blocking again at the end). */
        private final boolean[] unblocked;

        Run(Broadcast b, NativeSession s) {
            this.b = b;
            this.s = s;
            this.n = b.targetCount();
            this.fileSource = b.sourceKind() == ChannelKind.FILE;
            this.given = new boolean[n];
            this.lastProgress = new long[n];
            this.copying = new ByteBuffer[n];
            this.unblocked = new boolean[n];
        }

        private long pending(int i) {
            return copying[i] == null ? s.inPipe(i + 1) : s.inPipe(i + 1) + copying[i].remaining();
        }

        Outcome loop() throws IOException {
            PooledPipe p0 = s.pipe(0);
            boolean ended = b.remaining() == 0;
            while (b.activeCount() > 0) {
                checkLive();
                boolean progress = false;
                boolean wantRead = false;
                if (s.inPipe(0) == 0 && !ended) {
                    long r = sys.splice(s.sourceFd(), s.sourceOffset(), p0.writeFd, null, Math.min(b.remaining(), p0.size), MOVE);
                    if (r > 0) {
                        b.consumed(r);
                        s.filled(0, r);
                        Arrays.fill(given, false);
                        ended = b.remaining() == 0;
                        progress = true;
                    } else if (r == 0) {
                        if (fileSource && b.consumed() == 0) {
                            return Outcome.unsupported(Outcome.Scope.TRANSFER, "splice: read nothing at position " + b.position());
                        }
                        ended = true;
                    } else {
                        Errno.Action action = Errno.action(Errno.Syscall.SPLICE, (int) -r, b.consumed() == 0);
                        if (action == Errno.Action.RETRY) {
                            continue;
                        }
                        if (action.isFallback() && b.consumed() == 0) {
                            return Errno.unsupported(Errno.Syscall.SPLICE, (int) -r);
                        }
                        if (action != Errno.Action.WAIT) {
                            throw Errno.exception(Errno.Syscall.SPLICE, (int) -r);
                        }
                        wantRead = true;
                    }
                }
                if (s.inPipe(0) > 0) {
                    progress |= distribute(p0);
                }
                boolean pendingAny = false;
                for (int i = 0; i < n; i++) {
                    if (b.isActive(i) && pending(i) > 0) {
                        progress |= deliver(i);
                        pendingAny |= b.isActive(i) && pending(i) > 0;
                    }
                }
                if (ended && s.inPipe(0) == 0 && !pendingAny) {
                    break;
                }
                if (progress) {
                    s.progressed();
                } else {
                    failStalled();
                    await(wantRead && !fileSource);
                }
            }
            return Outcome.COMPLETE;
        }

        /** Gives P0's chunk to every active target whose pipe can take it; @return whether any did. */
        private boolean distribute(PooledPipe p0) throws IOException {
            boolean progress = false;
            int waiting = waiting();
            for (int i = 0; i < n && s.inPipe(0) > 0; i++) {
                if (!b.isActive(i) || given[i]) {
                    continue;
                }
                PooledPipe pi = s.pipe(i + 1);
                long inP0 = s.inPipe(0);
                if (waiting == 1) {
                    // The last target waiting: move the pages; a partial move leaves the rest in P0.
                    long r = sys.splice(p0.readFd, null, pi.writeFd, null, inP0, MOVE);
                    if (r > 0) {
                        s.drained(0, r);
                        received(i, r);
                        given[i] = s.inPipe(0) == 0;
                        progress = true;
                    } else if (r < 0) {
                        targetError(i, Errno.Syscall.SPLICE, (int) -r);
                    }
                } else if (pending(i) == 0) {
                    long r = sys.tee(p0.readFd, pi.writeFd, inP0, FLAGS);
                    if (r == inP0) {
                        received(i, r);
                        given[i] = true;
                        waiting--;
                        progress = true;
                    } else if (r >= 0) {
                        fail(i, new IOException("tee: duplicated " + r + " of " + inP0 + " bytes into target #" + i + "'s pipe"));
                    } else {
                        targetError(i, Errno.Syscall.TEE, (int) -r);
                    }
                }
            }
            if (s.inPipe(0) > 0 && waiting() == 0) {
                drop(p0);
                progress = true;
            }
            return progress;
        }

        /** @return active targets whose pipe has not yet received the chunk in P0 */
        private int waiting() {
            int waiting = 0;
            for (int i = 0; i < n; i++) {
                if (b.isActive(i) && !given[i]) {
                    waiting++;
                }
            }
            return waiting;
        }

        private void received(int i, long bytes) {
            if (pending(i) == 0) {
                lastProgress[i] = System.nanoTime();
            }
            s.filled(i + 1, bytes);
        }

        /** Splices target i's pipe out, or copies it if the target refused splice; @return whether bytes moved. */
        private boolean deliver(int i) throws IOException {
            if (copying[i] != null) {
                return copy(i);
            }
            long r = sys.splice(s.pipe(i + 1).readFd, null, s.targetFd(i), s.targetOffset(i), pending(i), MOVE);
            if (r > 0) {
                s.drained(i + 1, r);
                moved(i, r);
                return true;
            }
            // A target that takes nothing from a full pipe refuses, as in NativeSession.drain.
            int errno = r == 0 ? Errno.EINVAL : (int) -r;
            if (Errno.action(Errno.Syscall.SPLICE, errno, false).isFallback()) {
                return switchToCopy(i, Errno.unsupported(Errno.Syscall.SPLICE, errno).reason()) && copy(i);
            }
            targetError(i, Errno.Syscall.SPLICE, errno);
            return false;
        }

        private void moved(int i, long bytes) {
            b.advance(i, bytes);
            lastProgress[i] = System.nanoTime();
        }

        /**
         * Target i refused splice after the broadcast began: from now on its pipe is read into a
         * buffer of its own and written with the channel's {@code write}.
         *
         * @return whether it was switched (false: it failed instead)
         */
        private boolean switchToCopy(int i, String why) throws IOException {
            if (b.target(i) instanceof SelectableChannel) {
                SelectableChannel sc = (SelectableChannel) b.target(i);
                try {
                    synchronized (sc.blockingLock()) {
                        if (sc.isBlocking()) {
                            sc.configureBlocking(false); // so a write never parks the broadcast on one target
                            unblocked[i] = true;
                        }
                    }
                } catch (IOException e) {
                    fail(i, e);
                    return false;
                }
            }
            copying[i] = ByteBuffer.allocateDirect(b.buffer().capacity()).flip();
            b.fellBack(i, COPY);
            LOG.log(Level.DEBUG, () -> "zerocopy-linux: tee: target #" + i + " switched to " + COPY + " after "
                    + b.delivered(i) + " bytes: " + why);
            return true;
        }

        /** Writes target i's buffer, first refilling it from the target's pipe if empty; @return whether bytes moved. */
        private boolean copy(int i) throws IOException {
            ByteBuffer buf = copying[i];
            if (!buf.hasRemaining()) {
                buf.clear();
                buf.limit((int) Math.min(s.inPipe(i + 1), buf.capacity()));
                try {
                    s.drained(i + 1, s.read(s.pipe(i + 1).readFd, buf));
                } catch (NativeIOException e) {
                    fail(i, e);
                    return false;
                } finally {
                    buf.flip();
                }
            }
            int w;
            try {
                if (b.targetKind(i) == ChannelKind.FILE) {
                    long at = s.targetPosition(i);
                    w = ((FileChannel) b.target(i)).write(buf, at);
                    s.targetPosition(i, at + w);
                } else {
                    w = b.target(i).write(buf);
                }
            } catch (IOException e) {
                fail(i, e);
                return false;
            }
            if (w > 0) {
                moved(i, w);
            }
            return w > 0;
        }

        /**
         * Makes the targets made non-blocking for copying blocking again.
         *
         * @param primary the exception the broadcast ends with, which keeps a failure here as
         *     suppressed; null if none
         * @throws IOException if that fails and there is no {@code primary}
         */
        void restoreBlocking(Throwable primary) throws IOException {
            for (int i = 0; i < n; i++) {
                if (unblocked[i] && b.target(i).isOpen()) {
                    try {
                        ((SelectableChannel) b.target(i)).configureBlocking(true);
                    } catch (IOException e) {
                        if (primary == null) {
                            throw e;
                        }
                        primary.addSuppressed(e);
                    }
                }
            }
        }

        /** EINTR and EAGAIN are retried by the loop; anything else fails target i alone (the broadcast has begun). */
        private void targetError(int i, Errno.Syscall call, int errno) throws IOException {
            Errno.Action action = Errno.action(call, errno, false);
            if (action != Errno.Action.RETRY && action != Errno.Action.WAIT) {
                fail(i, Errno.exception(call, errno));
            }
        }

        /** Fails target i; its pipe, which may hold bytes, is closed rather than pooled. */
        private void fail(int i, IOException cause) throws IOException {
            s.spoil(i + 1);
            b.fail(i, cause);
        }

        /**
         * Every active target has P0's chunk but bytes remain in P0 (the target due to receive
         * them by a move failed): read them out and drop them, so P0 can be refilled.
         */
        private void drop(PooledPipe p0) throws IOException {
            ByteBuffer buf = b.buffer();
            while (s.inPipe(0) > 0) {
                buf.clear();
                buf.limit((int) Math.min(s.inPipe(0), buf.capacity()));
                s.drained(0, s.read(p0.readFd, buf));
            }
        }

        private void failStalled() throws IOException {
            long now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (b.isActive(i) && pending(i) > 0 && now - lastProgress[i] > b.stallTimeoutNanos()) {
                    fail(i, new IOException("target #" + i + " stalled: accepted no byte for "
                            + TimeUnit.NANOSECONDS.toMillis(now - lastProgress[i]) + " ms"));
                }
            }
        }

        /** Waits with one poll(2) for the source (if asked) and every target with bytes pending. */
        private void await(boolean read) throws IOException {
            int count = read ? s.entry(0, s.sourceFd(), Native.POLLIN) : 0;
            long now = System.nanoTime();
            long wait = SLICE_NANOS;
            for (int i = 0; i < n; i++) {
                if (b.isActive(i) && pending(i) > 0 && b.targetKind(i) != ChannelKind.FILE) {
                    count = s.entry(count, s.targetFd(i), Native.POLLOUT);
                    wait = Math.min(wait, lastProgress[i] + b.stallTimeoutNanos() - now);
                }
            }
            s.await(count, Math.max(0, wait));
        }

        /**
         * The waiter's contract (an interrupt closes the source and every target; a source
         * closed by another thread ends the broadcast), and a target closed by another thread
         * fails that target alone.
         */
        private void checkLive() throws IOException {
            s.checkLive();
            for (int i = 0; i < n; i++) {
                if (b.isActive(i) && !b.target(i).isOpen()) {
                    fail(i, new AsynchronousCloseException());
                }
            }
        }
    }
}

package io.zerocopy.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zerocopy.spi.Broadcast;
import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import jnr.ffi.Pointer;

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
 * go on; its pipe, with any bytes still in it, is closed instead of pooled. A target whose
 * file refuses splice after the broadcast began is failed likewise (not served by copying).
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

    private final PipePool pool;

    TeeBroadcast(PipePool pool) {
        this.pool = pool;
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
        Outcome unavailable = Endpoints.unavailable();
        if (unavailable != null) {
            return unavailable;
        }
        if (!ChannelDescriptors.readable(b.source().getClass())) {
            return Endpoints.noDescriptor(b.source());
        }
        for (int i = 0; i < b.targetCount(); i++) {
            if (!ChannelDescriptors.readable(b.target(i).getClass())) {
                return Endpoints.noDescriptor(b.target(i));
            }
        }
        return new Run(b).execute();
    }

    @Override
    public String toString() {
        return NAME + "(" + pool + ")";
    }

    /** One broadcast's state. Index i is target i; its pipe is {@code pipes[i + 1]}. */
    private final class Run {

        private final Broadcast b;
        private final int n;
        private final boolean fileSource;
        private final boolean[] fileTarget;
        private final int[] dst;
        private final PooledPipe[] pipes;
        /** Bytes in target i's pipe, not yet delivered. */
        private final long[] pending;
        /** Whether target i's pipe has received the chunk now in P0. */
        private final boolean[] given;
        /** Whether target i's pipe may hold bytes not accounted in {@link #pending} (failed target). */
        private final boolean[] dirty;
        private final long[] lastProgress;
        private final Pointer[] dstOff;
        private int src = -1;
        private long inP0;
        private Pointer pollfds;

        Run(Broadcast b) {
            this.b = b;
            this.n = b.targetCount();
            this.fileSource = b.sourceKind() == ChannelKind.FILE;
            this.fileTarget = new boolean[n];
            this.dst = new int[n];
            this.pipes = new PooledPipe[n + 1];
            this.pending = new long[n];
            this.given = new boolean[n];
            this.dirty = new boolean[n];
            this.lastProgress = new long[n];
            this.dstOff = new Pointer[n];
            java.util.Arrays.fill(dst, -1);
            for (int i = 0; i < n; i++) {
                fileTarget[i] = b.targetKind(i) == ChannelKind.FILE;
            }
        }

        Outcome execute() throws IOException {
            Throwable failure = null;
            try {
                Outcome refused = prepare();
                return refused != null ? refused : loop();
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
                throw e;
            } finally {
                finish(failure);
            }
        }

        /** @return null when ready, else why this broadcast cannot use tee (nothing consumed yet) */
        private Outcome prepare() throws IOException {
            src = Endpoints.open(b.source());
            if (src < 0) {
                return Endpoints.noDescriptor(b.source());
            }
            long[] at = new long[n];
            for (int i = 0; i < n; i++) {
                dst[i] = Endpoints.open(b.target(i));
                if (dst[i] < 0) {
                    return Endpoints.noDescriptor(b.target(i));
                }
                if (fileTarget[i]) {
                    if (Endpoints.isAppend(dst[i])) {
                        return Outcome.unsupported(Outcome.Scope.TRANSFER, "target #" + i + " opened with APPEND");
                    }
                    at[i] = Endpoints.targetPosition((java.nio.channels.FileChannel) b.target(i));
                    if (at[i] < 0) {
                        return Outcome.unsupported(Outcome.Scope.TRANSFER, "target #" + i + " has no position");
                    }
                }
            }
            for (int k = 0; k <= n; k++) {
                pipes[k] = pool.acquire();
                if (pipes[k] == null) {
                    return Outcome.unsupported(Outcome.Scope.TRANSFER, "pipe pool cannot lease " + (n + 1) + " pipes: " + pool);
                }
                if (pipes[k].size < pipes[0].size) {
                    PooledPipe smaller = pipes[k];
                    pipes[k] = pipes[0];
                    pipes[0] = smaller;
                }
            }
            for (int i = 0; i < n; i++) {
                if (fileTarget[i]) {
                    dstOff[i] = pipes[i + 1].scratch.slice(PooledPipe.TARGET_OFFSET);
                    dstOff[i].putLong(0, at[i]);
                }
            }
            pollfds = Native.runtime().getMemoryManager().allocateDirect(8L * (n + 1));
            return null;
        }

        private Outcome loop() throws IOException {
            Native.LibC c = Native.libc();
            PooledPipe p0 = pipes[0];
            Pointer srcOff = null;
            if (fileSource) {
                srcOff = p0.scratch.slice(PooledPipe.SOURCE_OFFSET);
                srcOff.putLong(0, b.position());
            }
            boolean ended = b.remaining() == 0;
            int spins = 0;
            while (b.activeCount() > 0) {
                checkLive();
                boolean progress = false;
                boolean wantRead = false;
                if (inP0 == 0 && !ended) {
                    long r = c.splice(src, srcOff, p0.writeFd, null, Math.min(b.remaining(), p0.size), MOVE);
                    if (r > 0) {
                        b.consumed(r);
                        inP0 = r;
                        java.util.Arrays.fill(given, false);
                        ended = b.remaining() == 0;
                        progress = true;
                    } else if (r == 0) {
                        if (fileSource && b.consumed() == 0) {
                            return Outcome.unsupported(Outcome.Scope.TRANSFER, "splice: read nothing at position " + b.position());
                        }
                        ended = true;
                    } else {
                        int errno = Native.errno();
                        switch (Errors.classify(Errors.SPLICE, errno, b.consumed() == 0)) {
                            case RETRY:
                                continue;
                            case WAIT:
                                wantRead = true;
                                break;
                            case FALLBACK:
                                if (b.consumed() == 0) {
                                    return Errors.unsupported(Errors.SPLICE, errno);
                                }
                                throw Errors.exception(Errors.SPLICE, errno);
                            default:
                                throw Errors.exception(Errors.SPLICE, errno);
                        }
                    }
                }
                if (inP0 > 0) {
                    progress |= distribute(c, p0);
                }
                boolean pendingAny = false;
                for (int i = 0; i < n; i++) {
                    if (b.isActive(i) && pending[i] > 0) {
                        progress |= deliver(c, i);
                        pendingAny |= b.isActive(i) && pending[i] > 0;
                    }
                }
                if (ended && inP0 == 0 && !pendingAny) {
                    break;
                }
                if (progress) {
                    spins = 0;
                } else {
                    failStalled();
                    await(wantRead && !fileSource, spins++);
                }
            }
            return Outcome.COMPLETE;
        }

        /** Gives P0's chunk to every active target whose pipe can take it; @return whether any did. */
        private boolean distribute(Native.LibC c, PooledPipe p0) throws IOException {
            boolean progress = false;
            int waiting = waiting();
            for (int i = 0; i < n && inP0 > 0; i++) {
                if (!b.isActive(i) || given[i]) {
                    continue;
                }
                PooledPipe pi = pipes[i + 1];
                if (waiting == 1) {
                    // The last target waiting: move the pages; a partial move leaves the rest in P0.
                    long r = c.splice(p0.readFd, null, pi.writeFd, null, inP0, MOVE);
                    if (r > 0) {
                        inP0 -= r;
                        received(i, r);
                        given[i] = inP0 == 0;
                        progress = true;
                    } else if (r < 0) {
                        targetError(i, Errors.SPLICE, Native.errno());
                    }
                } else if (pending[i] == 0) {
                    long r = c.tee(p0.readFd, pi.writeFd, inP0, FLAGS);
                    if (r == inP0) {
                        received(i, r);
                        given[i] = true;
                        waiting--;
                        progress = true;
                    } else if (r >= 0) {
                        dirty[i] = true;
                        b.fail(i, new IOException("tee: duplicated " + r + " of " + inP0 + " bytes into target #" + i + "'s pipe"));
                    } else {
                        targetError(i, Errors.TEE, Native.errno());
                    }
                }
            }
            if (inP0 > 0 && waiting() == 0) {
                drop(c, p0);
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
            if (pending[i] == 0) {
                lastProgress[i] = System.nanoTime();
            }
            pending[i] += bytes;
        }

        /** Splices target i's pipe out; @return whether bytes moved. */
        private boolean deliver(Native.LibC c, int i) throws IOException {
            long r = c.splice(pipes[i + 1].readFd, null, dst[i], dstOff[i], pending[i], MOVE);
            if (r > 0) {
                pending[i] -= r;
                b.advance(i, r);
                lastProgress[i] = System.nanoTime();
                return true;
            }
            targetError(i, Errors.SPLICE, r == 0 ? Native.EIO : Native.errno());
            return false;
        }

        /** EINTR and EAGAIN are retried by the loop; anything else fails target i alone. */
        private void targetError(int i, String syscall, int errno) throws IOException {
            Errors.Action action = Errors.classify(syscall, errno, false);
            if (action == Errors.Action.RETRY || action == Errors.Action.WAIT) {
                return;
            }
            dirty[i] = true;
            b.fail(i, Errors.exception(syscall, errno));
        }

        /**
         * Every active target has P0's chunk but bytes remain in P0 (the target due to receive
         * them by a move failed): read them out and drop them, so P0 can be refilled.
         */
        private void drop(Native.LibC c, PooledPipe p0) throws IOException {
            ByteBuffer buf = b.buffer();
            Pointer address = Pointer.wrap(Native.runtime(), buf);
            while (inP0 > 0) {
                long r = c.read(p0.readFd, address, Math.min(inP0, buf.capacity()));
                if (r > 0) {
                    inP0 -= r;
                    continue;
                }
                int errno = r == 0 ? Native.EIO : Native.errno();
                if (Errors.classify("read", errno, false) != Errors.Action.RETRY) {
                    throw Errors.exception("read", errno);
                }
            }
        }

        private void failStalled() throws IOException {
            long now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (b.isActive(i) && pending[i] > 0 && now - lastProgress[i] > b.stallTimeoutNanos()) {
                    dirty[i] = true;
                    b.fail(i, new IOException("target #" + i + " stalled: accepted no byte for "
                            + TimeUnit.NANOSECONDS.toMillis(now - lastProgress[i]) + " ms"));
                }
            }
        }

        /** Waits with one poll(2) for the source (if asked) and every target with bytes pending. */
        private void await(boolean read, int spins) throws IOException {
            if (spins > 2) {
                Endpoints.backOff();
            }
            int count = 0;
            if (read) {
                count = entry(count, src, Native.POLLIN);
            }
            long now = System.nanoTime();
            long wait = TimeUnit.MILLISECONDS.toNanos(Endpoints.POLL_MILLIS);
            for (int i = 0; i < n; i++) {
                if (b.isActive(i) && pending[i] > 0 && !fileTarget[i]) {
                    count = entry(count, dst[i], Native.POLLOUT);
                    wait = Math.min(wait, lastProgress[i] + b.stallTimeoutNanos() - now);
                }
            }
            if (count == 0) {
                Endpoints.backOff();
                return;
            }
            Endpoints.poll(pollfds, count, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait) + 1));
        }

        private int entry(int index, int fd, short events) {
            long at = 8L * index;
            pollfds.putInt(at, fd);
            pollfds.putShort(at + 4, events);
            pollfds.putShort(at + 6, (short) 0);
            return index + 1;
        }

        /**
         * NIO's contract between calls: an interrupted thread closes the source and the targets
         * and throws; a source closed by another thread ends the broadcast; a target closed by
         * another thread fails that target alone.
         */
        private void checkLive() throws IOException {
            if (Thread.currentThread().isInterrupted()) {
                java.nio.channels.ClosedByInterruptException e = Endpoints.interrupted(b.source(), null);
                for (int i = 0; i < n; i++) {
                    Endpoints.closeChannel(b.target(i), e);
                }
                throw e;
            }
            if (!b.source().isOpen()) {
                throw new AsynchronousCloseException();
            }
            for (int i = 0; i < n; i++) {
                if (b.isActive(i) && !b.target(i).isOpen()) {
                    dirty[i] = true;
                    b.fail(i, new AsynchronousCloseException());
                }
            }
        }

        private void finish(Throwable failure) throws IOException {
            IOException first = null;
            for (int i = 0; i < n; i++) {
                if (dstOff[i] != null) {
                    try {
                        Endpoints.restorePosition(b.target(i), dstOff[i].getLong(0), failure);
                    } catch (IOException e) {
                        first = collect(first, e, failure);
                    }
                }
            }
            for (int k = 0; k <= n; k++) {
                if (pipes[k] == null) {
                    continue;
                }
                boolean empty = k == 0 ? inP0 == 0 : pending[k - 1] == 0 && !dirty[k - 1];
                if (empty) {
                    pool.release(pipes[k]);
                } else {
                    pool.discard(pipes[k]);
                }
            }
            try {
                Endpoints.release(b.source(), src, failure);
            } catch (IOException e) {
                first = collect(first, e, failure);
            }
            for (int i = 0; i < n; i++) {
                try {
                    Endpoints.release(b.target(i), dst[i], failure);
                } catch (IOException e) {
                    first = collect(first, e, failure);
                }
            }
            if (first != null) {
                throw first;
            }
        }

        private IOException collect(IOException first, IOException e, Throwable failure) {
            if (failure != null) {
                failure.addSuppressed(e);
                return first;
            }
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
            return first;
        }
    }
}

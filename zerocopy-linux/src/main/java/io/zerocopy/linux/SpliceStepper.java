package io.zerocopy.linux;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;

/**
 * {@link SpliceStrategy}'s non-blocking form for one transfer: the same splice calls on the
 * session's duplicated, {@code O_NONBLOCK} descriptors, held from {@link SpliceStrategy#stepper}
 * to {@link #close()}, never waiting. Three forms, as the blocking strategy has:
 * <ul>
 *   <li><b>direct</b>, one end a pipe: source to target in one call, nothing in flight;</li>
 *   <li><b>relay</b>, a socket source: source → pipe → target, filling and draining overlapped;</li>
 *   <li><b>pooled</b>, a file source and a socket target: the pipe filled from the file, then
 *       drained.</li>
 * </ul>
 * File to file is not stepped ({@link SpliceStrategy#stepper} returns null): it never waits.
 *
 * <p>Pipes: the relay and pooled forms hold the pool's pipe only while it holds bytes. A step
 * leases it when it is about to fill it and returns it to the pool, empty, whenever the step
 * ends with nothing in it. A pipe is kept across steps only while its bytes wait for a busy
 * target, so a pool of 64 pipes serves any number of relays of which at most 64 have bytes
 * stuck at their target at the same moment. If no pipe is free when a step would fill one,
 * nothing is in flight: the step returns a fallback for this transfer
 * ({@link Outcome.Scope#TRANSFER}) and the next strategy continues from the exact byte. A relay
 * whose source has nothing to read then waits for it instead, and falls back only if the pool
 * is still empty once it has.
 *
 * <p>Work per step: a step stops once it has delivered {@link #STEP_BYTES} (one splice call
 * may pass it by at most a pipe-full, or {@link SpliceStrategy#DIRECT_CHUNK} in the direct form)
 * and returns the interest it would wait on; readiness being level-triggered, a transfer with
 * more to move is stepped again after the others sharing the thread.
 *
 * <p>Interest: {@link Step#AWAIT_SOURCE} when nothing is in flight and the source has nothing;
 * {@link Step#AWAIT_TARGET} when bytes in the pipe wait for the target and the source cannot
 * add any (the pipe is full, it holds every byte asked for, the source ended or is a file);
 * {@link Step#AWAIT_EITHER} when the pipe holds bytes the target does not take and the source,
 * with room left, has nothing. In the direct form, splice's EAGAIN does not say which end is
 * not ready: a non-waiting poll(2) of the source decides.
 *
 * <p>A fallback with bytes in the pipe (the target refuses splice): a file source's bytes are
 * read again by the next strategy from {@link Transfer#position()}; a stream source's are first
 * read out of the pipe into {@link Transfer#buffer()} and written with the target channel's own
 * {@code write}, over as many steps as the target needs ({@link Step#AWAIT_TARGET} meanwhile),
 * and then the fallback is returned.
 *
 * <p>{@link #close()} closes the session: an empty pipe goes back to the pool; one holding
 * bytes is closed, and those bytes of a stream source, with any in the buffer, are reported
 * through {@link Transfer#undelivered}. Used by one thread at a time.
 */
final class SpliceStepper implements Stepper {

    /** Bytes a step delivers before it lets other transfers have their turn. */
    static final long STEP_BYTES = 1L << 20;
    private static final int FLAGS = Native.SPLICE_F_MOVE | Native.SPLICE_F_NONBLOCK;

    private enum Form { DIRECT, RELAY, POOLED }

    private final Syscalls sys;
    private final Transfer t;
    private final NativeSession s;
    private final PipePool pool;
    private final Form form;
    /** Why the session could not open: the first step returns it. */
    private final Outcome refused;
    /** The relay's source reached end of stream. */
    private boolean ended;
    /** No byte delivered by this stepper yet. */
    private boolean first = true;
    /** The fallback a stream source's rescue ends with, once the pipe and buffer are empty; null otherwise. */
    private Outcome rescuing;
    /** Bytes read out of the pipe into {@link Transfer#buffer()} and not yet written (rescue). */
    private int buffered;

    private SpliceStepper(Syscalls sys, Transfer t, NativeSession s, PipePool pool, Form form, Outcome refused) {
        this.sys = sys;
        this.t = t;
        this.s = s;
        this.pool = pool;
        this.form = form;
        this.refused = refused;
    }

    /**
     * Opens a session for {@code t}: descriptors duplicated and non-blocking, no pipe leased yet.
     *
     * @param sys the binding
     * @param pool the pipes of the relay and pooled forms
     * @param t a transfer between kinds {@link SpliceStrategy#supports} accepts, not file to file
     * @return the stepper; if the session refused, its first step returns that fallback
     * @throws IOException if a channel is closed or a descriptor cannot be prepared
     */
    static SpliceStepper open(Syscalls sys, PipePool pool, Transfer t) throws IOException {
        Form form = t.sourceKind() == ChannelKind.PIPE || t.targetKind() == ChannelKind.PIPE ? Form.DIRECT
                : t.sourceKind() == ChannelKind.FILE ? Form.POOLED : Form.RELAY;
        NativeSession s = NativeSession.of(sys, t);
        try {
            Outcome refused = form == Form.DIRECT ? s.open(pool, 0) : s.openLeasing(pool);
            return new SpliceStepper(sys, t, s, pool, form, refused);
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public boolean blocksOnFileIo() {
        return t.sourceKind() == ChannelKind.FILE || t.targetKind() == ChannelKind.FILE;
    }

    @Override
    public Step step() throws IOException {
        if (refused != null) {
            return Step.fallback(refused);
        }
        s.checkLive();
        if (rescuing != null) {
            return rescue();
        }
        switch (form) {
            case DIRECT:
                return direct();
            case POOLED:
                return pooled();
            default:
                return relay();
        }
    }

    private Step direct() throws IOException {
        int src = s.sourceFd();
        int dst = s.targetFd(0);
        long budget = STEP_BYTES;
        while (t.remaining() > 0) {
            if (budget <= 0) {
                return directInterest();
            }
            long n = sys.splice(src, s.sourceOffset(), dst, s.targetOffset(0),
                    Math.min(t.remaining(), SpliceStrategy.DIRECT_CHUNK), FLAGS);
            if (n > 0) {
                t.advance(n);
                budget -= n;
                first = false;
                s.progressed();
                continue;
            }
            if (n == 0) {
                return endOfSource();
            }
            switch (Errno.action(Errno.Syscall.SPLICE, (int) -n, first)) {
                case RETRY:
                    break;
                case WAIT:
                    return directInterest();
                case FALLBACK_TRANSFER:
                case FALLBACK_ENGINE:
                    return Step.fallback(Errno.unsupported(Errno.Syscall.SPLICE, (int) -n));
                default:
                    throw Errno.exception(Errno.Syscall.SPLICE, (int) -n);
            }
        }
        return Step.COMPLETE;
    }

    /** @return the end to wait on in the direct form: the source if it is a stream with nothing to read, else the target */
    private Step directInterest() throws IOException {
        if (t.sourceKind() == ChannelKind.FILE) {
            return Step.AWAIT_TARGET;
        }
        if (t.targetKind() == ChannelKind.FILE || !s.readyNow(s.sourceFd(), Native.POLLIN)) {
            return Step.AWAIT_SOURCE;
        }
        return Step.AWAIT_TARGET;
    }

    /** File source, socket target: fill the pipe from the file, drain it, until the budget is spent. */
    private Step pooled() throws IOException {
        int src = s.sourceFd();
        long budget = STEP_BYTES;
        while (t.remaining() > 0) {
            if (s.inPipe(0) == 0) {
                if (budget <= 0) {
                    s.unlease();
                    return Step.AWAIT_TARGET;
                }
                if (!s.lease()) {
                    return noPipe();
                }
                long n = sys.splice(src, s.sourceOffset(), s.pipe(0).writeFd, null,
                        Math.min(t.remaining(), s.pipe(0).size), FLAGS);
                if (n == 0) {
                    s.unlease();
                    return endOfSource();
                }
                if (n < 0) {
                    switch (Errno.action(Errno.Syscall.SPLICE, (int) -n, first)) {
                        case RETRY:
                            continue;
                        case WAIT:
                            s.unlease();
                            return Step.AWAIT_SOURCE;
                        case FALLBACK_TRANSFER:
                        case FALLBACK_ENGINE:
                            s.unlease();
                            return Step.fallback(Errno.unsupported(Errno.Syscall.SPLICE, (int) -n));
                        default:
                            throw Errno.exception(Errno.Syscall.SPLICE, (int) -n);
                    }
                }
                s.filled(0, n);
                s.progressed();
            }
            long m = sys.splice(s.pipe(0).readFd, null, s.targetFd(0), s.targetOffset(0), s.inPipe(0), FLAGS);
            if (m > 0) {
                s.drained(0, m);
                t.advance(m);
                budget -= m;
                first = false;
                s.progressed();
                continue;
            }
            int errno = m == 0 ? Errno.EINVAL : (int) -m; // a target that takes nothing from a full pipe
            switch (Errno.action(Errno.Syscall.SPLICE, errno, false)) {
                case RETRY:
                    break;
                case WAIT:
                    return Step.AWAIT_TARGET;
                case FALLBACK_TRANSFER:
                case FALLBACK_ENGINE:
                    return Step.fallback(Errno.unsupported(Errno.Syscall.SPLICE, errno)); // close discards the pipe; the file is read again
                default:
                    throw Errno.exception(Errno.Syscall.SPLICE, errno);
            }
        }
        s.unlease();
        return Step.COMPLETE;
    }

    /** Stream source through the pipe: each round reads into the pipe's room and writes out what it holds. */
    private Step relay() throws IOException {
        int src = s.sourceFd();
        int dst = s.targetFd(0);
        long budget = STEP_BYTES;
        while (true) {
            boolean moved = false;
            boolean sourceIdle = false;
            boolean targetBusy = false;
            if (!ended && t.remaining() - s.inPipe(0) > 0) {
                if (!s.lease()) {
                    return s.readyNow(src, Native.POLLIN) ? noPipe() : Step.AWAIT_SOURCE;
                }
                long room = Math.min(t.remaining(), s.pipe(0).size) - s.inPipe(0);
                if (room > 0) {
                    long n = sys.splice(src, null, s.pipe(0).writeFd, null, room, FLAGS);
                    if (n > 0) {
                        s.filled(0, n);
                        moved = true;
                    } else if (n == 0) {
                        ended = true;
                    } else {
                        boolean nothingYet = t.delivered() == 0 && s.inPipe(0) == 0;
                        switch (Errno.action(Errno.Syscall.SPLICE, (int) -n, nothingYet)) {
                            case RETRY:
                                moved = true;
                                break;
                            case WAIT:
                                sourceIdle = true;
                                break;
                            case FALLBACK_TRANSFER:
                            case FALLBACK_ENGINE:
                                rescuing = Errno.unsupported(Errno.Syscall.SPLICE, (int) -n);
                                return rescue();
                            default:
                                throw Errno.exception(Errno.Syscall.SPLICE, (int) -n);
                        }
                    }
                }
            }
            if (s.inPipe(0) > 0) {
                long m = sys.splice(s.pipe(0).readFd, null, dst, s.targetOffset(0), s.inPipe(0), FLAGS);
                if (m > 0) {
                    s.drained(0, m);
                    t.advance(m);
                    budget -= m;
                    moved = true;
                } else {
                    int errno = m == 0 ? Errno.EINVAL : (int) -m;
                    switch (Errno.action(Errno.Syscall.SPLICE, errno, false)) {
                        case RETRY:
                            moved = true;
                            break;
                        case WAIT:
                            targetBusy = true;
                            break;
                        case FALLBACK_TRANSFER:
                        case FALLBACK_ENGINE:
                            rescuing = Errno.unsupported(Errno.Syscall.SPLICE, errno);
                            return rescue();
                        default:
                            throw Errno.exception(Errno.Syscall.SPLICE, errno);
                    }
                }
            }
            if (s.inPipe(0) == 0 && (ended || t.remaining() == 0)) {
                s.unlease();
                return Step.COMPLETE;
            }
            if (moved) {
                s.progressed();
                if (budget > 0) {
                    continue;
                }
            }
            if (s.inPipe(0) == 0) {
                s.unlease();
                return Step.AWAIT_SOURCE;
            }
            return sourceIdle && targetBusy ? Step.AWAIT_EITHER : Step.AWAIT_TARGET;
        }
    }

    /**
     * A stream source's bytes in the pipe and the buffer go out through the target channel's own
     * {@code write} before {@link #rescuing} is returned.
     */
    private Step rescue() throws IOException {
        ByteBuffer buf = t.buffer();
        boolean fileTarget = t.targetKind() == ChannelKind.FILE;
        if (t.sourceKind() == ChannelKind.FILE) {
            return Step.fallback(rescuing); // the next strategy reads the file again; close discards the pipe
        }
        if (fileTarget) {
            t.targetFile().position(s.targetPosition(0));
        }
        try {
            while (true) {
                if (buffered == 0) {
                    if (s.inPipe(0) == 0) {
                        s.unlease();
                        return Step.fallback(rescuing);
                    }
                    buf.clear();
                    buf.limit((int) Math.min(s.inPipe(0), buf.capacity()));
                    s.drained(0, s.read(s.pipe(0).readFd, buf));
                    buf.flip();
                    buffered = buf.remaining();
                }
                int n;
                try {
                    n = t.target().write(buf);
                } finally {
                    int written = buffered - buf.remaining();
                    buffered = buf.remaining();
                    t.advance(written);
                }
                if (n == 0) {
                    return Step.AWAIT_TARGET;
                }
                s.progressed();
            }
        } finally {
            if (fileTarget) {
                s.targetPosition(0, t.targetFile().position());
            }
        }
    }

    /** @return the fallback when the pool has no pipe free; nothing is in flight */
    private Step noPipe() {
        return Step.fallback(Outcome.unsupported(Outcome.Scope.TRANSFER,
                "splice: no pooled pipe free for this step: " + pool));
    }

    /** splice returned 0 from the source: as {@link SpliceStrategy}, a file that gives nothing at once falls back. */
    private Step endOfSource() {
        if (first && t.sourceKind() == ChannelKind.FILE) {
            return Step.fallback(Outcome.unsupported(Outcome.Scope.TRANSFER, "splice: read nothing at position " + t.position()));
        }
        return Step.COMPLETE;
    }

    @Override
    public void close() throws IOException {
        if (buffered > 0 && t.sourceKind() != ChannelKind.FILE) {
            t.undelivered(buffered);
            buffered = 0;
        }
        s.close();
    }

    @Override
    public String toString() {
        return SpliceStrategy.NAME + " stepper (" + form.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}

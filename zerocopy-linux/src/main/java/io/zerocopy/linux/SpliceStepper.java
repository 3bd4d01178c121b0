package io.zerocopy.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

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
 *   <li><b>pooled</b>, a file source and a socket or file target: the pipe filled from the file,
 *       then drained. File to file never waits on a peer: a step that spent its share returns
 *       {@link Step#YIELD}, and the steps run on the driver's file threads like every step
 *       that touches a file ({@link #blocksOnFileIo()}). As in the blocking form, file to file
 *       on a network file system that copies on the server is left to {@code copyFileRange}.</li>
 * </ul>
 *
 * <p>Pipes: the relay and pooled forms hold the pool's pipe only while it holds bytes. A step
 * leases it when it is about to fill it and returns it to the pool, empty, whenever the step
 * ends with nothing in it. A pipe is kept across steps only while its bytes wait for a busy
 * target, so a pool of 64 pipes lets any number of mostly idle relays splice.
 *
 * <p>No pipe free: when every pooled pipe holds bytes and a relay round would fill one, that
 * round moves the bytes through {@link Transfer#buffer()} instead: one {@code read(2)} of the
 * source's non-blocking descriptor into the buffer, then the target channel's own non-blocking
 * {@code write} (a file target's positional write). Bytes read and not yet written are in flight
 * exactly as a pipe's are: they stay in the buffer across steps ({@link Step#AWAIT_TARGET})
 * and are reported undelivered on close. While the buffer holds bytes every round writes it
 * out and none leases a pipe; once it is empty the next round leases again, so a pipe and the
 * buffer never both hold bytes and the order of the bytes is kept. The transfer stays with
 * this strategy ({@link SpliceStrategy#NAME}), but some of its bytes were then copied through
 * user space: they are reported with {@link Transfer#advanceCopied} (the result's
 * {@code bytesCopied()}; {@link #copied()} here). Like the pipe, the buffer is held across
 * steps only while it holds bytes: a step that ends with it empty gives it back
 * ({@link Transfer#releaseBuffer()}), so a relay waiting for its source holds no buffer. The
 * pooled form (a file source) does not go through the buffer: with no pipe free it returns a
 * fallback for this transfer ({@link Outcome.Scope#TRANSFER}) with nothing in flight, and the
 * next strategy reads the file from the exact byte.
 *
 * <p>Work per step: a step stops once it has delivered {@link #STEP_BYTES} (one splice call
 * may pass it by at most a pipe-full, one write a buffer-full, or
 * {@link SpliceStrategy#DIRECT_CHUNK} in the direct form) and returns the interest it would
 * wait on; readiness being level-triggered, a transfer with more to move is stepped again after
 * the others sharing the thread. A step allocates nothing, but for a round through the buffer,
 * which takes one from the engine's pool (a new one when the pool is empty).
 *
 * <p>Interest: {@link Step#AWAIT_SOURCE} when nothing is in flight and the source has nothing;
 * {@link Step#AWAIT_TARGET} when bytes in the buffer wait for the target, or bytes in the pipe
 * do and the source cannot add any (the pipe is full, it holds every byte asked for, the source
 * ended or is a file); {@link Step#AWAIT_EITHER} when the pipe holds bytes the target does not
 * take and the source, with room left, has nothing. In the direct form, splice's EAGAIN does not
 * say which end is not ready: a non-waiting poll(2) of the source decides.
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
    /** {@link #copied} summed over every stepper in this process. */
    private static final LongAdder COPIED = new LongAdder();

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
    /**
     * Bytes in {@link Transfer#buffer()}, from its position to its limit, read and not yet
     * written: from the source when no pipe was free (then no pipe is held), or out of the pipe
     * (rescue).
     */
    private int buffered;
    /** Bytes this stepper delivered through the buffer because no pipe was free. */
    private long copied;
    /** {@link Transfer#buffer()} was taken and not released since. */
    private boolean holdsBuffer;

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
        return SessionOpener.open(sys, t, s -> {
            Outcome refused = form == Form.DIRECT ? s.open(pool, 0) : s.openLeasing(pool);
            if (refused == null && t.sourceKind() == ChannelKind.FILE && t.targetKind() == ChannelKind.FILE) {
                refused = SpliceStrategy.leftToServerCopy(s);
            }
            return new SpliceStepper(sys, t, s, pool, form, refused);
        });
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
        Step next;
        if (rescuing != null) {
            next = rescue();
        } else if (form == Form.DIRECT) {
            next = direct();
        } else if (form == Form.POOLED) {
            next = pooled();
        } else {
            next = relay();
        }
        if (buffered == 0 && holdsBuffer) {
            t.releaseBuffer(); // held across steps only while it holds bytes, as the pipe is
            holdsBuffer = false;
        }
        return next;
    }

    /** @return {@link Transfer#buffer()}, noted as held */
    private ByteBuffer buffer() {
        holdsBuffer = true;
        return t.buffer();
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
                    return t.targetKind() == ChannelKind.FILE ? Step.YIELD : Step.AWAIT_TARGET;
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

    /**
     * Stream source through the pipe: each round reads into the pipe's room and writes out what
     * it holds. A round that would fill the pipe and finds none free goes through the buffer
     * instead ({@link #throughBuffer}); so does every round while the buffer holds bytes, so that
     * the buffer is empty whenever the pipe is leased again and the bytes keep their order.
     */
    private Step relay() throws IOException {
        int src = s.sourceFd();
        int dst = s.targetFd(0);
        long budget = STEP_BYTES;
        while (true) {
            if (buffered > 0 || !s.leased() && !ended && t.remaining() > 0 && !s.lease()) {
                long before = t.delivered();
                Step waiting = throughBuffer();
                budget -= t.delivered() - before;
                if (waiting != null) {
                    return waiting;
                }
                if (budget <= 0) {
                    return Step.AWAIT_SOURCE; // the buffer is empty, no pipe is held
                }
                continue;
            }
            boolean moved = false;
            boolean sourceIdle = false;
            boolean targetBusy = false;
            if (!ended && t.remaining() - s.inPipe(0) > 0) {
                assert s.leased() : "leased above";
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
     * One relay round with no pipe held: an empty buffer is filled with one {@code read(2)} of
     * the source, up to its capacity, then the buffer is written to the target channel once.
     * Bytes read and not yet written stay in the buffer ({@link #buffered}), in flight as a
     * pipe's would be.
     *
     * @return null when the relay goes on (the buffer is empty again, or the target took part of
     *     it and is asked again); else the step to return: {@link Step#COMPLETE} at the source's
     *     end, {@link Step#AWAIT_SOURCE} with the buffer empty, {@link Step#AWAIT_TARGET} with
     *     bytes in it
     */
    private Step throughBuffer() throws IOException {
        assert !s.leased() : "a pipe and the buffer never both hold bytes";
        ByteBuffer buf = buffer();
        if (buffered == 0) {
            assert !ended && t.remaining() > 0 : "a round reads only while bytes are wanted";
            buf.clear();
            long r = sys.read(s.sourceFd(), ChannelDescriptors.address(buf), Math.min(buf.capacity(), t.remaining()));
            if (r == 0) {
                ended = true;
                return Step.COMPLETE;
            }
            if (r < 0) {
                switch (Errno.action(Errno.Syscall.READ, (int) -r, false)) {
                    case RETRY:
                        return null;
                    case WAIT:
                        return Step.AWAIT_SOURCE;
                    default:
                        throw Errno.exception(Errno.Syscall.READ, (int) -r);
                }
            }
            buf.limit((int) r);
            buffered = (int) r;
            s.progressed();
        }
        int n = write(buf, true);
        copied += n;
        COPIED.add(n);
        if (n == 0) {
            return Step.AWAIT_TARGET;
        }
        s.progressed();
        return null;
    }

    /**
     * Writes the buffer's {@link #buffered} bytes to the target channel with one call (a file
     * target at the session's position for it), and advances the transfer by the bytes it took,
     * also when it throws.
     *
     * @param noPipe the bytes went through the buffer because no pipe was free: reported with
     *     {@link Transfer#advanceCopied}; else (a rescue) with {@link Transfer#advance}
     * @return bytes written; 0 when the target takes nothing now
     */
    private int write(ByteBuffer buf, boolean noPipe) throws IOException {
        assert buf.remaining() == buffered;
        boolean file = t.targetKind() == ChannelKind.FILE;
        long at = file ? s.targetPosition(0) : -1;
        int before = buf.position();
        int n;
        try {
            if (file) {
                t.targetFile().write(buf, at);
            } else {
                t.target().write(buf);
            }
        } finally {
            n = buf.position() - before;
            buffered -= n;
            if (file) {
                s.targetPosition(0, at + n);
            }
            if (noPipe) {
                t.advanceCopied(n);
            } else {
                t.advance(n);
            }
        }
        return n;
    }

    /**
     * A stream source's bytes in the pipe and the buffer go out through the target channel's own
     * {@code write} before {@link #rescuing} is returned.
     */
    private Step rescue() throws IOException {
        if (t.sourceKind() == ChannelKind.FILE) {
            return Step.fallback(rescuing); // the next strategy reads the file again; close discards the pipe
        }
        ByteBuffer buf = buffer();
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
            if (write(buf, false) == 0) {
                return Step.AWAIT_TARGET;
            }
            s.progressed();
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

    /** @return bytes this stepper's relay delivered through {@link Transfer#buffer()} because no pipe was free */
    long copied() {
        return copied;
    }

    /** @return {@link #copied()} summed over every splice stepper in this process, closed or not */
    static long copiedInProcess() {
        return COPIED.sum();
    }

    /** @return bytes in {@link Transfer#buffer()} read from the source, or out of the pipe, and not yet written */
    int buffered() {
        return buffered;
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

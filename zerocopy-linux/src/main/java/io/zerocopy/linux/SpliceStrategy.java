package io.zerocopy.linux;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;
import jnr.ffi.Pointer;

/**
 * {@code splice}: moves bytes with splice(2) between files, sockets and pipes, never through
 * user space.
 *
 * <p>When neither end is a pipe, bytes go source → pooled pipe → target, one pipe-full at a
 * time: the pipe is filled once, then drained completely before the next fill, so at most one
 * pipe-full is in flight. When either end is a pipe, one splice call moves bytes directly and
 * nothing is in flight.
 *
 * <p>Positions: a file source is read at {@link Transfer#position()} (its channel position is
 * untouched); a file target is written at its channel position, which is left advanced by the
 * bytes delivered, also when the transfer fails or falls back.
 *
 * <p>Fallbacks ({@link Outcome#unsupported}): a channel whose descriptor cannot be read, a file
 * target opened with {@code APPEND}, every leased pipe in use, and the errno values that
 * {@link Errors} maps to "this path cannot serve". Bytes already in the pooled pipe when the
 * target refuses are delivered first through the channel's own {@code write}.
 *
 * <p>Failure: a real error throws ({@link NativeIOException}, or the NIO exceptions for
 * interrupt and asynchronous close). A pipe still holding bytes is then closed, never pooled,
 * and for a stream source those bytes are reported with {@link Transfer#undelivered(long)}.
 *
 * <p>Thread-safe; the per-chunk path allocates nothing.
 */
final class SpliceStrategy implements TransferStrategy {

    static final String NAME = "splice";
    /** Bytes a direct (pipe-end) splice call may move. */
    static final long DIRECT_CHUNK = 1L << 20;
    private static final int FLAGS = Native.SPLICE_F_MOVE | Native.SPLICE_F_NONBLOCK;

    private final PipePool pool;
    /** Test hook: when non-zero, the first drain of each transfer fails with this errno. */
    private final int drainFault;

    SpliceStrategy(PipePool pool) {
        this(pool, 0);
    }

    SpliceStrategy(PipePool pool, int drainFault) {
        this.pool = pool;
        this.drainFault = drainFault;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return source != ChannelKind.CHANNEL && source != ChannelKind.MEMORY && target != ChannelKind.CHANNEL;
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        Outcome unavailable = Endpoints.unavailable();
        if (unavailable != null) {
            return unavailable;
        }
        if (!ChannelDescriptors.readable(t.source().getClass())) {
            return Endpoints.noDescriptor(t.source());
        }
        if (!ChannelDescriptors.readable(t.target().getClass())) {
            return Endpoints.noDescriptor(t.target());
        }
        return new Run(t).execute();
    }

    @Override
    public String toString() {
        return NAME + "(" + pool + ")";
    }

    /** One transfer's state: descriptors, the leased pipe, bytes in flight. */
    private final class Run {

        private final Transfer t;
        private final boolean fileSource;
        private final boolean fileTarget;
        private int src = -1;
        private int dst = -1;
        private PooledPipe pipe;
        private Pointer scratch;
        private long inPipe;
        private boolean faultPending = drainFault != 0;

        Run(Transfer t) {
            this.t = t;
            this.fileSource = t.sourceKind() == ChannelKind.FILE;
            this.fileTarget = t.targetKind() == ChannelKind.FILE;
        }

        Outcome execute() throws IOException {
            Throwable failure = null;
            boolean wrote = false;
            try {
                src = Endpoints.open(t.source());
                dst = Endpoints.open(t.target());
                if (src < 0 || dst < 0) {
                    return Outcome.unsupported(Outcome.Scope.TRANSFER, "no descriptor for "
                            + (src < 0 ? t.source() : t.target()).getClass().getName());
                }
                if (fileTarget && Endpoints.isAppend(dst)) {
                    return Outcome.unsupported(Outcome.Scope.TRANSFER, "target file opened with APPEND");
                }
                boolean direct = t.sourceKind() == ChannelKind.PIPE || t.targetKind() == ChannelKind.PIPE;
                if (direct) {
                    scratch = Native.runtime().getMemoryManager().allocateDirect(PooledPipe.SCRATCH_SIZE);
                } else {
                    pipe = pool.acquire();
                    if (pipe == null) {
                        return Outcome.unsupported(Outcome.Scope.TRANSFER, "pipe pool exhausted or closed: " + pool);
                    }
                    scratch = pipe.scratch;
                }
                if (fileSource) {
                    scratch.putLong(PooledPipe.SOURCE_OFFSET, t.position());
                }
                if (fileTarget) {
                    long at = Endpoints.targetPosition(t.targetFile());
                    if (at < 0) {
                        return Outcome.unsupported(Outcome.Scope.TRANSFER, "target file has no position (not seekable)");
                    }
                    scratch.putLong(PooledPipe.TARGET_OFFSET, at);
                }
                wrote = fileTarget;
                return direct ? direct() : pooled();
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
                throw e;
            } finally {
                finish(wrote, failure);
            }
        }

        /** One end is a pipe: splice straight from source to target. */
        private Outcome direct() throws IOException {
            Native.LibC c = Native.libc();
            Pointer srcOff = fileSource ? scratch.slice(PooledPipe.SOURCE_OFFSET) : null;
            Pointer dstOff = fileTarget ? scratch.slice(PooledPipe.TARGET_OFFSET) : null;
            Pointer pollfd = scratch.slice(PooledPipe.POLLFD);
            boolean first = true;
            int spins = 0;
            while (t.remaining() > 0) {
                Endpoints.checkLive(t);
                long n = c.splice(src, srcOff, dst, dstOff, Math.min(t.remaining(), DIRECT_CHUNK), FLAGS);
                if (n > 0) {
                    t.advance(n);
                    first = false;
                    spins = 0;
                    continue;
                }
                if (n == 0) {
                    return endOfSource(first);
                }
                int errno = Native.errno();
                switch (Errors.classify(Errors.SPLICE, errno, first)) {
                    case RETRY:
                        break;
                    case WAIT:
                        if (!fileSource) {
                            Endpoints.await(pollfd, src, Native.POLLIN, spins, t);
                        }
                        if (!fileTarget) {
                            Endpoints.await(pollfd, dst, Native.POLLOUT, spins, t);
                        }
                        spins++;
                        break;
                    case FALLBACK:
                        return Errors.unsupported(Errors.SPLICE, errno);
                    default:
                        throw Errors.exception(Errors.SPLICE, errno);
                }
            }
            return Outcome.COMPLETE;
        }

        /** Neither end is a pipe: source → pooled pipe → target. */
        private Outcome pooled() throws IOException {
            Native.LibC c = Native.libc();
            Pointer srcOff = fileSource ? scratch.slice(PooledPipe.SOURCE_OFFSET) : null;
            Pointer dstOff = fileTarget ? scratch.slice(PooledPipe.TARGET_OFFSET) : null;
            Pointer pollfd = scratch.slice(PooledPipe.POLLFD);
            int pr = pipe.readFd;
            int pw = pipe.writeFd;
            long chunk = pipe.size;
            boolean first = true;
            int spins = 0;
            while (t.remaining() > 0) {
                Endpoints.checkLive(t);
                long n = c.splice(src, srcOff, pw, null, Math.min(t.remaining(), chunk), FLAGS);
                if (n == 0) {
                    return endOfSource(first);
                }
                if (n < 0) {
                    int errno = Native.errno();
                    switch (Errors.classify(Errors.SPLICE, errno, first)) {
                        case RETRY:
                            continue;
                        case WAIT:
                            Endpoints.await(pollfd, src, Native.POLLIN, spins++, t);
                            continue;
                        case FALLBACK:
                            return Errors.unsupported(Errors.SPLICE, errno); // the pipe is empty
                        default:
                            throw Errors.exception(Errors.SPLICE, errno);
                    }
                }
                inPipe = n;
                spins = 0;
                while (inPipe > 0) {
                    long m = drain(c, pr, dstOff);
                    if (m > 0) {
                        inPipe -= m;
                        t.advance(m);
                        first = false;
                        spins = 0;
                        continue;
                    }
                    int errno = m == 0 ? Native.EINVAL : faultPending ? drainFault : Native.errno();
                    faultPending = false;
                    switch (Errors.classify(Errors.SPLICE, errno, first)) {
                        case RETRY:
                            break;
                        case WAIT:
                            Endpoints.checkLive(t);
                            Endpoints.await(pollfd, dst, Native.POLLOUT, spins++, t);
                            break;
                        case FALLBACK:
                            rescue();
                            return Errors.unsupported(Errors.SPLICE, errno);
                        default:
                            throw Errors.exception(Errors.SPLICE, errno);
                    }
                }
            }
            return Outcome.COMPLETE;
        }

        /**
         * splice returned 0 from the source: end of stream, or a file shorter than asked. A file
         * that gives nothing at once may be one that reports no data to splice (procfs): the next
         * strategy reads it and tells the cases apart.
         */
        private Outcome endOfSource(boolean first) {
            if (first && fileSource) {
                return Outcome.unsupported(Outcome.Scope.TRANSFER, "splice: read nothing at position " + t.position());
            }
            return Outcome.COMPLETE;
        }

        private long drain(Native.LibC c, int pr, Pointer dstOff) {
            if (faultPending) {
                return -1;
            }
            return c.splice(pr, null, dst, dstOff, inPipe, FLAGS);
        }

        /**
         * The target refused splice with bytes in the pipe: a file source is simply re-read by
         * the next strategy (the pipe is discarded); a stream source's bytes are read out of the
         * pipe and written with the target channel's own {@code write}.
         */
        private void rescue() throws IOException {
            if (fileSource) {
                return;
            }
            if (fileTarget) {
                t.targetFile().position(scratch.getLong(PooledPipe.TARGET_OFFSET));
            }
            ByteBuffer buf = t.buffer();
            Pointer address = Pointer.wrap(Native.runtime(), buf);
            Native.LibC c = Native.libc();
            while (inPipe > 0) {
                buf.clear();
                long n = c.read(pipe.readFd, address, Math.min(inPipe, buf.capacity()));
                if (n <= 0) {
                    int errno = n == 0 ? Native.EIO : Native.errno();
                    if (Errors.classify("read", errno, false) == Errors.Action.RETRY) {
                        continue;
                    }
                    throw Errors.exception("read", errno);
                }
                buf.limit((int) n);
                inPipe -= n;
                try {
                    t.writeFully(buf);
                } catch (IOException e) {
                    inPipe += buf.remaining();
                    throw e;
                }
            }
            if (fileTarget) {
                scratch.putLong(PooledPipe.TARGET_OFFSET, t.targetFile().position());
            }
        }

        private void finish(boolean wrote, Throwable failure) throws IOException {
            try {
                if (wrote) {
                    Endpoints.restorePosition(t.target(), scratch.getLong(PooledPipe.TARGET_OFFSET), failure);
                }
            } finally {
                if (pipe != null) {
                    if (inPipe == 0) {
                        pool.release(pipe);
                    } else {
                        pool.discard(pipe);
                        if (!fileSource) {
                            t.undelivered(inPipe);
                        }
                    }
                }
                try {
                    Endpoints.release(t.source(), src, failure);
                } finally {
                    Endpoints.release(t.target(), dst, failure);
                }
            }
        }
    }
}

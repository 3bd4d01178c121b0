package io.zerocopy.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.LongConsumer;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * {@code splice}: moves bytes with splice(2) between files, sockets and pipes, never through
 * user space.
 *
 * <p>When neither end is a pipe, bytes go source → pooled pipe → target, at most one pipe-full
 * in flight: from a file, the pipe is filled, then drained completely before the next fill;
 * from a socket, filling and draining overlap (the source is read into whatever room the pipe
 * has while the target is busy, and the pipe drained while the source has nothing), waiting
 * only when neither can move, for whichever is ready first. When either end is a pipe, one splice call moves bytes directly and
 * nothing is in flight.
 *
 * <p>Positions: a file source is read at {@link Transfer#position()} (its channel position is
 * untouched); a file target is written at its channel position, which is left advanced by the
 * bytes delivered, also when the transfer fails or falls back.
 *
 * <p>Fallbacks ({@link Outcome#unsupported}): a channel whose descriptor cannot be read, a file
 * target opened with {@code APPEND}, file to file on a network file system whose server
 * {@code copy_file_range} makes copy ({@link FileSystemType#copiesOnServer}), every leased
 * pipe in use, and the errno values that
 * {@link Errno} maps to a fallback. Bytes already in the pooled pipe when the
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
    private final Syscalls sys;

    /**
     * @param pool the pipes to splice through when neither end is a pipe
     * @param sys the binding
     */
    SpliceStrategy(PipePool pool, Syscalls sys) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.sys = Objects.requireNonNull(sys, "sys");
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
        boolean direct = t.sourceKind() == ChannelKind.PIPE || t.targetKind() == ChannelKind.PIPE;
        try (NativeSession s = NativeSession.of(sys, t)) {
            Outcome refused = s.open(pool, direct ? 0 : 1);
            if (refused == null && t.sourceKind() == ChannelKind.FILE && t.targetKind() == ChannelKind.FILE) {
                refused = leftToServerCopy(s);
            }
            if (refused != null) {
                return refused;
            }
            if (direct) {
                return direct(t, s);
            }
            return t.sourceKind() == ChannelKind.FILE ? pooled(t, s) : relay(t, s);
        }
    }

    /** {@inheritDoc} A {@link SpliceStepper}, which holds the pooled pipe only while it carries bytes. */
    @Override
    public Stepper stepper(Transfer t) throws IOException {
        return SpliceStepper.open(sys, pool, t);
    }

    /**
     * @return why a file-to-file transfer is left to {@code copy_file_range}: both files on one
     *     network file system, whose server copies without moving the bytes through this host;
     *     null to splice
     */
    static Outcome leftToServerCopy(NativeSession s) {
        if (!Native.hasCopyFileRange()) {
            return null;
        }
        long type = s.fileSystemType(s.targetFd(0));
        if (!FileSystemType.copiesOnServer(type) || s.fileSystemType(s.sourceFd()) != type) {
            return null;
        }
        return Outcome.unsupported(Outcome.Scope.TRANSFER, "splice: file to file on " + FileSystemType.name(type)
                + ", which copies on the server through copy_file_range");
    }

    /** One end is a pipe: splice straight from source to target; nothing is ever in flight. */
    private Outcome direct(Transfer t, NativeSession s) throws IOException {
        int src = s.sourceFd();
        int dst = s.targetFd(0);
        boolean first = true;
        while (t.remaining() > 0) {
            s.checkLive();
            long n = sys.splice(src, s.sourceOffset(), dst, s.targetOffset(0), Math.min(t.remaining(), DIRECT_CHUNK), FLAGS);
            if (n > 0) {
                t.advance(n);
                first = false;
                s.progressed();
                continue;
            }
            if (n == 0) {
                return endOfSource(t, first);
            }
            switch (Errno.action(Errno.Syscall.SPLICE, (int) -n, first)) {
                case RETRY:
                    break;
                case WAIT:
                    if (t.sourceKind() != ChannelKind.FILE) {
                        s.await(src, Native.POLLIN);
                    }
                    if (t.targetKind() != ChannelKind.FILE) {
                        s.await(dst, Native.POLLOUT);
                    }
                    break;
                case FALLBACK_TRANSFER:
                case FALLBACK_ENGINE:
                    return Errno.unsupported(Errno.Syscall.SPLICE, (int) -n);
                default:
                    throw Errno.exception(Errno.Syscall.SPLICE, (int) -n);
            }
        }
        return Outcome.COMPLETE;
    }

    /** Neither end is a pipe: source → pooled pipe → target, one pipe-full at a time. */
    private Outcome pooled(Transfer t, NativeSession s) throws IOException {
        PooledPipe pipe = s.pipe(0);
        int src = s.sourceFd();
        LongConsumer delivered = t::advance;
        boolean first = true;
        while (t.remaining() > 0) {
            s.checkLive();
            long n = sys.splice(src, s.sourceOffset(), pipe.writeFd, null, Math.min(t.remaining(), pipe.size), FLAGS);
            if (n == 0) {
                return endOfSource(t, first);
            }
            if (n < 0) {
                switch (Errno.action(Errno.Syscall.SPLICE, (int) -n, first)) {
                    case RETRY:
                        continue;
                    case WAIT:
                        s.await(src, Native.POLLIN);
                        continue;
                    case FALLBACK_TRANSFER:
                    case FALLBACK_ENGINE:
                        return Errno.unsupported(Errno.Syscall.SPLICE, (int) -n); // the pipe is empty
                    default:
                        throw Errno.exception(Errno.Syscall.SPLICE, (int) -n);
                }
            }
            s.filled(0, n);
            s.progressed();
            Outcome refused = s.drain(delivered);
            if (refused != null) {
                rescue(t, s);
                return refused;
            }
            first = false;
        }
        return Outcome.COMPLETE;
    }

    /**
     * A stream source (a socket) through the pooled pipe: each round reads into the pipe's free
     * room and writes out what it holds, and waits only when neither moved, on the source
     * (pipe not full) and the target (pipe not empty) at once, so a busy target does not stop
     * the reading, nor an idle source the writing.
     */
    private Outcome relay(Transfer t, NativeSession s) throws IOException {
        PooledPipe pipe = s.pipe(0);
        int src = s.sourceFd();
        int dst = s.targetFd(0);
        boolean ended = false;
        while (true) {
            s.checkLive();
            boolean moved = false;
            boolean sourceIdle = false;
            boolean targetBusy = false;
            long wanted = Math.min(t.remaining() - s.inPipe(0), pipe.size - s.inPipe(0));
            if (!ended && wanted > 0) {
                long n = sys.splice(src, null, pipe.writeFd, null, wanted, FLAGS);
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
                            rescue(t, s); // what the pipe holds reaches the target first
                            return Errno.unsupported(Errno.Syscall.SPLICE, (int) -n);
                        default:
                            throw Errno.exception(Errno.Syscall.SPLICE, (int) -n);
                    }
                }
            }
            if (s.inPipe(0) > 0) {
                long m = sys.splice(pipe.readFd, null, dst, s.targetOffset(0), s.inPipe(0), FLAGS);
                if (m > 0) {
                    s.drained(0, m);
                    t.advance(m);
                    moved = true;
                } else {
                    int errno = m == 0 ? Errno.EINVAL : (int) -m; // a target that takes nothing from a full pipe
                    switch (Errno.action(Errno.Syscall.SPLICE, errno, false)) {
                        case RETRY:
                            moved = true;
                            break;
                        case WAIT:
                            targetBusy = true;
                            break;
                        case FALLBACK_TRANSFER:
                        case FALLBACK_ENGINE:
                            rescue(t, s);
                            return Errno.unsupported(Errno.Syscall.SPLICE, errno);
                        default:
                            throw Errno.exception(Errno.Syscall.SPLICE, errno);
                    }
                }
            }
            if (s.inPipe(0) == 0 && (ended || t.remaining() == 0)) {
                return Outcome.COMPLETE;
            }
            if (moved) {
                s.progressed();
                continue;
            }
            int waitingOn = 0;
            if (sourceIdle) {
                waitingOn = s.entry(waitingOn, src, Native.POLLIN);
            }
            if (targetBusy) {
                waitingOn = s.entry(waitingOn, dst, Native.POLLOUT);
            }
            s.await(waitingOn, Long.MAX_VALUE);
        }
    }

    /**
     * splice returned 0 from the source: end of stream, or a file shorter than asked. A file
     * that gives nothing at once may be one that reports no data to splice (procfs): the next
     * strategy reads it and tells the cases apart.
     */
    private static Outcome endOfSource(Transfer t, boolean first) {
        if (first && t.sourceKind() == ChannelKind.FILE) {
            return Outcome.unsupported(Outcome.Scope.TRANSFER, "splice: read nothing at position " + t.position());
        }
        return Outcome.COMPLETE;
    }

    /**
     * The target refused splice with bytes in the pipe: a file source is simply re-read by the
     * next strategy (the session discards the pipe); a stream source's bytes are read out of the
     * pipe and written with the target channel's own {@code write}.
     */
    private static void rescue(Transfer t, NativeSession s) throws IOException {
        if (t.sourceKind() == ChannelKind.FILE) {
            return;
        }
        boolean fileTarget = t.targetKind() == ChannelKind.FILE;
        if (fileTarget) {
            t.targetFile().position(s.targetPosition(0));
        }
        ByteBuffer buf = t.buffer();
        while (s.inPipe(0) > 0) {
            buf.clear();
            buf.limit((int) Math.min(s.inPipe(0), buf.capacity()));
            s.drained(0, s.read(s.pipe(0).readFd, buf));
            buf.flip();
            try {
                t.writeFully(buf);
            } catch (IOException e) {
                s.filled(0, buf.remaining());
                throw e;
            }
        }
        if (fileTarget) {
            s.targetPosition(0, t.targetFile().position());
        }
    }

    @Override
    public String toString() {
        return NAME + "(" + pool + ")";
    }
}

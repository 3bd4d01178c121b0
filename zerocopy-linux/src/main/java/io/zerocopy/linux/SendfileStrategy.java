package io.zerocopy.linux;

import java.io.IOException;
import java.util.Objects;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * {@code sendfile}: file to socket with sendfile(2), the path web servers use: the socket takes
 * references to the file's cached pages, one call per socket buffer of room, no pipe and no
 * mapping.
 *
 * <p>Unlike the JDK's {@code FileChannel.transferTo} (also sendfile underneath), the socket is
 * driven non-blocking through the library's own wait (see {@link NativeSession}), so that an
 * idle timeout, a close or an interrupt from another thread ends the transfer on every JDK, a
 * virtual thread's carrier is never held, and the count is exact: every byte counted was
 * accepted by the socket.
 *
 * <p>Positions: the source is read at {@link Transfer#position()}; its channel position is
 * untouched. Fallbacks ({@link Outcome#unsupported}, this transfer only): a channel without a
 * descriptor, a file that gives nothing at once (procfs), and the errno values {@link Errno}
 * maps to a fallback (EINVAL for files sendfile cannot read). Nothing is ever in flight, so a
 * fallback loses no byte. A file shorter than promised ends the strategy at its end; the
 * engine reports the shortfall. Thread-safe; the per-chunk path allocates nothing.
 */
final class SendfileStrategy implements TransferStrategy {

    static final String NAME = "sendfile";
    /**
     * Bytes asked of one call: the kernel's own cap (0x7ffff000) would do, but a bound keeps
     * progress reports and liveness checks regular on sockets with very large buffers.
     */
    static final long MAX_CHUNK = 64L << 20;

    private final Syscalls sys;

    /** @param sys the binding */
    SendfileStrategy(Syscalls sys) {
        this.sys = Objects.requireNonNull(sys, "sys");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return source == ChannelKind.FILE && target == ChannelKind.SOCKET;
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        try (NativeSession s = NativeSession.of(sys, t)) {
            Outcome refused = s.open(null, 0);
            return refused != null ? refused : send(t, s);
        }
    }

    /** {@inheritDoc} A {@link SendfileStepper}. */
    @Override
    public Stepper stepper(Transfer t) throws IOException {
        return SendfileStepper.open(sys, t);
    }

    private Outcome send(Transfer t, NativeSession s) throws IOException {
        int src = s.sourceFd();
        int dst = s.targetFd(0);
        boolean first = true;
        while (t.remaining() > 0) {
            s.checkLive();
            long ask = Math.min(t.remaining(), MAX_CHUNK);
            long n = sys.sendfile(dst, src, s.sourceOffset(), ask);
            if (n > 0) {
                t.advance(n);
                first = false;
                s.progressed();
                if (n < ask && t.remaining() > 0) {
                    // A short count: the socket buffer is full. Wait for room now rather than
                    // make a call that can only say EAGAIN.
                    s.await(dst, Native.POLLOUT);
                }
                continue;
            }
            if (n == 0) {
                if (first) {
                    // Nothing at once: an empty remainder, or a file that reports no data to
                    // send (procfs); the next strategy reads it and tells them apart.
                    return Outcome.unsupported(Outcome.Scope.TRANSFER, "sendfile: read nothing at position " + t.position());
                }
                return Outcome.COMPLETE; // the source ends here
            }
            switch (Errno.action(Errno.Syscall.SENDFILE, (int) -n, first)) {
                case RETRY:
                    break;
                case WAIT:
                    s.await(dst, Native.POLLOUT);
                    break;
                case FALLBACK_TRANSFER:
                case FALLBACK_ENGINE:
                    return Errno.unsupported(Errno.Syscall.SENDFILE, (int) -n);
                default:
                    throw Errno.exception(Errno.Syscall.SENDFILE, (int) -n);
            }
        }
        return Outcome.COMPLETE;
    }

    @Override
    public String toString() {
        return NAME;
    }
}

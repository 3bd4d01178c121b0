package io.zerocopy.linux;

import java.io.IOException;

import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;

/**
 * {@link SendfileStrategy}'s non-blocking form for one transfer: sendfile(2) from the file at
 * {@link Transfer#position()} into the session's duplicated, {@code O_NONBLOCK} socket
 * descriptor, held from {@link SendfileStrategy#stepper} to {@link #close()}.
 *
 * <p>A step calls sendfile until the socket takes less than asked or says EAGAIN
 * ({@link Step#AWAIT_TARGET}), the transfer is complete, or {@link SpliceStepper#STEP_BYTES}
 * were delivered ({@link Step#AWAIT_TARGET} as well: a socket with room is ready at once, after
 * the other transfers sharing the thread had their turn). Reading the file may block on the
 * disk ({@link #blocksOnFileIo()}). Nothing is ever in flight: a fallback loses no byte, and
 * {@link #close()} has nothing to report. Fallbacks as {@link SendfileStrategy}'s. Used by one
 * thread at a time.
 */
final class SendfileStepper implements Stepper {

    private final Syscalls sys;
    private final Transfer t;
    private final NativeSession s;
    /** Why the session could not open: the first step returns it. */
    private final Outcome refused;
    /** No byte delivered by this stepper yet. */
    private boolean first = true;

    private SendfileStepper(Syscalls sys, Transfer t, NativeSession s, Outcome refused) {
        this.sys = sys;
        this.t = t;
        this.s = s;
        this.refused = refused;
    }

    /**
     * @param sys the binding
     * @param t a file to socket transfer
     * @return the stepper, its descriptors taken; if the session refused, its first step returns that fallback
     * @throws IOException if a channel is closed or a descriptor cannot be prepared
     */
    static SendfileStepper open(Syscalls sys, Transfer t) throws IOException {
        return SessionOpener.open(sys, t, s -> new SendfileStepper(sys, t, s, s.open(null, 0)));
    }

    @Override
    public boolean blocksOnFileIo() {
        return true;
    }

    @Override
    public Step step() throws IOException {
        if (refused != null) {
            return Step.fallback(refused);
        }
        s.checkLive();
        int src = s.sourceFd();
        int dst = s.targetFd(0);
        long budget = SpliceStepper.STEP_BYTES;
        while (t.remaining() > 0) {
            if (budget <= 0) {
                return Step.AWAIT_TARGET;
            }
            long ask = Math.min(t.remaining(), budget);
            long n = sys.sendfile(dst, src, s.sourceOffset(), ask);
            if (n > 0) {
                t.advance(n);
                budget -= n;
                first = false;
                s.progressed();
                if (n < ask && t.remaining() > 0) {
                    return Step.AWAIT_TARGET; // the socket buffer is full, or the file ends here (the next step says 0)
                }
                continue;
            }
            if (n == 0) {
                return first ? Step.fallback(Outcome.unsupported(Outcome.Scope.TRANSFER,
                        "sendfile: read nothing at position " + t.position())) : Step.COMPLETE;
            }
            switch (Errno.action(Errno.Syscall.SENDFILE, (int) -n, first)) {
                case RETRY:
                    break;
                case WAIT:
                    return Step.AWAIT_TARGET;
                case FALLBACK_TRANSFER:
                case FALLBACK_ENGINE:
                    return Step.fallback(Errno.unsupported(Errno.Syscall.SENDFILE, (int) -n));
                default:
                    throw Errno.exception(Errno.Syscall.SENDFILE, (int) -n);
            }
        }
        return Step.COMPLETE;
    }

    @Override
    public void close() throws IOException {
        s.close();
    }

    @Override
    public String toString() {
        return SendfileStrategy.NAME + " stepper";
    }
}

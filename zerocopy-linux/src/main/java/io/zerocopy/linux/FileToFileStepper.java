package io.zerocopy.linux;

import java.io.IOException;

import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * The non-blocking form of a file-to-file strategy: a copy between two files never waits on a
 * peer, so each step makes one bounded call ({@link FileToFileStrategy#STEP_BYTES} for
 * {@code copyFileRange}; the whole range for {@code reflink}, one ioctl) and returns
 * {@link Step#YIELD} while bytes remain: the asynchronous driver runs the steps on its file
 * threads ({@link #blocksOnFileIo()}), other transfers get their turn between chunks, and a
 * cancellation is seen before the next one. Nothing is ever in flight, so a fallback loses no
 * byte. The session's descriptors, if any, are held from {@link #open} to {@link #close()},
 * which sets the target channel's position after the bytes delivered. Used by one thread at a
 * time.
 */
final class FileToFileStepper implements Stepper {

    /** One bounded call of a strategy. */
    @FunctionalInterface
    interface Call {
        /**
         * @param s the stepper's session, opened; null for a stepper made by {@link #whole}
         * @param first no byte delivered by this stepper yet
         * @return null to go on; else {@link Outcome#COMPLETE} (the source ends) or the fallback
         * @throws IOException on a real error
         */
        Outcome call(NativeSession s, boolean first) throws IOException;
    }

    private final Transfer t;
    private final NativeSession s;
    private final Call call;
    /** Why the stepper cannot serve: the first step returns it. */
    private final Outcome refused;
    private boolean first = true;

    private FileToFileStepper(Transfer t, NativeSession s, Call call, Outcome refused) {
        this.t = t;
        this.s = s;
        this.call = call;
        this.refused = refused;
    }

    /**
     * @param sys the binding
     * @param t a file-to-file transfer
     * @param call one bounded call on the session's descriptors and positions
     * @return the stepper, its descriptors taken; if the session refused, its first step returns that fallback
     * @throws IOException if a channel is closed or a descriptor cannot be prepared
     */
    static FileToFileStepper open(Syscalls sys, Transfer t, Call call) throws IOException {
        return SessionOpener.open(sys, t, s -> new FileToFileStepper(t, s, call, s.open(null, 0)));
    }

    /** @return a stepper whose first step returns {@code fallback}; it holds nothing */
    static FileToFileStepper refusing(Outcome fallback) {
        return new FileToFileStepper(null, null, null, fallback);
    }

    /**
     * @param strategy a strategy whose {@link TransferStrategy#transfer} never waits and is one
     *     bounded call (reflink's one ioctl)
     * @param t the transfer
     * @return a stepper whose one step is that call
     */
    static FileToFileStepper whole(TransferStrategy strategy, Transfer t) {
        return new FileToFileStepper(t, null, (s, first) -> strategy.transfer(t), null);
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
        if (s != null) {
            s.checkLive();
        }
        long before = t.delivered();
        Outcome end = call.call(s, first);
        if (t.delivered() > before) {
            first = false;
        }
        if (end != null) {
            return end.isComplete() ? Step.COMPLETE : Step.fallback(end);
        }
        return t.remaining() == 0 ? Step.COMPLETE : Step.YIELD;
    }

    @Override
    public void close() throws IOException {
        if (s != null) {
            s.close();
        }
    }
}

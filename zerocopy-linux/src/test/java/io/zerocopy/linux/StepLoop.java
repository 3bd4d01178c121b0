package io.zerocopy.linux;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;

/**
 * Steps transfers on the calling thread as the asynchronous driver does: each waiting step's
 * interest is registered with one {@link Selector} on the transfer's channels, and the
 * transfer is stepped again when they are ready. A wait on a channel that cannot be selected
 * (a file) counts as ready at once. Records what every run's steps returned.
 */
final class StepLoop implements Closeable {

    /** One transfer being stepped. */
    static final class Run {
        final SteppedTransfer transfer;
        final Stepper stepper;
        private final SelectionKey sourceKey;
        private final SelectionKey targetKey;
        /** The waiting steps returned, in the order first seen. */
        final Set<Step> waits = new LinkedHashSet<>();
        /** The most bytes one step delivered. */
        long mostPerStep;
        int steps;
        Step last;
        /** COMPLETE or the fallback, once the stepper ended. */
        Outcome outcome;
        private boolean readyNow;

        Run(SteppedTransfer transfer, Stepper stepper, Selector selector) throws IOException {
            this.transfer = transfer;
            this.stepper = stepper;
            this.sourceKey = register(transfer.source(), selector);
            this.targetKey = register(transfer.target(), selector);
        }

        private SelectionKey register(Channel ch, Selector selector) throws IOException {
            if (ch instanceof SelectableChannel) {
                return ((SelectableChannel) ch).register(selector, 0, this);
            }
            return null;
        }

        boolean done() {
            return outcome != null;
        }

        /** Steps once and sets the interest it returned. */
        Step step() throws IOException {
            long before = transfer.delivered();
            Step s = stepper.step();
            steps++;
            last = s;
            mostPerStep = Math.max(mostPerStep, transfer.delivered() - before);
            readyNow = false;
            if (!s.isWaiting()) {
                outcome = s.outcome();
                interest(0);
                return s;
            }
            waits.add(s);
            interest(s.interest());
            return s;
        }

        private void interest(int ops) {
            boolean unselectable = false;
            if ((ops & SelectionKey.OP_READ) != 0 && sourceKey == null || (ops & SelectionKey.OP_WRITE) != 0 && targetKey == null) {
                unselectable = true;
            }
            if (sourceKey != null && sourceKey.isValid()) {
                sourceKey.interestOps(ops & SelectionKey.OP_READ);
            }
            if (targetKey != null && targetKey.isValid()) {
                targetKey.interestOps(ops & SelectionKey.OP_WRITE);
            }
            readyNow = unselectable;
        }

        void cancelKeys() {
            if (sourceKey != null) {
                sourceKey.cancel();
            }
            if (targetKey != null) {
                targetKey.cancel();
            }
        }
    }

    private final Selector selector;
    private final List<Run> runs = new ArrayList<>();

    StepLoop() throws IOException {
        selector = Selector.open();
    }

    /** Registers a run and steps it once. */
    Run start(SteppedTransfer t, Stepper stepper) throws IOException {
        Run r = new Run(t, stepper, selector);
        runs.add(r);
        r.step();
        return r;
    }

    /**
     * Waits at most {@code timeoutMillis} (0: not at all) for a run's interest, then steps every run that is ready.
     * Throws {@code InterruptedIOException} if the thread is interrupted (a test's timeout).
     *
     * @return the runs not done
     */
    int round(long timeoutMillis) throws IOException {
        if (Thread.interrupted()) {
            throw new java.io.InterruptedIOException("interrupted: the test timed out");
        }
        Set<Run> ready = new LinkedHashSet<>();
        for (Run r : runs) {
            if (!r.done() && r.readyNow) {
                ready.add(r);
            }
        }
        if (ready.isEmpty() && timeoutMillis > 0) {
            selector.select(timeoutMillis);
        } else {
            selector.selectNow();
        }
        for (SelectionKey k : selector.selectedKeys()) {
            ready.add((Run) k.attachment());
        }
        selector.selectedKeys().clear();
        for (Run r : ready) {
            if (!r.done()) {
                r.step();
            }
        }
        int left = 0;
        for (Run r : runs) {
            if (!r.done()) {
                left++;
            }
        }
        return left;
    }

    @Override
    public void close() throws IOException {
        for (Run r : runs) {
            r.cancelKeys();
        }
        selector.close();
    }
}

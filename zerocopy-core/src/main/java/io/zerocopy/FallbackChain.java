package io.zerocopy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.TransferStrategy;

/**
 * Runs one transfer down its plan: each eligible strategy in turn until one completes, the
 * next continuing from the exact byte the last reached. Reports the start, progress, fallbacks
 * and the result to the listener, and the transfer and its fallbacks to the
 * {@link TransferRecorder} (JFR) when a recording wants them. A transfer gets its
 * {@link TransferInfo} only when someone looks: a listener, or a recording.
 *
 * <p>Errors: an {@code IOException} from a strategy becomes a {@link TransferException} with
 * the bytes delivered and undelivered (a {@link TransferTimeoutException} when it is the
 * waiter's idle timeout); an unchecked exception or an error (a bug in a
 * strategy) propagates unwrapped. The transfer's buffer and waiter are released in every case.
 *
 * <p>What a strategy reports is checked ({@link TransferState#advance},
 * {@link TransferState#checkReturn}): a breach ends the transfer with a
 * {@link TransferException} naming the strategy, its cause the breach, however the strategy
 * then returned or threw (what it threw is added as suppressed). The error a target whose
 * output was shut down gives is made the same for every strategy here ({@link #targetShutDown}).
 * Thread-safe: holds nothing per transfer.
 */
final class FallbackChain {

    private static final System.Logger LOG = System.getLogger(TransferEngine.class.getName());

    private final Selection selection;
    private final BufferPool buffers;
    private final TransferListener listener;
    private final long idleTimeoutNanos;

    FallbackChain(Selection selection, BufferPool buffers, TransferListener listener, long idleTimeoutNanos) {
        this.selection = selection;
        this.buffers = buffers;
        this.listener = listener;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /**
     * @param position the first byte of a file source, or -1
     * @param count bytes to move, or {@link TransferState#UNBOUNDED}
     * @param reuseOnReturn skip the strategies that {@link TransferStrategy#readsBuffersAfterReturn()
     *     read a memory source's buffers after they return}: the caller reuses them at once
     * @return bytes delivered
     * @throws TransferException if a strategy failed or none could serve
     */
    long run(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            WritableByteChannel target, ChannelKind targetKind, boolean reuseOnReturn) throws IOException {
        Run r = start(source, sourceKind, position, count, target, targetKind, reuseOnReturn, false);
        Throwable thrown = null;
        try {
            while (r.next()) {
                if (r.attempt()) {
                    return r.completed();
                }
            }
            throw r.noStrategy();
        } catch (Throwable e) {
            thrown = e;
            throw e;
        } finally {
            r.end(thrown);
        }
    }

    /**
     * Begins a transfer: its state, its {@link TransferInfo} if someone looks, the listener's
     * {@code onStart} and the JFR span.
     *
     * @param alwaysAttempts collect the attempts even without a listener (the asynchronous result has them)
     * @return the run, positioned before its first candidate
     * @throws IOException if the source's size cannot be read
     */
    Run start(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            WritableByteChannel target, ChannelKind targetKind, boolean reuseOnReturn, boolean alwaysAttempts)
            throws IOException {
        long sourceSize = sourceKind == ChannelKind.FILE ? ((FileChannel) source).size() : -1;
        TransferRecorder.Span span = TransferRecorder.INSTANCE.start();
        TransferInfo info = listener == TransferListener.NONE && span == null ? null
                : new TransferInfo(sourceKind, targetKind, total(sourceKind, position, count, sourceSize));
        listener.onStart(info);
        TransferState t = new TransferState(source, sourceKind, position, count, sourceSize, target, targetKind, buffers,
                listener, info, idleTimeoutNanos);
        return new Run(t, info, span, reuseOnReturn, alwaysAttempts || listener != TransferListener.NONE);
    }

    /** @return {@link TransferInfo#total()} of a transfer with these arguments of {@link #run} */
    private static long total(ChannelKind sourceKind, long position, long count, long sourceSize) {
        if (count == TransferState.UNBOUNDED) {
            return -1;
        }
        return sourceKind == ChannelKind.FILE ? Math.min(count, Math.max(0, sourceSize - position)) : count;
    }

    /**
     * One transfer down its plan, one candidate at a time: the blocking {@link #run} and the
     * asynchronous driver ({@link AsyncTransfer}) share it, so both report, remember refusals and
     * map errors alike. Used by one thread at a time.
     */
    final class Run {
        private final TransferState t;
        private final TransferInfo info;
        private final TransferRecorder.Span span;
        private final boolean reuseOnReturn;
        private final List<TransferResult.Attempt> attempts;
        private final long startNanos = System.nanoTime();
        private final long size;
        private final int[] candidates;
        private int next;
        /** Index of the current candidate in the selection. */
        private int current = -1;
        private long before;
        private long copiedBefore;
        private boolean ended;

        private Run(TransferState t, TransferInfo info, TransferRecorder.Span span, boolean reuseOnReturn,
                boolean collectAttempts) {
            this.t = t;
            this.info = info;
            this.span = span;
            this.reuseOnReturn = reuseOnReturn;
            this.attempts = collectAttempts ? new ArrayList<>(2) : null;
            this.size = t.isBounded() ? t.remaining() : -1;
            this.candidates = selection.candidates(t.sourceKind(), t.targetKind(), size);
        }

        TransferState state() {
            return t;
        }

        /** @return the current candidate, after {@link #next()} returned true */
        TransferStrategy strategy() {
            return selection.strategy(current);
        }

        /**
         * Moves to the next eligible candidate and marks it as the strategy moving the bytes.
         *
         * @return false if none is left
         */
        boolean next() {
            while (next < candidates.length) {
                int i = candidates[next++];
                if (selection.eligible(i, t.sourceKind(), t.targetKind(), size)
                        && !(reuseOnReturn && selection.strategy(i).readsBuffersAfterReturn())) {
                    current = i;
                    before = t.delivered();
                    copiedBefore = t.copied();
                    t.strategy(selection.strategy(i).name());
                    return true;
                }
            }
            return false;
        }

        /**
         * Runs the current candidate to its end, blocking.
         *
         * @return true if it completed the transfer, false if it fell back (reported)
         * @throws TransferException if it failed
         */
        boolean attempt() throws TransferException {
            TransferStrategy s = strategy();
            Outcome outcome;
            try {
                outcome = s.transfer(t);
            } catch (IOException e) {
                throw failed(e);
            } catch (RuntimeException e) {
                throw unchecked(e);
            }
            return ended(outcome);
        }

        /**
         * What the current candidate returned, from {@link #attempt()} or a stepper's last step.
         *
         * @return true if the transfer is complete, false if the candidate fell back (reported)
         * @throws TransferException if the strategy broke its contract
         */
        boolean ended(Outcome outcome) throws TransferException {
            TransferStrategy s = strategy();
            try {
                t.checkReturn(outcome);
            } catch (IOException e) {
                throw failed(e);
            } catch (RuntimeException e) {
                throw unchecked(e);
            }
            if (t.violation() != null) {
                throw breach(s, t, null);
            }
            if (outcome.isComplete() || t.remaining() == 0) {
                if (attempts != null) {
                    attempts.add(new TransferResult.Attempt(s.name(), t.delivered() - before, null, t.copied() - copiedBefore));
                }
                return true;
            }
            if (attempts != null) {
                attempts.add(new TransferResult.Attempt(s.name(), t.delivered() - before, outcome.reason(),
                        t.copied() - copiedBefore));
            }
            if (selection.remember(current, outcome)) {
                LOG.log(Level.DEBUG, () -> "zerocopy: strategy " + s.name() + " disabled for this engine: " + outcome.reason());
            }
            t.fellBack();
            listener.onFallback(info, s.name(), t.delivered(), outcome.reason());
            if (span != null) {
                span.fallback(info, s.name(), t.delivered(), outcome);
            }
            return false;
        }

        /** @return the exception that ends the transfer after the current strategy threw {@code e} */
        TransferException failed(IOException e) {
            return FallbackChain.this.failed(strategy(), t, e);
        }

        /**
         * @return the exception that ends the transfer after the current strategy threw
         *     {@code e} having broken its contract
         * @throws RuntimeException {@code e} itself if the strategy broke no contract (a bug in it)
         */
        TransferException unchecked(RuntimeException e) {
            if (t.violation() == null) {
                throw e;
            }
            return breach(strategy(), t, e);
        }

        /** @return the result of a completed transfer, reported to the listener */
        TransferResult result() {
            TransferResult r = new TransferResult(t.delivered(), t.strategy(),
                    attempts != null ? attempts : List.of(), System.nanoTime() - startNanos);
            if (listener != TransferListener.NONE) {
                listener.onComplete(info, r);
            }
            return r;
        }

        /** @return the bytes delivered of a completed transfer, reported to the listener */
        long completed() {
            if (listener != TransferListener.NONE) {
                result();
            }
            return t.delivered();
        }

        /** @return the failure when no candidate is left */
        TransferException noStrategy() {
            return new TransferException("no strategy can serve " + t.sourceKind() + " -> " + t.targetKind()
                    + (attempts != null ? "; tried " + attempts : "") + "; strategies " + selection.names(),
                    null, t.delivered(), t.undeliveredBytes(), null);
        }

        /**
         * Ends the transfer once: reports a failure to the listener, releases the buffer and the
         * waiter, finishes the JFR span.
         *
         * @param failure what ends it, or null if it completed
         * @throws IOException if releasing fails after a completed transfer (else suppressed)
         */
        void end(Throwable failure) throws IOException {
            if (ended) {
                return;
            }
            ended = true;
            Throwable thrown = failure;
            try {
                if (thrown instanceof TransferException) {
                    listener.onFailure(info, (TransferException) thrown);
                }
                try {
                    t.release();
                } catch (IOException e) {
                    if (thrown == null) {
                        throw e;
                    }
                    thrown.addSuppressed(e);
                }
            } finally {
                if (span != null) {
                    span.finish(info, t, thrown);
                }
            }
        }
    }

    /** @return the exception that ends the transfer after strategy {@code s} threw {@code e} */
    private TransferException failed(TransferStrategy s, TransferState t, IOException e) {
        if (t.violation() != null) {
            return breach(s, t, e);
        }
        if (e instanceof TransferException) {
            return (TransferException) e;
        }
        if (e instanceof Waiter.Cancelled) {
            return new TransferCancelledException("transfer " + t.sourceKind() + " -> " + t.targetKind() + " cancelled",
                    s.name(), t.delivered(), t.undeliveredBytes(), e);
        }
        if (e instanceof InterruptedByTimeoutException) {
            return new TransferTimeoutException("transfer " + t.sourceKind() + " -> " + t.targetKind()
                    + ": no byte moved for " + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos) + " ms",
                    s.name(), t.delivered(), t.undeliveredBytes(), e);
        }
        IOException cause = targetShutDown(t.target(), e);
        return new TransferException("transfer " + t.sourceKind() + " -> " + t.targetKind() + " failed: "
                + (cause != e ? "the target's output is shut down" : e), s.name(), t.delivered(),
                t.undeliveredBytes(), cause);
    }

    /**
     * @param failure what the strategy threw after the breach, or null if it returned
     * @return the exception that ends a transfer whose strategy broke the contract: its cause
     *     the breach, {@code failure} suppressed
     */
    private static TransferException breach(TransferStrategy s, TransferState t, Exception failure) {
        RuntimeException violation = t.violation();
        TransferException e = new TransferException("strategy contract broken: " + violation.getMessage()
                + "; the target may hold bytes the strategy did not report", s.name(), t.delivered(),
                t.undeliveredBytes(), violation);
        if (failure != null && failure != violation && failure.getCause() != violation) {
            e.addSuppressed(failure);
        }
        return e;
    }

    /**
     * One error for one condition, whatever the strategy: a write to a socket whose output was
     * shut down fails in the JDK's channels with {@code AsynchronousCloseException} and in the
     * kernel's calls (sendfile, splice, {@code FileChannel.transferTo}) with {@code EPIPE}. As
     * {@link java.nio.channels.SocketChannel#shutdownOutput()} specifies, the cause becomes a
     * {@link ClosedChannelException}, the strategy's own error as its cause. A target closed
     * (rather than shut down) keeps its error.
     *
     * @return the cause to report
     */
    static IOException targetShutDown(WritableByteChannel target, IOException e) {
        if (e.getClass() == ClosedChannelException.class || !(target instanceof SocketChannel) || !target.isOpen()) {
            return e;
        }
        boolean shutDown;
        try {
            shutDown = ((SocketChannel) target).socket().isOutputShutdown();
        } catch (UnsupportedOperationException notTcp) {
            return e; // a UNIX domain socket has no Socket view: its error is kept
        }
        if (!shutDown) {
            return e;
        }
        ClosedChannelException closed = new ClosedChannelException();
        closed.initCause(e);
        return closed;
    }
}

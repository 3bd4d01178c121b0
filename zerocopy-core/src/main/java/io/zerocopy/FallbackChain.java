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
        long sourceSize = sourceKind == ChannelKind.FILE ? ((FileChannel) source).size() : -1;
        TransferRecorder.Span span = TransferRecorder.INSTANCE.start();
        TransferInfo info = listener == TransferListener.NONE && span == null ? null
                : new TransferInfo(sourceKind, targetKind, total(sourceKind, position, count, sourceSize));
        listener.onStart(info);
        TransferState t = new TransferState(source, sourceKind, position, count, sourceSize, target, targetKind, buffers,
                listener, info, idleTimeoutNanos);
        Throwable thrown = null;
        try {
            return run(t, info, span, reuseOnReturn);
        } catch (Throwable e) {
            thrown = e;
            throw e;
        } finally {
            if (span != null) {
                span.finish(info, t, thrown);
            }
        }
    }

    /** @return {@link TransferInfo#total()} of a transfer with these arguments of {@link #run} */
    private static long total(ChannelKind sourceKind, long position, long count, long sourceSize) {
        if (count == TransferState.UNBOUNDED) {
            return -1;
        }
        return sourceKind == ChannelKind.FILE ? Math.min(count, Math.max(0, sourceSize - position)) : count;
    }

    private long run(TransferState t, TransferInfo info, TransferRecorder.Span span, boolean reuseOnReturn)
            throws IOException {
        ChannelKind sourceKind = t.sourceKind();
        ChannelKind targetKind = t.targetKind();
        List<TransferResult.Attempt> attempts = listener == TransferListener.NONE ? null : new ArrayList<>(2);
        long startNanos = System.nanoTime();
        long size = t.isBounded() ? t.remaining() : -1;
        TransferException failure = null;
        try {
            for (int i : selection.candidates(sourceKind, targetKind, size)) {
                if (selection.eligible(i, sourceKind, targetKind, size)
                        && !(reuseOnReturn && selection.strategy(i).readsBuffersAfterReturn())
                        && attempt(i, t, attempts, info, span)) {
                    if (attempts != null) {
                        listener.onComplete(info, new TransferResult(t.delivered(), t.strategy(), attempts,
                                System.nanoTime() - startNanos));
                    }
                    return t.delivered();
                }
            }
            throw new TransferException("no strategy can serve " + sourceKind + " -> " + targetKind
                    + (attempts != null ? "; tried " + attempts : "") + "; strategies " + selection.names(),
                    null, t.delivered(), t.undeliveredBytes(), null);
        } catch (TransferException e) {
            failure = e;
            listener.onFailure(info, e);
            throw e;
        } finally {
            try {
                t.release();
            } catch (IOException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }

    /** @return true if the strategy completed the transfer */
    private boolean attempt(int index, TransferState t, List<TransferResult.Attempt> attempts, TransferInfo info,
            TransferRecorder.Span span) throws TransferException {
        TransferStrategy s = selection.strategy(index);
        long before = t.delivered();
        t.strategy(s.name());
        Outcome outcome;
        try {
            outcome = s.transfer(t);
            t.checkReturn(outcome);
        } catch (IOException e) {
            throw failed(s, t, e);
        } catch (RuntimeException e) {
            if (t.violation() == null) {
                throw e;
            }
            throw breach(s, t, e);
        }
        if (t.violation() != null) {
            throw breach(s, t, null);
        }
        if (outcome.isComplete() || t.remaining() == 0) {
            if (attempts != null) {
                attempts.add(new TransferResult.Attempt(s.name(), t.delivered() - before, null));
            }
            return true;
        }
        if (attempts != null) {
            attempts.add(new TransferResult.Attempt(s.name(), t.delivered() - before, outcome.reason()));
        }
        if (selection.remember(index, outcome)) {
            LOG.log(Level.DEBUG, () -> "zerocopy: strategy " + s.name() + " disabled for this engine: " + outcome.reason());
        }
        t.fellBack();
        listener.onFallback(info, s.name(), t.delivered(), outcome.reason());
        if (span != null) {
            span.fallback(info, s.name(), t.delivered(), outcome);
        }
        return false;
    }

    /** @return the exception that ends the transfer after strategy {@code s} threw {@code e} */
    private TransferException failed(TransferStrategy s, TransferState t, IOException e) {
        if (t.violation() != null) {
            return breach(s, t, e);
        }
        if (e instanceof TransferException) {
            return (TransferException) e;
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

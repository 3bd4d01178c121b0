package io.zerocopy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.TransferStrategy;

/**
 * Runs one transfer down its plan: each eligible strategy in turn until one completes, the
 * next continuing from the exact byte the last reached. Reports progress, fallbacks and the
 * result to the listener.
 *
 * <p>Errors: an {@code IOException} from a strategy becomes a {@link TransferException} with
 * the bytes delivered and undelivered (a {@link TransferTimeoutException} when it is the
 * waiter's idle timeout); an unchecked exception or an error (a bug in a
 * strategy) propagates unwrapped. The transfer's buffer and waiter are released in every case.
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
     * @return bytes delivered
     * @throws TransferException if a strategy failed or none could serve
     */
    long run(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            WritableByteChannel target, ChannelKind targetKind) throws IOException {
        TransferState t = new TransferState(source, sourceKind, position, count, target, targetKind, buffers, listener,
                idleTimeoutNanos);
        List<TransferResult.Attempt> attempts = listener == TransferListener.NONE ? null : new ArrayList<>(2);
        long startNanos = System.nanoTime();
        long size = t.isBounded() ? count : -1;
        TransferException failure = null;
        try {
            for (int i : selection.candidates(sourceKind, targetKind, size)) {
                if (selection.eligible(i, sourceKind, targetKind, size) && attempt(i, t, attempts)) {
                    if (attempts != null) {
                        listener.onComplete(new TransferResult(t.delivered(), t.strategy(), attempts,
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
            listener.onFailure(e);
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
    private boolean attempt(int index, TransferState t, List<TransferResult.Attempt> attempts) throws TransferException {
        TransferStrategy s = selection.strategy(index);
        long before = t.delivered();
        t.strategy(s.name());
        Outcome outcome;
        try {
            outcome = s.transfer(t);
        } catch (TransferException e) {
            throw e;
        } catch (InterruptedByTimeoutException e) {
            throw new TransferTimeoutException("transfer " + t.sourceKind() + " -> " + t.targetKind()
                    + ": no byte moved for " + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos) + " ms",
                    s.name(), t.delivered(), t.undeliveredBytes(), e);
        } catch (IOException e) {
            throw new TransferException("transfer " + t.sourceKind() + " -> " + t.targetKind() + " failed: " + e,
                    s.name(), t.delivered(), t.undeliveredBytes(), e);
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
        listener.onFallback(s.name(), t.delivered(), outcome.reason());
        return false;
    }
}

package io.zerocopy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;

/**
 * Runs broadcasts: the first broadcast strategy that supports the kinds and does not decline
 * serves; the portable {@code copy} is last and always serves. A strategy may decline only
 * before it consumed a source byte. Thread-safe.
 */
final class Broadcaster {

    private static final System.Logger LOG = System.getLogger(TransferEngine.class.getName());

    private final BroadcastStrategy[] strategies;
    private final boolean allOrNothing;
    private final long stallTimeoutNanos;
    private final BufferPool buffers;
    private final long idleTimeoutNanos;

    Broadcaster(List<BroadcastStrategy> strategies, boolean allOrNothing, long stallTimeoutNanos, BufferPool buffers,
            long idleTimeoutNanos) {
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.strategies = strategies.toArray(new BroadcastStrategy[0]);
        this.allOrNothing = allOrNothing;
        this.stallTimeoutNanos = stallTimeoutNanos;
        this.buffers = buffers;
    }

    /** @return a broadcaster like this one with another idle timeout */
    Broadcaster withIdleTimeout(long nanos) {
        return new Broadcaster(List.of(strategies), allOrNothing, stallTimeoutNanos, buffers, nanos);
    }

    /** @return true if a broadcast ends at the first target failure */
    boolean allOrNothing() {
        return allOrNothing;
    }

    /** @return how long a target may accept nothing before it is dropped, in nanoseconds */
    long stallTimeoutNanos() {
        return stallTimeoutNanos;
    }

    List<String> names() {
        List<String> names = new ArrayList<>(strategies.length);
        for (BroadcastStrategy s : strategies) {
            names.add(s.name());
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * @param position the first byte of a file source, or -1
     * @param count bytes to read, or {@link TransferState#UNBOUNDED}
     * @return per-target counts
     * @throws BroadcastException if the source fails, every target fails, or (all-or-nothing) any target fails
     */
    BroadcastResult run(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            List<? extends WritableByteChannel> targets) throws IOException {
        BroadcastState b = new BroadcastState(source, sourceKind, position, count, targets, allOrNothing,
                stallTimeoutNanos, buffers, idleTimeoutNanos);
        List<ChannelKind> kinds = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            kinds.add(b.targetKind(i));
        }
        long size = count == TransferState.UNBOUNDED ? -1 : count;
        BroadcastException failure = null;
        try {
            for (BroadcastStrategy s : strategies) {
                if (!s.supports(sourceKind, kinds, size)) {
                    continue;
                }
                Outcome outcome;
                try {
                    outcome = s.broadcast(b);
                } catch (IOException e) {
                    failure = new BroadcastException("broadcast failed: " + e, b.result(s.name()), e);
                    throw failure;
                }
                if (!outcome.isComplete()) {
                    if (b.consumed() > 0) {
                        throw new BroadcastException("strategy " + s.name() + " gave up after reading "
                                + b.consumed() + " bytes, against its contract", b.result(s.name()), null);
                    }
                    LOG.log(Level.DEBUG, () -> "zerocopy: broadcast strategy " + s.name() + " declined: " + outcome.reason());
                    continue;
                }
                BroadcastResult result = b.result(s.name());
                if (b.activeCount() == 0) {
                    throw new BroadcastException("every target failed", result, b.firstFailure());
                }
                return result;
            }
            throw new IllegalStateException("no broadcast strategy served; the portable one always does");
        } finally {
            try {
                b.release();
            } catch (IOException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }
}

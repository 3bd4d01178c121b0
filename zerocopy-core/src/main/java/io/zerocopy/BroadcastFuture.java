package io.zerocopy;

import java.util.concurrent.CompletionStage;

/**
 * The result of an asynchronous broadcast ({@link TransferEngine#broadcastAsync}): completes
 * with the {@link BroadcastResult} once every target's transfer has stopped, or exceptionally
 * with a {@link BroadcastException} carrying the per-target counts when every target failed or,
 * under all-or-nothing, any target failed.
 *
 * <p>{@link #cancel(boolean)} stops every target's transfer (whatever its argument): the future
 * completes at once with a {@code CancellationException}, and the transfers stop within 100 ms;
 * {@link #stopped()} then completes exceptionally with a {@link BroadcastException} whose result
 * holds each target's exact count (a target stopped by the cancellation has a
 * {@link TransferCancelledException} as its failure). The same holds when anyone else completes
 * this future. The channels are never closed by a cancellation.
 *
 * <p>Threads: as {@link TransferFuture}: completed, and its non-async dependents run, on a
 * library thread; a dependent must not block.
 */
public final class BroadcastFuture extends StoppingFuture<BroadcastResult> {

    BroadcastFuture() { }

    /**
     * @return a stage that completes when every target's transfer has really stopped: normally
     *     with the result, or exceptionally with the {@link BroadcastException} whose result has
     *     the exact per-target counts
     */
    public CompletionStage<BroadcastResult> stopped() {
        return stoppedStage();
    }
}

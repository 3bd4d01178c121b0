package io.zerocopy;

import java.util.concurrent.CompletionStage;

/**
 * The result of an asynchronous transfer ({@link TransferEngine#transferAsync}): completes with
 * the {@link TransferResult} (bytes, the strategy that finished, every attempt), or exceptionally
 * with the same {@link TransferException} the blocking call would throw, with its counts.
 *
 * <p>{@link #cancel(boolean)} stops the transfer (whatever its argument): the future completes
 * at once with a {@code CancellationException}, as every {@code CompletableFuture} does, and the
 * transfer stops within 100 ms, after its current step; {@link #stopped()} then completes
 * exceptionally with a {@link TransferCancelledException} holding the exact counts. The same
 * holds when anyone else completes this future ({@code complete}, {@code orTimeout},
 * {@code completeOnTimeout}). The channels are never closed by a cancellation. Cancelling a
 * dependent stage does not stop the transfer.
 *
 * <p>Threads: the future is completed, and its non-async dependents run, on a library thread:
 * an event loop ({@code zerocopy-reactor-N}, or {@code zerocopy-uring-N} on the io_uring loops), a file thread ({@code zerocopy-file-N}) or a blocking
 * thread ({@code zerocopy-blocking-N}). A dependent must not block (no {@code join()} on another
 * transfer, no blocking I/O, no blocking {@code transfer}), nor do long work: use the
 * {@code *Async} variants with an executor of your own for that. Starting another asynchronous
 * transfer or cancelling one from a dependent is fine.
 */
public final class TransferFuture extends StoppingFuture<TransferResult> {

    TransferFuture() { }

    /**
     * @return a stage that completes when the transfer has really stopped: normally with the
     *     result, or exceptionally with the {@link TransferException} whose counts are exact
     *     ({@link TransferCancelledException} after a cancellation)
     */
    public CompletionStage<TransferResult> stopped() {
        return stoppedStage();
    }
}

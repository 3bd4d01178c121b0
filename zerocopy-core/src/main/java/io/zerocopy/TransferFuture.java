package io.zerocopy;

import java.util.concurrent.CompletableFuture;
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
 * a reactor ({@code zerocopy-reactor-N}), a file thread ({@code zerocopy-file-N}) or a blocking
 * thread ({@code zerocopy-blocking-N}). A dependent must not block (no {@code join()} on another
 * transfer, no blocking I/O, no blocking {@code transfer}), nor do long work: use the
 * {@code *Async} variants with an executor of your own for that. Starting another asynchronous
 * transfer or cancelling one from a dependent is fine.
 */
public final class TransferFuture extends CompletableFuture<TransferResult> {

    private final CompletableFuture<TransferResult> stopped = new CompletableFuture<>();
    /** Stops the transfer; set by the engine before the future is handed out. */
    private volatile Runnable canceller;
    private volatile boolean byEngine;

    TransferFuture() { }

    void canceller(Runnable canceller) {
        this.canceller = canceller;
    }

    /**
     * @return a stage that completes when the transfer has really stopped: normally with the
     *     result, or exceptionally with the {@link TransferException} whose counts are exact
     *     ({@link TransferCancelledException} after a cancellation)
     */
    public CompletionStage<TransferResult> stopped() {
        return stopped.minimalCompletionStage();
    }

    /** Stops the transfer; see the class comment. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        stop();
        return cancelled;
    }

    /** Completes this future for the caller and stops the transfer (its result goes to {@link #stopped()}). */
    @Override
    public boolean complete(TransferResult value) {
        boolean done = super.complete(value);
        if (!byEngine) {
            stop();
        }
        return done;
    }

    /** Completes this future for the caller and stops the transfer (its outcome goes to {@link #stopped()}). */
    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean done = super.completeExceptionally(failure);
        if (!byEngine) {
            stop();
        }
        return done;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    private void stop() {
        Runnable c = canceller;
        if (c != null) {
            c.run();
        }
    }

    /** The engine's completion: the transfer has stopped. */
    void succeed(TransferResult result) {
        byEngine = true;
        stopped.complete(result);
        complete(result);
    }

    /** The engine's completion with a failure: the transfer has stopped. */
    void fail(Throwable failure) {
        byEngine = true;
        stopped.completeExceptionally(failure);
        completeExceptionally(failure);
    }
}

package io.zerocopy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A future of work that runs on its own and can be stopped: {@link #cancel}, {@link #complete}
 * and {@link #completeExceptionally} by anyone but the engine complete it at once and stop the
 * work, whose real end is reported through {@link #stopped()}. The shared part of
 * {@link TransferFuture} and {@link BroadcastFuture}. Thread-safe.
 *
 * @param <T> the result
 */
abstract class StoppingFuture<T> extends CompletableFuture<T> {

    private final CompletableFuture<T> stopped = new CompletableFuture<>();
    /** Stops the work; set by the engine before the future is handed out. */
    private volatile Runnable canceller;
    private volatile boolean byEngine;

    StoppingFuture() { }

    final void canceller(Runnable canceller) {
        this.canceller = canceller;
    }

    /** @return a stage completed when the work has really stopped, with its result or its failure */
    final CompletionStage<T> stoppedStage() {
        return stopped.minimalCompletionStage();
    }

    /** Stops the work; see the subclass's comment. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        stop();
        return cancelled;
    }

    /** Completes this future for the caller and stops the work (its result goes to {@code stopped()}). */
    @Override
    public boolean complete(T value) {
        boolean done = super.complete(value);
        if (!byEngine) {
            stop();
        }
        return done;
    }

    /** Completes this future for the caller and stops the work (its outcome goes to {@code stopped()}). */
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

    /** The engine's completion: the work has stopped. */
    final void succeed(T result) {
        byEngine = true;
        stopped.complete(result);
        complete(result);
    }

    /** The engine's completion with a failure: the work has stopped. */
    final void fail(Throwable failure) {
        byEngine = true;
        stopped.completeExceptionally(failure);
        completeExceptionally(failure);
    }
}

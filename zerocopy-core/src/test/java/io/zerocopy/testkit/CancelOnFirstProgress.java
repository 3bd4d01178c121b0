package io.zerocopy.testkit;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.zerocopy.TransferFuture;
import io.zerocopy.TransferListener;

/**
 * A listener that cancels an asynchronous transfer from its first progress report, on the
 * stepping thread, so that the transfer stops right after the step that reported it: no race
 * with how fast the steps run. {@link #arm} gives it the transfer's future; a report that comes
 * first waits for it.
 */
public final class CancelOnFirstProgress implements TransferListener {

    private final AtomicReference<TransferFuture> future = new AtomicReference<>();
    private final AtomicBoolean fired = new AtomicBoolean();

    /** @param f the future of the transfer to cancel */
    public void arm(TransferFuture f) {
        future.set(f);
    }

    @Override
    public void onProgress(String strategy, long delivered) {
        if (fired.compareAndSet(false, true)) {
            TransferFuture f;
            while ((f = future.get()) == null) {
                Thread.onSpinWait(); // transferAsync has not returned yet: a moment at most
            }
            f.cancel(true);
        }
    }
}

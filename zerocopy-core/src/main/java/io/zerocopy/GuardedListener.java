package io.zerocopy;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A user's {@link TransferListener} as the engine calls it: a {@code RuntimeException} the
 * listener throws is caught, so that it never changes a transfer's result or exception. The
 * first is logged at {@code WARNING} with the exception, later ones at {@code DEBUG}; the
 * logger is {@code io.zerocopy.TransferEngine}. Errors propagate. One per engine that has
 * the listener; thread-safe if the listener is.
 *
 * <p>The engine calls only the forms with a {@link TransferInfo}; those are the ones guarded
 * (they reach the user's other forms through the interface's defaults).
 */
final class GuardedListener implements TransferListener {

    private static final System.Logger LOG = System.getLogger(TransferEngine.class.getName());

    private final TransferListener listener;
    private final AtomicBoolean reported = new AtomicBoolean();

    private GuardedListener(TransferListener listener) {
        this.listener = listener;
    }

    /** @return {@code listener} guarded; {@link TransferListener#NONE} and a guarded listener as they are */
    static TransferListener of(TransferListener listener) {
        return listener == TransferListener.NONE || listener instanceof GuardedListener ? listener
                : new GuardedListener(listener);
    }

    @Override
    public void onStart(TransferInfo transfer) {
        try {
            listener.onStart(transfer);
        } catch (RuntimeException e) {
            threw("onStart", e);
        }
    }

    @Override
    public void onProgress(TransferInfo transfer, String strategy, long delivered) {
        try {
            listener.onProgress(transfer, strategy, delivered);
        } catch (RuntimeException e) {
            threw("onProgress", e);
        }
    }

    @Override
    public void onFallback(TransferInfo transfer, String strategy, long delivered, String reason) {
        try {
            listener.onFallback(transfer, strategy, delivered, reason);
        } catch (RuntimeException e) {
            threw("onFallback", e);
        }
    }

    @Override
    public void onComplete(TransferInfo transfer, TransferResult result) {
        try {
            listener.onComplete(transfer, result);
        } catch (RuntimeException e) {
            threw("onComplete", e);
        }
    }

    @Override
    public void onFailure(TransferInfo transfer, TransferException failure) {
        try {
            listener.onFailure(transfer, failure);
        } catch (RuntimeException e) {
            threw("onFailure", e);
        }
    }

    private void threw(String method, RuntimeException e) {
        boolean first = reported.compareAndSet(false, true);
        Level level = first ? Level.WARNING : Level.DEBUG;
        if (LOG.isLoggable(level)) {
            LOG.log(level, "zerocopy: listener " + listener + " threw from " + method + "; the transfer goes on"
                    + (first ? " (its later exceptions are logged at DEBUG)" : ""), e);
        }
    }

    @Override
    public String toString() {
        return listener.toString();
    }
}

package io.zerocopy;

/**
 * Observes transfers: progress, fallbacks and the final result. Methods are called on the
 * transferring thread; they must be quick. Register with
 * {@link TransferEngine.Builder#listener(TransferListener)} or
 * {@link TransferEngine#withListener(TransferListener)}.
 *
 * <p>A listener cannot change a transfer's outcome: a {@code RuntimeException} thrown by any
 * of its methods is caught, the transfer goes on, and the call returns (or throws) what it
 * would have without the listener. The first such exception of a listener registered with an
 * engine is logged with {@link System.Logger} (logger {@code io.zerocopy.TransferEngine},
 * level {@code WARNING}, the exception attached), later ones at {@code DEBUG}. An
 * {@code Error} propagates.
 */
public interface TransferListener {

    /** A listener that ignores everything. */
    TransferListener NONE = new TransferListener() { };

    /**
     * Bytes reached the target.
     *
     * @param strategy the strategy moving them
     * @param delivered the total delivered so far in this transfer
     */
    default void onProgress(String strategy, long delivered) { }

    /**
     * A strategy could not serve; the next one continues from {@code delivered}.
     *
     * @param strategy the strategy that gave up
     * @param delivered the total delivered so far in this transfer
     * @param reason why it gave up
     */
    default void onFallback(String strategy, long delivered, String reason) { }

    /**
     * The transfer completed.
     *
     * @param result what happened
     */
    default void onComplete(TransferResult result) { }

    /**
     * The transfer failed; the exception is thrown to the caller after this returns.
     *
     * @param failure the failure, with the bytes delivered
     */
    default void onFailure(TransferException failure) { }
}

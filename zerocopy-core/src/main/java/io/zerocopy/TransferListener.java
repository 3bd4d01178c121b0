package io.zerocopy;

/**
 * Observes transfers: progress, fallbacks and the final result. Methods are called on the
 * transferring thread; they must be quick and must not throw. Register with
 * {@link TransferEngine.Builder#listener(TransferListener)} or
 * {@link TransferEngine#withListener(TransferListener)}.
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

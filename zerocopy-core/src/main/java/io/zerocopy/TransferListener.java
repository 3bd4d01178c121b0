package io.zerocopy;

/**
 * Observes transfers: the start, progress, fallbacks and end of each. Register with
 * {@link TransferEngine.Builder#listener(TransferListener)} for every transfer of an engine,
 * or {@link TransferEngine#withListener(TransferListener)} for one call.
 *
 * <p>For one transfer the engine calls, on the thread that called {@code transfer} or
 * {@code send}: {@link #onStart(TransferInfo)} once, then {@link #onProgress(TransferInfo,
 * String, long) onProgress} after each write that reached the target and
 * {@link #onFallback(TransferInfo, String, long, String) onFallback} when a strategy hands over,
 * then {@link #onComplete(TransferInfo, TransferResult) onComplete} or
 * {@link #onFailure(TransferInfo, TransferException) onFailure} once (neither when a strategy
 * throws an unchecked exception, a bug that propagates as it is). Every call for the
 * transfer gets the same {@link TransferInfo}: its id, endpoint kinds and total. One listener
 * on a shared engine is called from every thread that transfers, concurrently: it must be
 * thread-safe, and it tells the transfers apart by their {@code TransferInfo}. Methods must be
 * quick; the transfer waits for them. Broadcasts are not reported, nor calls that move nothing
 * by definition (a {@code send} of empty buffers, a link copied as a link).
 *
 * <p>Each callback has two forms: the engine calls the one taking a {@code TransferInfo},
 * whose default calls the one without it. A listener overrides either form of a callback; one
 * that overrides the form with {@code TransferInfo} is not called through the other.
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
     * A transfer begins: called before any byte moves and before every other call for it.
     *
     * @param transfer the transfer
     */
    default void onStart(TransferInfo transfer) { }

    /**
     * Bytes reached the target. {@code delivered} rises with every call for a transfer; it ends
     * at {@link TransferInfo#total()} when the transfer completes and the total is known (unless
     * a source file grows or is cut meanwhile). Calls {@link #onProgress(String, long)}.
     *
     * @param transfer the transfer
     * @param strategy the strategy moving them
     * @param delivered the total delivered so far in this transfer, above 0
     */
    default void onProgress(TransferInfo transfer, String strategy, long delivered) {
        onProgress(strategy, delivered);
    }

    /**
     * Bytes reached the target; called by the default
     * {@link #onProgress(TransferInfo, String, long)}.
     *
     * @param strategy the strategy moving them
     * @param delivered the total delivered so far in this transfer
     */
    default void onProgress(String strategy, long delivered) { }

    /**
     * A strategy could not serve; the next one continues from {@code delivered}. Calls
     * {@link #onFallback(String, long, String)}.
     *
     * @param transfer the transfer
     * @param strategy the strategy that gave up
     * @param delivered the total delivered so far in this transfer
     * @param reason why it gave up
     */
    default void onFallback(TransferInfo transfer, String strategy, long delivered, String reason) {
        onFallback(strategy, delivered, reason);
    }

    /**
     * A strategy could not serve; called by the default
     * {@link #onFallback(TransferInfo, String, long, String)}.
     *
     * @param strategy the strategy that gave up
     * @param delivered the total delivered so far in this transfer
     * @param reason why it gave up
     */
    default void onFallback(String strategy, long delivered, String reason) { }

    /**
     * The transfer completed. Calls {@link #onComplete(TransferResult)}.
     *
     * @param transfer the transfer
     * @param result what happened
     */
    default void onComplete(TransferInfo transfer, TransferResult result) {
        onComplete(result);
    }

    /**
     * The transfer completed; called by the default
     * {@link #onComplete(TransferInfo, TransferResult)}.
     *
     * @param result what happened
     */
    default void onComplete(TransferResult result) { }

    /**
     * The transfer failed; the exception is thrown to the caller after this returns. Calls
     * {@link #onFailure(TransferException)}.
     *
     * @param transfer the transfer
     * @param failure the failure, with the bytes delivered
     */
    default void onFailure(TransferInfo transfer, TransferException failure) {
        onFailure(failure);
    }

    /**
     * The transfer failed; called by the default
     * {@link #onFailure(TransferInfo, TransferException)}.
     *
     * @param failure the failure, with the bytes delivered
     */
    default void onFailure(TransferException failure) { }
}

package io.zerocopy;

/**
 * An asynchronous transfer ended because it was cancelled ({@link TransferFuture#cancel}, or its
 * future completed by someone else, such as {@code orTimeout}). {@link #bytesDelivered()} is
 * exactly what the target accepted; the channels stay open, for the caller to close or reuse.
 * Delivered by {@link TransferFuture#stopped()}. Thrown by the engine only.
 */
public final class TransferCancelledException extends TransferException {

    private static final long serialVersionUID = 1L;

    TransferCancelledException(String message, String strategy, long bytesDelivered, long bytesUndelivered,
            Throwable cause) {
        super(message, strategy, bytesDelivered, bytesUndelivered, cause);
    }
}

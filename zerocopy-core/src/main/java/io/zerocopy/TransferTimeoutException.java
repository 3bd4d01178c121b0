package io.zerocopy;

/**
 * A transfer ended because no byte moved for the engine's idle timeout
 * ({@link TransferEngine.Builder#idleTimeout}, {@link TransferEngine#withIdleTimeout}).
 * {@link #bytesDelivered()} is what the target accepted before; the channels stay open, for
 * the caller to close or reuse. The cause is an
 * {@link java.nio.channels.InterruptedByTimeoutException}. Thrown by the engine only.
 */
public final class TransferTimeoutException extends TransferException {

    private static final long serialVersionUID = 1L;

    TransferTimeoutException(String message, String strategy, long bytesDelivered, long bytesUndelivered,
            Throwable cause) {
        super(message, strategy, bytesDelivered, bytesUndelivered, cause);
    }
}

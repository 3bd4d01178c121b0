package io.zerocopy;

import java.io.IOException;

/**
 * A transfer failed after delivering {@link #bytesDelivered()} bytes to the target. The cause
 * is the underlying error (for example {@code ClosedByInterruptException} or a
 * connection reset). Whatever the strategy, a socket target whose output was shut down gives a
 * {@link java.nio.channels.ClosedChannelException} (the strategy's own error as its cause), as
 * {@link java.nio.channels.SocketChannel#shutdownOutput()} specifies. A strategy that broke
 * its contract ({@link io.zerocopy.spi.TransferStrategy}) gives an
 * {@code IllegalArgumentException} or {@code IllegalStateException} saying what it reported,
 * and {@link #strategy()} names it. Thrown by the engine only.
 */
public sealed class TransferException extends IOException permits BroadcastException, TransferTimeoutException, TransferCancelledException {

    private static final long serialVersionUID = 1L;

    private final transient String strategy;
    /** Bytes that reached the target before the failure. */
    private final long bytesDelivered;
    /** Bytes consumed from the source that did not reach the target. */
    private final long bytesUndelivered;

    /**
     * @param message what failed
     * @param strategy the strategy running when it failed, or null if none ran
     * @param bytesDelivered bytes that reached the target
     * @param bytesUndelivered bytes consumed from the source that did not reach the target
     * @param cause the underlying error, or null
     */
    TransferException(String message, String strategy, long bytesDelivered, long bytesUndelivered,
            Throwable cause) {
        super(message + " (" + bytesDelivered + " bytes delivered"
                + (bytesUndelivered > 0 ? ", " + bytesUndelivered + " read but not delivered" : "")
                + (strategy != null ? ", strategy " + strategy : "") + ")", cause);
        this.strategy = strategy;
        this.bytesDelivered = bytesDelivered;
        this.bytesUndelivered = bytesUndelivered;
    }

    /** @return the bytes that reached the target before the failure */
    public long bytesDelivered() {
        return bytesDelivered;
    }

    /**
     * @return bytes consumed from a stream source that could not be delivered (lost to the
     *     caller); zero when the source is a file, or when nothing was in flight
     */
    public long bytesUndelivered() {
        return bytesUndelivered;
    }

    /** @return the strategy running when the transfer failed, or null */
    public String strategy() {
        return strategy;
    }
}

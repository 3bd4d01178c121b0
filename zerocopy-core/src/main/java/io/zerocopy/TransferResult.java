package io.zerocopy;

import java.util.List;

/**
 * What happened in one completed transfer, given to
 * {@link TransferListener#onComplete(TransferInfo, TransferResult)}.
 *
 * @param bytes the bytes delivered to the target
 * @param strategy the strategy that finished the transfer
 * @param attempts every strategy tried, in order, with the bytes it moved
 * @param nanos wall time of the transfer
 */
public record TransferResult(long bytes, String strategy, List<Attempt> attempts, long nanos) {

    /**
     * Creates a result; the list is copied, so a result never changes.
     *
     * @param bytes the bytes delivered to the target
     * @param strategy the strategy that finished the transfer
     * @param attempts every strategy tried, in order, with the bytes it moved
     * @param nanos wall time of the transfer
     */
    public TransferResult {
        attempts = List.copyOf(attempts);
    }

    /**
     * @return of {@link #bytes()}, those a zero-copy strategy moved through a user-space buffer
     *     instead of its own path (a {@code splice} relay step that found no pooled pipe free):
     *     the sum of the attempts' {@link Attempt#bytesCopied()}; 0 when every byte went the
     *     strategies' own way. Bytes of the {@code copy} strategy, whose way is copying, are not
     *     counted here
     */
    public long bytesCopied() {
        return attempts.stream().mapToLong(Attempt::bytesCopied).sum();
    }

    /** @return true if any strategy fell back to another */
    public boolean fellBack() {
        return attempts.stream().anyMatch(a -> a.fallbackReason() != null);
    }

    /**
     * One strategy's part in a transfer.
     *
     * @param strategy the strategy's name
     * @param bytes the bytes it delivered
     * @param fallbackReason why it handed over to the next strategy; null if it finished
     * @param bytesCopied of {@code bytes}, those it reported as moved through a user-space buffer
     *     instead of its own path ({@code io.zerocopy.spi.Transfer#advanceCopied})
     */
    public record Attempt(String strategy, long bytes, String fallbackReason, long bytesCopied) {

        /**
         * An attempt that copied no byte through a buffer ({@link #bytesCopied()} 0).
         *
         * @param strategy the strategy's name
         * @param bytes the bytes it delivered
         * @param fallbackReason why it handed over to the next strategy; null if it finished
         */
        public Attempt(String strategy, long bytes, String fallbackReason) {
            this(strategy, bytes, fallbackReason, 0);
        }
    }
}

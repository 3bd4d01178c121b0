package io.zerocopy;

import java.util.List;

/**
 * What a broadcast delivered: the bytes read from the source once, and for each target (in the
 * order given) the bytes it received and why it stopped early, if it did.
 *
 * @param sourceBytes bytes read from the source
 * @param strategy the broadcast strategy that ran
 * @param targets one entry per target, in the order given
 */
public record BroadcastResult(long sourceBytes, String strategy, List<Target> targets) {

    /**
     * Creates a result; the list is copied, so a result never changes.
     *
     * @param sourceBytes bytes read from the source
     * @param strategy the broadcast strategy that ran
     * @param targets one entry per target, in the order given
     */
    public BroadcastResult {
        targets = List.copyOf(targets);
    }

    /** @return true if every target received every source byte */
    public boolean allDelivered() {
        return targets.stream().allMatch(t -> t.failure() == null && t.bytes() == sourceBytes);
    }

    /**
     * One target's part.
     *
     * @param index its position in the list given
     * @param bytes bytes it received (a prefix of the source)
     * @param failure why it stopped before the end, or null if it received everything
     * @param fallback the path that served it after it refused the strategy's own, such as
     *     {@code "copy"} for a {@code tee} target that refused splice part-way; null if the
     *     strategy served it throughout
     */
    public record Target(int index, long bytes, Throwable failure, String fallback) {

        /**
         * A target the strategy served throughout.
         *
         * @param index its position in the list given
         * @param bytes bytes it received (a prefix of the source)
         * @param failure why it stopped before the end, or null if it received everything
         */
        public Target(int index, long bytes, Throwable failure) {
            this(index, bytes, failure, null);
        }
    }
}

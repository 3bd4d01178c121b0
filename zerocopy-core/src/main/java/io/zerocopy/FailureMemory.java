package io.zerocopy;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Remembers which strategies cannot serve, so a failing path is tried once and not on every
 * call: per strategy for the whole engine ("never works here") and per strategy and endpoint
 * pair ("not for this kind of target"), kept apart. Lock-free and thread-safe; a race merely
 * lets two threads try the same path once each.
 */
final class FailureMemory {

    private static final int KINDS = ChannelKind.values().length;
    private static final int SLOTS = 1 + KINDS * KINDS;

    private final AtomicReferenceArray<String> reasons;

    FailureMemory(int strategies) {
        this.reasons = new AtomicReferenceArray<>(strategies * SLOTS);
    }

    /** @return why strategy {@code index} cannot serve this pair, or null if it may be tried */
    String refusal(int index, ChannelKind source, ChannelKind target) {
        String engineWide = reasons.get(index * SLOTS);
        return engineWide != null ? engineWide : reasons.get(pairSlot(index, source, target));
    }

    /** @return true if this is the first time the refusal is remembered */
    boolean remember(int index, ChannelKind source, ChannelKind target, Outcome outcome) {
        switch (outcome.scope()) {
            case ENGINE:
                return reasons.compareAndSet(index * SLOTS, null, outcome.reason());
            case PAIR:
                return reasons.compareAndSet(pairSlot(index, source, target), null, outcome.reason());
            default:
                return false;
        }
    }

    private static int pairSlot(int index, ChannelKind source, ChannelKind target) {
        return index * SLOTS + 1 + source.ordinal() * KINDS + target.ordinal();
    }
}

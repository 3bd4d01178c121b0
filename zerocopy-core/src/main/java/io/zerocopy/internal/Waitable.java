package io.zerocopy.internal;

/**
 * Internal: not API. Implemented by the engine's transfers and broadcasts, so every strategy of
 * one transfer waits through the same {@link Waiter} (one idle clock, one contract).
 */
public interface Waitable {

    /** @return the transfer's waiter; owned and closed by the engine */
    Waiter waiter();
}

package io.zerocopy;

import java.util.List;

/**
 * Offers strategies to every {@link TransferEngine} built with providers enabled (the default).
 * Implementations are found with {@link java.util.ServiceLoader}: a jar lists its provider in
 * {@code META-INF/services/io.zerocopy.TransferStrategyProvider}.
 *
 * <p>A provider whose native path is unavailable returns an empty list (after logging the
 * reason once); it must not throw from its constructor or from {@link #strategies()}.
 */
public interface TransferStrategyProvider {

    /**
     * @return the strategies, most preferred first; they are tried before the core strategies
     *     for every endpoint pair they support
     */
    List<TransferStrategy> strategies();

    /**
     * @return broadcast strategies, most preferred first; tried before the portable one
     */
    default List<BroadcastStrategy> broadcastStrategies() {
        return List.of();
    }
}

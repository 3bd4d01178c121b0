package io.zerocopy.spi;

import java.util.List;

/**
 * Offers strategies to every engine built with providers enabled (the default).
 * Implementations are found with {@link java.util.ServiceLoader}: a jar lists its provider in
 * {@code META-INF/services/io.zerocopy.spi.TransferStrategyProvider}.
 *
 * <p>Where a provider's strategies stand in an engine's default order is what its
 * {@link #preferences()} say, ranked together with the core strategies' own (see
 * {@link Preference}); a provider that declares none puts its strategies at
 * {@link Preference#DEFAULT_RANK}, after the core strategies measured best for a pair and
 * ahead of the copy loop.
 *
 * <p>A provider whose native path is unavailable returns empty lists (after logging the reason
 * once); it must not throw from its constructor or from any method.
 */
public interface TransferStrategyProvider {

    /** @return the strategies; their order breaks ties between equal ranks */
    List<TransferStrategy> strategies();

    /** @return where the strategies stand per endpoint pair and size; none by default */
    default List<Preference> preferences() {
        return List.of();
    }

    /** @return broadcast strategies, most preferred first; tried before the portable one */
    default List<BroadcastStrategy> broadcastStrategies() {
        return List.of();
    }
}

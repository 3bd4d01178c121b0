package io.zerocopy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.Preference;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.spi.TransferStrategyProvider;

/**
 * The strategies an engine can be built from: those of the {@link TransferStrategyProvider}s
 * found with {@link ServiceLoader} (in discovery order), then the core's; their preferences
 * (the core's {@link Defaults#PREFERENCES} and each provider's, for its own strategies); and
 * the broadcast strategies, the portable {@code copy} last. The first strategy registered
 * under a name wins. Made once per {@code build()}.
 */
final class Catalog {

    final Map<String, TransferStrategy> strategies = new LinkedHashMap<>();
    final List<Preference> preferences = new ArrayList<>();
    final Map<String, BroadcastStrategy> broadcasters = new LinkedHashMap<>();
    final CopyStrategy copy = new CopyStrategy();

    private Catalog() { }

    /**
     * @param loadProviders whether to look for providers
     * @param mmapWindow the {@code mmap} strategy's window
     * @return the catalog
     */
    static Catalog load(boolean loadProviders, long mmapWindow) {
        Catalog c = new Catalog();
        if (loadProviders) {
            for (TransferStrategyProvider p : ServiceLoader.load(TransferStrategyProvider.class,
                    Catalog.class.getClassLoader())) {
                Set<String> own = new HashSet<>();
                for (TransferStrategy s : p.strategies()) {
                    if (c.strategies.putIfAbsent(s.name(), s) == null) {
                        own.add(s.name());
                    }
                }
                for (Preference pref : p.preferences()) {
                    if (own.contains(pref.strategy())) {
                        c.preferences.add(pref);
                    }
                }
                for (BroadcastStrategy s : p.broadcastStrategies()) {
                    c.broadcasters.putIfAbsent(s.name(), s);
                }
            }
        }
        c.broadcasters.putIfAbsent(CopyBroadcast.NAME, new CopyBroadcast());
        for (TransferStrategy s : List.of(new TransferToStrategy(), new MmapStrategy(mmapWindow), c.copy,
                new TransferFromStrategy())) {
            c.strategies.putIfAbsent(s.name(), s);
        }
        c.preferences.addAll(Defaults.PREFERENCES);
        return c;
    }

    /**
     * @param first strategies added first, in the order they lead
     * @param names the strategies to use by name, in order; null for every known one
     * @return the engine's chain: {@code first}, then the named (or every known) strategy
     * @throws IllegalArgumentException if a name is unknown or two strategies share a name
     */
    List<TransferStrategy> chain(List<TransferStrategy> first, List<String> names) {
        List<TransferStrategy> chain = new ArrayList<>(first);
        if (names == null) {
            chain.addAll(strategies.values());
        } else {
            for (String name : names) {
                TransferStrategy s = strategies.get(name);
                if (s == null) {
                    throw new IllegalArgumentException("unknown strategy: " + name + "; known: " + strategies.keySet());
                }
                chain.add(s);
            }
        }
        Set<String> seen = new HashSet<>();
        for (TransferStrategy s : chain) {
            if (!seen.add(s.name())) {
                throw new IllegalArgumentException("duplicate strategy name: " + s.name());
            }
        }
        return chain;
    }
}

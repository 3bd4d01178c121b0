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
}

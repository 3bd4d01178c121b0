package io.zerocopy;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
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
 * under a name wins. A provider that fails to load or throws is left out, logged as a warning.
 * Made once per {@code build()}.
 */
final class Catalog {

    private static final System.Logger LOG = System.getLogger(TransferEngine.class.getName());

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
            Iterator<TransferStrategyProvider> found = ServiceLoader.load(TransferStrategyProvider.class,
                    Catalog.class.getClassLoader()).iterator();
            while (true) {
                TransferStrategyProvider p;
                try {
                    if (!found.hasNext()) {
                        break;
                    }
                    p = found.next();
                } catch (ServiceConfigurationError | LinkageError e) {
                    skipped(null, e); // the iterator goes on with the next provider
                    continue;
                }
                try {
                    c.add(p);
                } catch (RuntimeException | LinkageError e) {
                    skipped(p, e);
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

    /** Registers a provider's strategies, preferences and broadcast strategies: all, or none if it throws. */
    private void add(TransferStrategyProvider p) {
        Map<String, TransferStrategy> offered = new LinkedHashMap<>();
        for (TransferStrategy s : p.strategies()) {
            offered.putIfAbsent(s.name(), s);
        }
        List<Preference> prefs = List.copyOf(p.preferences());
        Map<String, BroadcastStrategy> broadcasts = new LinkedHashMap<>();
        for (BroadcastStrategy s : p.broadcastStrategies()) {
            broadcasts.putIfAbsent(s.name(), s);
        }
        Set<String> own = new HashSet<>();
        offered.forEach((name, s) -> {
            if (strategies.putIfAbsent(name, s) == null) {
                own.add(name);
            }
        });
        for (Preference pref : prefs) {
            if (own.contains(pref.strategy())) {
                preferences.add(pref);
            }
        }
        broadcasts.forEach(broadcasters::putIfAbsent);
    }

    /**
     * A provider that cannot be loaded or throws (against its contract; a {@link LinkageError}
     * such as a class missing from a trimmed runtime) is left out with a warning, so that the
     * engine, and with it the default engine, is still built from the others and the core.
     */
    private static void skipped(TransferStrategyProvider p, Throwable e) {
        LOG.log(Level.WARNING, "zerocopy: strategy provider " + (p == null ? "" : p.getClass().getName() + " ")
                + "left out: " + e, e);
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

package io.zerocopy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Preference;
import io.zerocopy.spi.TransferStrategy;

/**
 * Which strategies a transfer tries, in which order: the one selection path of an engine,
 * used by every transfer and by the engine's introspection alike.
 *
 * <p>The plan for a transfer of a pair of kinds and a size is:
 * <ol>
 *   <li>below the threshold (a known size), the copy loop alone, when the engine has it;</li>
 *   <li>otherwise the strategies added first, then those the user preferred for the pair and
 *       size band, then the rest by rank ({@link Preference}) or, for an engine whose order
 *       was given by name, in that order;</li>
 *   <li>less the strategies that do not {@link TransferStrategy#supports support} the pair and
 *       size, and those refused for the whole engine (the failure memory).</li>
 * </ol>
 * Orders are computed once per pair and size band; a plan lookup allocates nothing.
 * Thread-safe: immutable apart from the failure memory, which is lock-free (a race merely lets
 * two threads try a refused path once each).
 */
final class Selection {

    private static final int KINDS = ChannelKind.values().length;

    private final TransferStrategy[] strategies;
    private final int copyIndex;
    private final long threshold;
    private final long[][] bandStarts;
    private final int[][][] orders;
    private final int[] copyOnly;
    private final AtomicReferenceArray<String> refusals;

    private Selection(TransferStrategy[] strategies, int copyIndex, long threshold, long[][] bandStarts,
            int[][][] orders) {
        this.strategies = strategies;
        this.copyIndex = copyIndex;
        this.threshold = threshold;
        this.bandStarts = bandStarts;
        this.orders = orders;
        this.copyOnly = copyIndex >= 0 ? new int[] {copyIndex} : null;
        this.refusals = new AtomicReferenceArray<>(strategies.length);
    }

    /**
     * @param chain the engine's strategies: those added first, then the rest in registration
     *     (or named) order
     * @param leading how many of them were added first and always lead
     * @param ranks the preferences that order the rest, or null to keep the chain's order
     * @param preferred per pair (see {@link #pair}): band start to the names the user prefers
     * @param copy the copy loop, used alone below the threshold if it is in the chain
     * @param threshold known sizes below it take the copy loop
     * @return the selection
     */
    static Selection build(List<TransferStrategy> chain, int leading, List<Preference> ranks,
            Map<Integer, NavigableMap<Long, List<String>>> preferred, TransferStrategy copy, long threshold) {
        TransferStrategy[] array = chain.toArray(new TransferStrategy[0]);
        List<String> names = new ArrayList<>(array.length);
        for (TransferStrategy s : array) {
            names.add(s.name());
        }
        long[][] starts = new long[KINDS * KINDS][];
        int[][][] orders = new int[KINDS * KINDS][][];
        for (ChannelKind source : ChannelKind.values()) {
            for (ChannelKind target : ChannelKind.values()) {
                int pair = pair(source, target);
                NavigableMap<Long, List<String>> user = preferred.getOrDefault(pair, Collections.emptyNavigableMap());
                TreeSet<Long> bands = new TreeSet<>(user.keySet());
                bands.add(0L);
                if (ranks != null) {
                    for (Preference p : ranks) {
                        if (p.source() == source && p.target() == target) {
                            bands.add(p.minSize());
                        }
                    }
                }
                starts[pair] = bands.stream().mapToLong(Long::longValue).toArray();
                orders[pair] = new int[bands.size()][];
                int b = 0;
                for (long start : bands) {
                    Map.Entry<Long, List<String>> band = user.floorEntry(start);
                    orders[pair][b++] = order(names, leading, band == null ? List.of() : band.getValue(),
                            ranks, source, target, start);
                }
            }
        }
        return new Selection(array, chain.indexOf(copy), threshold, starts, orders);
    }

    private static int[] order(List<String> names, int leading, List<String> preferred, List<Preference> ranks,
            ChannelKind source, ChannelKind target, long size) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < leading; i++) {
            indices.add(i);
        }
        for (String name : preferred) {
            int i = names.indexOf(name);
            if (i >= 0 && !indices.contains(i)) {
                indices.add(i);
            }
        }
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (!indices.contains(i)) {
                rest.add(i);
            }
        }
        if (ranks != null) {
            rest.sort(Comparator.comparingInt(i -> rank(ranks, names.get(i), source, target, size)));
        }
        indices.addAll(rest);
        return indices.stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return the rank of the most specific preference for this strategy, pair and size */
    static int rank(List<Preference> ranks, String name, ChannelKind source, ChannelKind target, long size) {
        Preference best = null;
        for (Preference p : ranks) {
            if (!p.strategy().equals(name)) {
                continue;
            }
            if (p.everyPair()) {
                if (best == null) {
                    best = p;
                }
            } else if (p.source() == source && p.target() == target && p.minSize() <= size
                    && (best == null || best.everyPair() || p.minSize() >= best.minSize())) {
                best = p;
            }
        }
        return best == null ? Preference.DEFAULT_RANK : best.rank();
    }

    static int pair(ChannelKind source, ChannelKind target) {
        return source.ordinal() * KINDS + target.ordinal();
    }

    /**
     * @param size the transfer's size, or -1 if unknown
     * @return indices of the strategies to consider, in order, before {@link #eligible}; not
     *     to be modified
     */
    int[] candidates(ChannelKind source, ChannelKind target, long size) {
        if (copyOnly != null && size >= 0 && size < threshold) {
            return copyOnly;
        }
        int pair = pair(source, target);
        long[] starts = bandStarts[pair];
        int band = starts.length - 1;
        if (size >= 0) {
            while (band > 0 && starts[band] > size) {
                band--;
            }
        }
        return orders[pair][band];
    }

    /** @return whether strategy {@code index} is tried: it supports the pair and size and is not refused */
    boolean eligible(int index, ChannelKind source, ChannelKind target, long size) {
        return refusals.get(index) == null && strategies[index].supports(source, target, size);
    }

    /** @return the names {@link #candidates} and {@link #eligible} give for such a transfer, in order */
    List<String> plan(ChannelKind source, ChannelKind target, long size) {
        List<String> names = new ArrayList<>();
        for (int i : candidates(source, target, size)) {
            if (eligible(i, source, target, size)) {
                names.add(strategies[i].name());
            }
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * Remembers a refusal for the whole engine if the outcome's scope says so.
     *
     * @return true the first time the strategy is refused
     */
    boolean remember(int index, Outcome outcome) {
        return outcome.scope() == Outcome.Scope.ENGINE && refusals.compareAndSet(index, null, outcome.reason());
    }

    TransferStrategy strategy(int index) {
        return strategies[index];
    }

    List<String> names() {
        List<String> names = new ArrayList<>(strategies.length);
        for (TransferStrategy s : strategies) {
            names.add(s.name());
        }
        return Collections.unmodifiableList(names);
    }

    long threshold() {
        return threshold;
    }
}

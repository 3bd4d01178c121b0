package io.zerocopy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The order in which an engine tries its strategies, per pair of endpoint kinds and per size
 * band. A band starts at a size (the first at 0) and holds the names to try first for
 * transfers of at least that size; a transfer of unknown size (until end of stream) takes the
 * last band. Strategies added first to the engine always lead; every other strategy follows
 * the preferred ones in the engine's order. Immutable and thread-safe.
 */
final class Chains {

    static final int KINDS = ChannelKind.values().length;

    private final long[][] bandStarts;
    private final int[][][] orders;

    private Chains(long[][] bandStarts, int[][][] orders) {
        this.bandStarts = bandStarts;
        this.orders = orders;
    }

    static int pair(ChannelKind source, ChannelKind target) {
        return source.ordinal() * KINDS + target.ordinal();
    }

    /**
     * @param names the engine's strategy names, in its order
     * @param leading how many of them were added first and always lead
     * @param preferences per pair: band start to names tried first
     */
    static Chains build(List<String> names, int leading, Map<Integer, NavigableMap<Long, List<String>>> preferences) {
        long[][] starts = new long[KINDS * KINDS][];
        int[][][] orders = new int[KINDS * KINDS][][];
        for (int pair = 0; pair < starts.length; pair++) {
            NavigableMap<Long, List<String>> bands = new TreeMap<>(preferences.getOrDefault(pair, new TreeMap<>()));
            bands.putIfAbsent(0L, List.of());
            starts[pair] = bands.keySet().stream().mapToLong(Long::longValue).toArray();
            orders[pair] = new int[bands.size()][];
            int b = 0;
            for (List<String> preferred : bands.values()) {
                orders[pair][b++] = order(names, leading, preferred);
            }
        }
        return new Chains(starts, orders);
    }

    private static int[] order(List<String> names, int leading, List<String> preferred) {
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
        for (int i = 0; i < names.size(); i++) {
            if (!indices.contains(i)) {
                indices.add(i);
            }
        }
        return indices.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param source the source kind
     * @param target the target kind
     * @param size the transfer's size, or -1 if unknown
     * @return strategy indices in the order to try them; not to be modified
     */
    int[] order(ChannelKind source, ChannelKind target, long size) {
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
}

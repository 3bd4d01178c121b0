package io.zerocopy.spi;

import java.util.Objects;

/**
 * Where a strategy stands in an engine's default order: a rank, for every endpoint pair or for
 * one pair from a size on. For each transfer the engine tries the strategies that support the
 * pair in ascending rank; equal ranks keep the order in which strategies were registered
 * (providers first, then the core).
 *
 * <p>The rank of a strategy for a transfer is that of its most specific preference: one for
 * the transfer's pair with the largest {@link #minSize()} not above the transfer's size (a
 * transfer of unknown size takes the largest), else one for every pair, else
 * {@link #DEFAULT_RANK}. The core's own table uses {@link #MEASURED_BEST} where the benchmark
 * measured a strategy best for a pair and size, {@link #DEFAULT_RANK} for its general paths,
 * {@link #COPY_LOOP} for the copy loop that serves everything, and {@link #ON_REQUEST} for paths
 * tried only when named. Immutable.
 *
 * @param strategy the strategy's name
 * @param source the source kind, or null for every pair
 * @param target the target kind, or null for every pair (both null or neither)
 * @param minSize where the size band starts; 0 for every size
 * @param rank lower is tried first
 */
public record Preference(String strategy, ChannelKind source, ChannelKind target, long minSize, int rank) {

    /** Rank of a strategy measured best for a pair and size band. */
    public static final int MEASURED_BEST = 10;
    /** Rank of a strategy with no preference declared. */
    public static final int DEFAULT_RANK = 50;
    /** Rank of the copy loop: after every zero-copy path. */
    public static final int COPY_LOOP = 90;
    /** Rank of a strategy used only when an engine names it. */
    public static final int ON_REQUEST = 100;

    /**
     * @param strategy the strategy's name
     * @param source the source kind, or null for every pair
     * @param target the target kind, or null for every pair
     * @param minSize where the size band starts
     * @param rank lower is tried first
     * @throws NullPointerException if {@code strategy} is null
     * @throws IllegalArgumentException if only one kind is null, or {@code minSize} is
     *     negative, or a size band is given for every pair
     */
    public Preference {
        Objects.requireNonNull(strategy, "strategy");
        if ((source == null) != (target == null)) {
            throw new IllegalArgumentException("source and target must both be given or both be null: "
                    + source + ", " + target);
        }
        if (minSize < 0) {
            throw new IllegalArgumentException("minSize < 0: " + minSize);
        }
        if (source == null && minSize != 0) {
            throw new IllegalArgumentException("a size band needs a pair: minSize=" + minSize);
        }
    }

    /**
     * @param strategy the strategy's name
     * @param rank its rank for every pair and size
     * @return the preference
     */
    public static Preference everywhere(String strategy, int rank) {
        return new Preference(strategy, null, null, 0, rank);
    }

    /**
     * @param strategy the strategy's name
     * @param source the source kind
     * @param target the target kind
     * @param minSize where the band starts
     * @param rank its rank for that pair from that size on
     * @return the preference
     */
    public static Preference forPair(String strategy, ChannelKind source, ChannelKind target, long minSize, int rank) {
        return new Preference(strategy, Objects.requireNonNull(source, "source"),
                Objects.requireNonNull(target, "target"), minSize, rank);
    }

    /** @return true if this preference holds for every pair */
    public boolean everyPair() {
        return source == null;
    }
}

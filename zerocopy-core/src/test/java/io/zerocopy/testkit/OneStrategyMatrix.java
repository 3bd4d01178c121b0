package io.zerocopy.testkit;

import io.zerocopy.TransferEngine;
import java.util.function.Predicate;

/**
 * The integrity matrix for an engine that must finish every case with one named strategy. The
 * predicate decides every pair, those with a {@code CHANNEL} target included.
 */
public abstract class OneStrategyMatrix extends IntegrityMatrix {

    private final TransferEngine engine;
    private final String strategy;
    private final Predicate<Pair> pairs;

    /**
     * @param engine the engine under test
     * @param strategy the strategy that must finish every case
     * @param pairs the pairs to run
     */
    protected OneStrategyMatrix(TransferEngine engine, String strategy, Predicate<Pair> pairs) {
        this.engine = engine;
        this.strategy = strategy;
        this.pairs = pairs;
    }

    @Override
    protected TransferEngine engine() {
        return engine;
    }

    @Override
    protected boolean covers(Pair pair) {
        return pairs.test(pair);
    }

    @Override
    protected boolean coversChannelTargets() {
        return true;
    }

    @Override
    protected String expectedStrategy(Pair pair, long size) {
        return strategy;
    }
}

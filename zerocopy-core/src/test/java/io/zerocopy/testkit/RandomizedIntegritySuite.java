package io.zerocopy.testkit;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized integrity: random sizes (0 to 8 MiB, biased to page, buffer and pipe boundaries),
 * offsets, endpoint pairs and strategy orders, each case byte-exact.
 *
 * <p>Reproducible: the seed is printed first and in every failure; rerun with
 * {@code -Dzerocopy.seed=N}. {@code -Dzerocopy.random.cases=N} sets the number of cases
 * (default 300); {@code -Dzerocopy.soak.seconds=S} instead runs cases for S seconds (the soak).
 */
public abstract class RandomizedIntegritySuite {

    private static final int[] BOUNDARIES = {0, 1, 4095, 4096, 4097, 8191, 8192, 65535, 65536, 65537,
        (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (8 << 20) - 1, 8 << 20};

    @TempDir
    Path dir;

    /** @return the names of the strategies an engine may be built from, in random orders */
    protected abstract List<String> strategyNames();

    /** @return a builder with providers set as the suite needs */
    protected abstract TransferEngine.Builder builder();

    /** @return the pairs to draw from */
    protected List<Pair> pairs() {
        return List.of(Pair.values());
    }

    @Test
    void randomTransfersAreByteExact() {
        SeededCases.run(getClass().getSimpleName(), "zerocopy.random.cases", 300, this::runCase);
    }

    private void runCase(SplittableRandom r) throws Exception {
        Pair pair = pairs().get(r.nextInt(pairs().size()));
        int size = r.nextInt(3) == 0 ? r.nextInt(8 << 20) : BOUNDARIES[r.nextInt(BOUNDARIES.length)] + r.nextInt(-1, 2);
        size = Math.max(0, size);
        int prefix = r.nextBoolean() ? 0 : r.nextBoolean() ? 4096 * r.nextInt(1, 4) : r.nextInt(1, 10_000);
        List<String> order = new ArrayList<>(strategyNames());
        Collections.shuffle(order, new Random(r.nextLong()));
        order = new ArrayList<>(order.subList(0, r.nextInt(1, order.size() + 1)));
        if (!order.contains("copy")) {
            order.add("copy");
        }
        long threshold = r.nextBoolean() ? TransferEngine.DEFAULT_THRESHOLD : r.nextInt(0, 100_000);
        TransferEngine engine = builder().strategies(order.toArray(new String[0])).threshold(threshold).build();
        byte[] payload = Payloads.generate(size, r.nextLong());
        boolean region = pair.source == ChannelKind.FILE && r.nextBoolean();
        String what = pair + " size=" + size + " prefix=" + prefix + " region=" + region + " order=" + order
                + " threshold=" + threshold;
        try (Endpoints.Source source = Endpoints.source(pair.source, payload, prefix, dir);
             Endpoints.Target target = Endpoints.target(pair.target, dir)) {
            long moved;
            if (region) {
                long count = r.nextBoolean() ? size : size + r.nextInt(1, 5000);
                moved = engine.transfer(source.file(), source.position, count, target.channel());
            } else {
                if (pair.source == ChannelKind.FILE) {
                    source.file().position(source.position);
                }
                moved = engine.transfer(source.channel(), target.channel());
            }
            byte[] received = target.finish();
            source.finish();
            if (moved != size) {
                throw new AssertionError(what + ": returned " + moved);
            }
            Payloads.assertSameBytes(payload, received, what);
        }
        try (var files = Files.list(dir)) {
            if (files.count() > 0) {
                throw new AssertionError(what + ": test files left behind");
            }
        }
    }

    /** @return a builder without providers, for core-only suites */
    protected static TransferEngine.Builder coreOnly() {
        return ZeroCopy.builder().providers(false);
    }
}

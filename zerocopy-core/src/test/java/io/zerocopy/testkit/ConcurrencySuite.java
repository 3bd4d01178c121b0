package io.zerocopy.testkit;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.TransferEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 32 threads transferring at once through one shared engine for a bounded time
 * ({@code -Dzerocopy.concurrency.seconds}, default 8), every transfer byte-exact.
 */
public abstract class ConcurrencySuite {

    /** @return the one engine every thread shares */
    protected abstract TransferEngine engine();

    /** @return the pairs the threads draw from */
    protected List<Pair> pairs() {
        return List.of(Pair.FILE_TO_FILE, Pair.FILE_TO_SOCKET, Pair.SOCKET_TO_SOCKET, Pair.PIPE_TO_FILE, Pair.FILE_TO_PIPE);
    }

    @Test
    void thirtyTwoThreadsShareOneEngine() throws Exception {
        long seconds = Long.getLong("zerocopy.concurrency.seconds", 8);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Path dir = Files.createTempDirectory("zerocopy-concurrency");
        AtomicLong transfers = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        TransferEngine engine = engine();
        List<Future<Void>> threads = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            long seed = t;
            threads.add(Endpoints.peer(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                while (System.nanoTime() < deadline) {
                    Pair pair = pairs().get(r.nextInt(pairs().size()));
                    int size = r.nextBoolean() ? r.nextInt(0, 70_000) : r.nextInt(0, 2 << 20);
                    byte[] payload = Payloads.generate(size, r.nextLong());
                    try (Endpoints.Source s = Endpoints.source(pair.source, payload, r.nextInt(0, 5000), dir);
                         Endpoints.Target d = Endpoints.target(pair.target, dir)) {
                        long moved = pair.source == ChannelKind.FILE
                                ? engine.transfer(s.file(), s.position, size, d.channel())
                                : engine.transfer(s.channel(), d.channel());
                        byte[] got = d.finish();
                        s.finish();
                        if (moved != size) {
                            throw new AssertionError(pair + " size " + size + " returned " + moved);
                        }
                        Payloads.assertSameBytes(payload, got, pair + " size " + size + " thread seed " + seed);
                    }
                    transfers.incrementAndGet();
                    bytes.addAndGet(size);
                }
                return null;
            }));
        }
        for (Future<Void> f : threads) {
            Endpoints.await(f);
        }
        Files.delete(dir);
        System.out.println(getClass().getSimpleName() + ": " + transfers + " transfers, " + bytes + " bytes, 32 threads, "
                + seconds + " s");
        if (transfers.get() < 64) {
            throw new AssertionError("too few transfers to mean anything: " + transfers);
        }
    }
}

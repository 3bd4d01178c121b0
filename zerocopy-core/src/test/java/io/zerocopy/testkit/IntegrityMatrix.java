package io.zerocopy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.TransferEngine;
import io.zerocopy.TransferResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared integrity matrix: every size of {@link Payloads#MATRIX_SIZES} across the endpoint
 * pairs a strategy serves and the {@link ChannelBehaviour}s of their generic ends, with file
 * sources read at position 0 and mid-file (through the region API) and from a channel position
 * (through the stream API). Each case checks the returned count, the target's content byte for
 * byte, and the strategy that finished.
 *
 * <p>Cells: pair × size × read mode for {@link ChannelBehaviour#NORMAL}; for each adversarial
 * behaviour, the same cells of the pairs with a {@code CHANNEL} end, up to the behaviour's
 * {@link ChannelBehaviour#maxSize() maximum size}. The pairs with a {@code CHANNEL} target run
 * only if {@link #coversChannelTargets()} says so.
 *
 * <p>Subclass it once per strategy (or engine): give the engine, the pairs, and the strategy
 * expected to finish each case.
 */
public abstract class IntegrityMatrix {

    /** Where the payload starts in a "mid-file" case: odd, and not page-aligned. */
    public static final int MID = 12_345;

    private static Path dir;

    @BeforeAll
    static void createDirectory() throws Exception {
        dir = Files.createTempDirectory("zerocopy-matrix");
    }

    @AfterAll
    static void deleteDirectory() throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** @return the engine under test; the matrix wraps it with a recording listener */
    protected abstract TransferEngine engine();

    /**
     * @param pair an endpoint pair
     * @return true if the matrix should run it for this engine
     */
    protected abstract boolean covers(Pair pair);

    /**
     * @param pair the pair
     * @param size the transfer size
     * @return the name of the strategy that must report finishing the transfer
     */
    protected abstract String expectedStrategy(Pair pair, long size);

    /** @return the sizes to run; the full matrix by default */
    protected long[] sizes() {
        return Payloads.MATRIX_SIZES;
    }

    /**
     * @return whether to run the pairs with an in-memory target too ({@link Pair#FILE_TO_CHANNEL},
     *     {@link Pair#CHANNEL_TO_CHANNEL}), where the write behaviours apply; {@link #covers} and
     *     {@link #expectedStrategy} must then answer for them. False by default, so that a
     *     matrix written for kernel targets only (zerocopy-linux's) is not asked to name the
     *     strategy that finishes these.
     */
    protected boolean coversChannelTargets() {
        return false;
    }

    /** @return true to move every cell through {@code transferAsync} (waiting for its future) instead of the blocking call */
    protected boolean async() {
        return false;
    }

    /**
     * @param pair a pair {@link #covers} accepts
     * @return in an {@link #async()} matrix, true if the pair's cells must run in non-blocking
     *     steps: every progress report then comes from a reactor or file thread, none from the
     *     driver's blocking threads (a strategy without steps holds one of those). By default,
     *     the pairs whose ends are files, sockets or pipes: every strategy of the library steps
     *     there. A matrix of a strategy that runs only blocking says false
     */
    protected boolean stepped(Pair pair) {
        return pair.source != ChannelKind.CHANNEL && pair.target != ChannelKind.CHANNEL;
    }

    private long transfer(TransferEngine engine, java.nio.channels.FileChannel source, long position, long count,
            java.nio.channels.WritableByteChannel target) throws Exception {
        return async() ? bytes(engine.transferAsync(source, position, count, target))
                : engine.transfer(source, position, count, target);
    }

    private long transfer(TransferEngine engine, java.nio.channels.ReadableByteChannel source,
            java.nio.channels.WritableByteChannel target) throws Exception {
        return async() ? bytes(engine.transferAsync(source, target)) : engine.transfer(source, target);
    }

    /** Waits for an asynchronous cell and rethrows its failure as the blocking call would. */
    private static long bytes(io.zerocopy.TransferFuture f) throws Exception {
        try {
            return f.get(60, java.util.concurrent.TimeUnit.SECONDS).bytes();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    @TestFactory
    Stream<DynamicTest> integrityMatrix() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ChannelBehaviour behaviour : ChannelBehaviour.values()) {
            for (Pair pair : Pair.values()) {
                if (!behaviour.appliesTo(pair) || !covers(pair)
                        || pair.target == ChannelKind.CHANNEL && !coversChannelTargets()) {
                    continue;
                }
                for (long size : sizes()) {
                    if (size <= behaviour.maxSize()) {
                        addCells(tests, pair, (int) size, behaviour);
                    }
                }
            }
        }
        return tests.stream();
    }

    private void addCells(List<DynamicTest> tests, Pair pair, int size, ChannelBehaviour behaviour) {
        String name = pair + " size=" + size + (behaviour == ChannelBehaviour.NORMAL ? "" : " " + behaviour);
        if (pair.source == ChannelKind.FILE) {
            tests.add(DynamicTest.dynamicTest(name + " region@0", () -> run(pair, size, behaviour, 0, true)));
            tests.add(DynamicTest.dynamicTest(name + " region@" + MID, () -> run(pair, size, behaviour, MID, true)));
            tests.add(DynamicTest.dynamicTest(name + " stream@" + MID, () -> run(pair, size, behaviour, MID, false)));
        } else {
            tests.add(DynamicTest.dynamicTest(name + " stream", () -> run(pair, size, behaviour, 0, false)));
        }
    }

    private void run(Pair pair, int size, ChannelBehaviour behaviour, int prefix, boolean region) throws Exception {
        byte[] payload = Payloads.of(size, size);
        RecordingListener listener = new RecordingListener();
        TransferEngine engine = engine().withListener(listener);
        try (Endpoints.Source source = Endpoints.source(pair.source, behaviour.on(pair.source), payload, prefix, dir);
             Endpoints.Target target = Endpoints.target(pair.target, behaviour.on(pair.target), dir)) {
            long moved;
            if (region) {
                moved = transfer(engine, source.file(), source.position, size, target.channel());
                assertEquals(0, source.file().position(), "region transfer moved the source position");
            } else {
                if (source.position > 0) {
                    source.file().position(source.position);
                }
                moved = transfer(engine, source.channel(), target.channel());
                if (pair.source == ChannelKind.FILE) {
                    assertEquals(source.position + size, source.file().position(), "source position after stream transfer");
                }
            }
            byte[] received = target.finish();
            source.finish();
            assertEquals(size, moved, "bytes returned");
            Payloads.assertSameBytes(payload, received, pair + " size " + size + " " + behaviour);
            TransferResult result = listener.last();
            assertEquals(size, result.bytes(), "bytes in result");
            assertEquals(expectedStrategy(pair, size), result.strategy(), "strategy that finished; attempts " + result.attempts());
            if (async() && stepped(pair)) {
                AsyncChecks.assertStepped(listener.progressThreads, size);
            }
        }
    }
}

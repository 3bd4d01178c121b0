package io.zerocopy.testkit;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.spi.ChannelKind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accounting property, randomized over what can go wrong around a transfer: adversarial
 * generic channels ({@link ChannelBehaviour}: short and zero reads and writes), a source that
 * drops ({@link DropsAfter}) or a target that fills ({@link FillsUpAfter}) at a random byte,
 * random strategy orders, chunk sizes and thresholds, up to two custom {@link LyingStrategy}s
 * in front, and a listener that throws now and then. File, generic-channel and memory
 * ({@code send}) sources; generic-channel and file targets. For every case:
 * <ul>
 *   <li>the call returns a count n, or throws a {@code TransferException} with
 *       {@code bytesDelivered()} n (never another exception);</li>
 *   <li>the target holds exactly the source's first n bytes;</li>
 *   <li>a stream or memory source gave up exactly n plus {@code bytesUndelivered()}; a file
 *       source read in stream form is left at its start plus n;</li>
 *   <li>a liar that told a lie the engine can see ({@link LyingStrategy#toldDetectably()}) makes the
 *       call fail with a {@code TransferException} naming it, its cause an
 *       {@code IllegalArgumentException} or {@code IllegalStateException}; no other call fails
 *       with such a cause, nor without a fault or a lie;</li>
 *   <li>without a fault or a lie, n is every byte;</li>
 *   <li>the listener saw progress rise to n and then the outcome: {@code onComplete} with n, or
 *       {@code onFailure} with the exception thrown.</li>
 * </ul>
 *
 * <p>Reproducible: see {@link SeededCases}; {@code -Dzerocopy.accounting.cases=N} sets the
 * number of cases (default 2,000).
 */
public abstract class RandomizedAccountingSuite {

    private static final int[] BOUNDARIES = {0, 1, 511, 512, 513, 4095, 4096, 4097, 8191, 8192, 8193, 65535, 65536,
        65537, 200_000};
    private static final int MAX_SIZE = 300_000;

    @TempDir
    Path dir;

    /** @return the names of the strategies an engine may be built from, in random orders; {@code copy} is always added */
    protected abstract List<String> strategyNames();

    /** @return a builder with providers set as the suite needs */
    protected abstract TransferEngine.Builder builder();

    @Test
    void everyByteIsAccountedForOrTheLiarIsNamed() {
        // the throwing listener's warning, logged once per engine, would flood the output
        Logger engineLog = Logger.getLogger(TransferEngine.class.getName());
        Level level = engineLog.getLevel();
        engineLog.setLevel(Level.OFF);
        try {
            SeededCases.run(getClass().getSimpleName(), "zerocopy.accounting.cases", 2000, this::runCase);
        } finally {
            engineLog.setLevel(level);
        }
    }

    private void runCase(SplittableRandom r) throws Exception {
        ChannelKind sourceKind = List.of(ChannelKind.FILE, ChannelKind.CHANNEL, ChannelKind.MEMORY).get(r.nextInt(3));
        boolean fileTarget = r.nextInt(4) == 0;
        ChannelBehaviour reads = sourceKind == ChannelKind.CHANNEL ? behaviour(r) : ChannelBehaviour.NORMAL;
        ChannelBehaviour writes = fileTarget ? ChannelBehaviour.NORMAL : behaviour(r);
        long maxSize = Math.min(MAX_SIZE, Math.min(reads.maxSize(), writes.maxSize()));
        int size = (int) (r.nextInt(3) == 0 ? r.nextLong(maxSize + 1) : Math.min(maxSize, BOUNDARIES[r.nextInt(BOUNDARIES.length)]));
        byte[] payload = Payloads.generate(size, r.nextLong());
        long dropAt = sourceKind == ChannelKind.CHANNEL && r.nextInt(3) == 0 ? r.nextLong(size + 1L) : -1;
        long fillAt = !fileTarget && r.nextInt(3) == 0 ? r.nextLong(size + 1L) : -1;

        List<String> order = new ArrayList<>(strategyNames());
        Collections.shuffle(order, new Random(r.nextLong()));
        order = new ArrayList<>(order.subList(0, r.nextInt(order.size() + 1)));
        if (!order.contains("copy")) {
            order.add("copy");
        }
        int chunk = new int[] {512, 4096, 65536, r.nextInt(512, 70_000)}[r.nextInt(4)];
        long threshold = new long[] {0, TransferEngine.DEFAULT_THRESHOLD, r.nextInt(100_000)}[r.nextInt(3)];
        TransferEngine.Builder builder = builder().strategies(order.toArray(new String[0])).chunkSize(chunk)
                .threshold(threshold);
        List<LyingStrategy> liars = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            LyingStrategy.Lie lie = LyingStrategy.Lie.values()[r.nextInt(LyingStrategy.Lie.values().length)];
            LyingStrategy liar = new LyingStrategy("liar" + i, lie, r.nextLong(size + 2L));
            liars.add(liar);
            builder.addFirst(liar);
        }
        Observer observer = new Observer(r.nextInt(4) == 0 ? 0 : r.nextInt(1, 6), r.nextLong());
        TransferEngine engine = builder.build().withListener(observer);

        int prefix = r.nextBoolean() ? 0 : r.nextInt(1, 5000);
        boolean region = sourceKind == ChannelKind.FILE && r.nextBoolean();
        long count = r.nextBoolean() ? size : size + r.nextInt(1, 5000);
        String what = sourceKind + (region ? " region count=" + count : "") + " -> " + (fileTarget ? "FILE" : "CHANNEL")
                + " size=" + size + " reads=" + reads + " writes=" + writes + " dropAt=" + dropAt + " fillAt=" + fillAt
                + " order=" + order + " liars=" + liars + " chunk=" + chunk + " threshold=" + threshold;

        ByteArrayInputStream stream = new ByteArrayInputStream(payload);
        ByteBuffer[] buffers = sourceKind == ChannelKind.MEMORY ? split(payload, r) : null;
        FillsUpAfter sink = new FillsUpAfter(fillAt >= 0 ? fillAt : Long.MAX_VALUE, true);
        long delivered;
        long undelivered = 0;
        TransferException failure = null;
        try (Endpoints.Source file = sourceKind == ChannelKind.FILE ? Endpoints.source(ChannelKind.FILE, payload, prefix, dir) : null;
             Endpoints.Target fileOut = fileTarget ? Endpoints.target(ChannelKind.FILE, dir) : null) {
            WritableByteChannel target = fileTarget ? fileOut.channel() : writes.writer(sink);
            try {
                if (sourceKind == ChannelKind.MEMORY) {
                    delivered = engine.send(buffers, target);
                } else if (region) {
                    delivered = engine.transfer(file.file(), prefix, count, target);
                } else if (file != null) {
                    file.file().position(prefix);
                    delivered = engine.transfer(file.channel(), target);
                } else {
                    ReadableByteChannel in = Channels.newChannel(stream);
                    delivered = engine.transfer(reads.reader(dropAt >= 0 ? new DropsAfter(in, dropAt) : in), target);
                }
            } catch (TransferException e) {
                failure = e;
                delivered = e.bytesDelivered();
                undelivered = e.bytesUndelivered();
            }
            byte[] received = fileTarget ? fileOut.finish() : sink.taken();
            what += failure != null ? ": failed " + failure : ": returned " + delivered;

            check(received.length == delivered, what, "the target holds " + received.length + " bytes");
            Payloads.assertSameBytes(Arrays.copyOf(payload, received.length), received, what);
            switch (sourceKind) {
                case FILE:
                    check(undelivered == 0, what, "a file source loses nothing in flight");
                    check(region || file.file().position() == prefix + delivered, what,
                            "the source is left at " + file.file().position());
                    break;
                case MEMORY:
                    long left = 0;
                    for (ByteBuffer b : buffers) {
                        left += b.remaining();
                    }
                    check(size - left == delivered + undelivered, what, "the buffers gave up " + (size - left));
                    break;
                default:
                    long gaveUp = size - stream.available();
                    check(gaveUp == delivered + undelivered, what, "the source gave up " + gaveUp);
            }
        }

        LyingStrategy seen = null;
        boolean mayEndShort = false;
        for (LyingStrategy liar : liars) {
            if (liar.toldDetectably()) {
                seen = liar;
            }
            mayEndShort |= liar.told() && liar.lie() == LyingStrategy.Lie.COMPLETES_EARLY;
        }
        if (seen != null) {
            check(failure != null && seen.name().equals(failure.strategy()), what, seen + " lied and was not named");
            check(failure.getCause() instanceof IllegalArgumentException || failure.getCause() instanceof IllegalStateException,
                    what, "the cause says what the liar reported");
        } else if (failure != null) {
            check(failure.getCause() instanceof IOException && (dropAt >= 0 || fillAt >= 0), what,
                    "only an I/O fault may fail a transfer without a lie");
        } else if (!mayEndShort) {
            check(delivered == size, what, "every byte is delivered");
        }
        observer.check(what, delivered, failure, !(sourceKind == ChannelKind.MEMORY && size == 0));
    }

    private static ChannelBehaviour behaviour(SplittableRandom r) {
        return ChannelBehaviour.values()[r.nextInt(ChannelBehaviour.values().length)];
    }

    /** @return the payload in one to four buffers, each heap or direct */
    private static ByteBuffer[] split(byte[] payload, SplittableRandom r) {
        int parts = r.nextInt(1, 5);
        ByteBuffer[] buffers = new ByteBuffer[parts];
        int from = 0;
        for (int i = 0; i < parts; i++) {
            int to = i == parts - 1 ? payload.length : from + r.nextInt(payload.length - from + 1);
            ByteBuffer b = r.nextBoolean() ? ByteBuffer.allocate(to - from) : ByteBuffer.allocateDirect(to - from);
            buffers[i] = b.put(payload, from, to - from).flip();
            from = to;
        }
        return buffers;
    }

    private static void check(boolean condition, String what, String expectation) {
        if (!condition) {
            throw new AssertionError(what + ": " + expectation);
        }
    }

    /** Records what a listener is told and throws from one call in {@code oneIn} (never with 0). */
    private static final class Observer implements TransferListener {
        private final int oneIn;
        private final SplittableRandom random;
        private long lastProgress;
        private String backwards;
        private final List<TransferResult> completed = new ArrayList<>();
        private final List<TransferException> failed = new ArrayList<>();

        Observer(int oneIn, long seed) {
            this.oneIn = oneIn;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public void onProgress(String strategy, long delivered) {
            if (delivered <= lastProgress && backwards == null) {
                backwards = lastProgress + " -> " + delivered;
            }
            lastProgress = delivered;
            mayThrow();
        }

        @Override
        public void onFallback(String strategy, long delivered, String reason) {
            mayThrow();
        }

        @Override
        public void onComplete(TransferResult result) {
            completed.add(result);
            mayThrow();
        }

        @Override
        public void onFailure(TransferException failure) {
            failed.add(failure);
            mayThrow();
        }

        private void mayThrow() {
            if (oneIn > 0 && random.nextInt(oneIn) == 0) {
                throw new IllegalStateException("a listener that throws");
            }
        }

        void check(String what, long delivered, TransferException failure, boolean ran) {
            RandomizedAccountingSuite.check(backwards == null, what, "progress went backwards: " + backwards);
            RandomizedAccountingSuite.check(lastProgress == delivered, what, "the last progress was " + lastProgress);
            if (failure != null) {
                RandomizedAccountingSuite.check(completed.isEmpty() && failed.equals(List.of(failure)), what,
                        "the listener saw " + completed + " and " + failed);
            } else if (ran) {
                RandomizedAccountingSuite.check(failed.isEmpty() && completed.size() == 1
                        && completed.get(0).bytes() == delivered, what, "the listener saw " + completed + " and " + failed);
            }
        }
    }
}

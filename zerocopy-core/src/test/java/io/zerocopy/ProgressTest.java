package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.FillsUpAfter;
import io.zerocopy.testkit.LyingStrategy;
import io.zerocopy.testkit.Payloads;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.spi.ChannelKind;

/**
 * What a listener learns of each transfer: one {@link TransferInfo} from start to end, with the
 * total when it is known, so that concurrent transfers into one listener can be told apart and
 * a progress bar drawn; listeners written against the forms without it are still called.
 */
class ProgressTest {

    @TempDir
    Path dir;

    /** One listener call, as seen from the transferring thread. */
    record Call(TransferInfo transfer, String method, long delivered, Thread thread) { }

    /** Keeps every call of the info forms, in order. Thread-safe. */
    static class Calls implements TransferListener {
        final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        final List<TransferResult> results = Collections.synchronizedList(new ArrayList<>());
        final List<TransferException> failures = Collections.synchronizedList(new ArrayList<>());

        private void add(TransferInfo transfer, String method, long delivered) {
            calls.add(new Call(transfer, method, delivered, Thread.currentThread()));
        }

        @Override
        public void onStart(TransferInfo transfer) {
            add(transfer, "start", 0);
        }

        @Override
        public void onProgress(TransferInfo transfer, String strategy, long delivered) {
            add(transfer, "progress", delivered);
        }

        @Override
        public void onFallback(TransferInfo transfer, String strategy, long delivered, String reason) {
            add(transfer, "fallback", delivered);
        }

        @Override
        public void onComplete(TransferInfo transfer, TransferResult result) {
            add(transfer, "complete", result.bytes());
            results.add(result);
        }

        @Override
        public void onFailure(TransferInfo transfer, TransferException failure) {
            add(transfer, "failure", failure.bytesDelivered());
            failures.add(failure);
        }

        /** @return the calls per transfer, each list in call order */
        Map<TransferInfo, List<Call>> byTransfer() {
            Map<TransferInfo, List<Call>> by = new IdentityHashMap<>();
            synchronized (calls) {
                for (Call c : calls) {
                    by.computeIfAbsent(c.transfer(), k -> new ArrayList<>()).add(c);
                }
            }
            return by;
        }
    }

    /**
     * Asserts the shape of one transfer's calls: start first, on one thread; progress rising
     * strictly; the end last, after progress reached {@code delivered}.
     */
    private static void assertOneTransfer(List<Call> calls, String end, long delivered) {
        assertEquals("start", calls.get(0).method(), "first call: " + calls.get(0));
        Call last = calls.get(calls.size() - 1);
        assertEquals(end, last.method());
        assertEquals(delivered, last.delivered());
        long before = 0;
        for (Call c : calls) {
            assertSame(calls.get(0).thread(), c.thread(), "every call on the transferring thread");
            if (c.method().equals("progress")) {
                assertTrue(c.delivered() > before, "progress rises: " + before + " then " + c.delivered());
                before = c.delivered();
            }
        }
        assertEquals(delivered, before, "the last progress is the count at the end");
    }

    @Test
    void twoConcurrentTransfersIntoOneListenerAreToldApartByTheirInfo() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        AtomicBoolean overlapped = new AtomicBoolean(true);
        Calls calls = new Calls() {
            @Override
            public void onStart(TransferInfo transfer) {
                super.onStart(transfer);
                started.countDown();
                try {
                    if (!started.await(20, TimeUnit.SECONDS)) {
                        overlapped.set(false);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        TransferEngine engine = ZeroCopy.builder().providers(false).strategies("copy").chunkSize(4096)
                .listener(calls).build();
        byte[] small = Payloads.of((1 << 20) + 5, 31);
        byte[] large = Payloads.of((3 << 20) + 7, 32);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Endpoints.Source a = Endpoints.source(ChannelKind.FILE, small, 0, dir);
             Endpoints.Source b = Endpoints.source(ChannelKind.FILE, large, 0, dir);
             Endpoints.Target ta = Endpoints.target(ChannelKind.FILE, dir);
             Endpoints.Target tb = Endpoints.target(ChannelKind.FILE, dir)) {
            Future<Long> fa = threads.submit(() -> engine.transfer(a.channel(), ta.channel()));
            Future<Long> fb = threads.submit(() -> engine.transfer(b.channel(), tb.channel()));
            assertEquals(small.length, fa.get(60, TimeUnit.SECONDS));
            assertEquals(large.length, fb.get(60, TimeUnit.SECONDS));
            Payloads.assertSameBytes(small, ta.finish(), "first transfer");
            Payloads.assertSameBytes(large, tb.finish(), "second transfer");
        } finally {
            threads.shutdownNow();
        }
        assertTrue(overlapped.get(), "both transfers had started before either moved a byte");
        Map<TransferInfo, List<Call>> by = calls.byTransfer();
        assertEquals(2, by.size(), "two transfers, one TransferInfo each");
        List<Long> totals = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (Map.Entry<TransferInfo, List<Call>> e : by.entrySet()) {
            TransferInfo t = e.getKey();
            assertEquals(ChannelKind.FILE, t.sourceKind());
            assertEquals(ChannelKind.FILE, t.targetKind());
            assertTrue(t.hasTotal());
            assertOneTransfer(e.getValue(), "complete", t.total());
            assertTrue(e.getValue().size() > t.total() / 4096, "a progress call per chunk: " + e.getValue().size());
            totals.add(t.total());
            ids.add(t.id());
        }
        Collections.sort(totals);
        assertEquals(List.of((long) small.length, (long) large.length), totals);
        assertNotEquals(ids.get(0), ids.get(1));
        assertTrue(ids.get(0) > 0 && ids.get(1) > 0);
    }

    @Test
    void aStreamReadToItsEndHasNoTotal() throws Exception {
        Calls calls = new Calls();
        byte[] payload = Payloads.of(200_000, 33);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = ZeroCopy.defaultEngine().withListener(calls).transfer(new ByteArrayInputStream(payload), out);
        assertEquals(payload.length, n);
        Map<TransferInfo, List<Call>> by = calls.byTransfer();
        assertEquals(1, by.size());
        TransferInfo t = by.keySet().iterator().next();
        assertEquals(-1, t.total());
        assertFalse(t.hasTotal());
        assertEquals(ChannelKind.CHANNEL, t.sourceKind());
        assertEquals(ChannelKind.CHANNEL, t.targetKind());
        assertOneTransfer(by.get(t), "complete", payload.length);
    }

    @Test
    void aRegionPastTheFileEndHasTheBytesTheFileHoldsAsTotal() throws Exception {
        Calls calls = new Calls();
        byte[] payload = Payloads.of(100_000, 34);
        Path src = Files.write(dir.resolve("src"), payload);
        try (FileChannel in = FileChannel.open(src)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long n = ZeroCopy.defaultEngine().withListener(calls).transfer(in, 1000, Long.MAX_VALUE - 1000,
                    Channels.newChannel(out));
            assertEquals(payload.length - 1000, n);
        }
        TransferInfo t = calls.byTransfer().keySet().iterator().next();
        assertEquals(payload.length - 1000, t.total());
        assertEquals(ChannelKind.FILE, t.sourceKind());
        assertEquals(ChannelKind.CHANNEL, t.targetKind());
    }

    @Test
    void aSendHasTheBuffersRemainingBytesAsTotal() throws Exception {
        Calls calls = new Calls();
        ByteBuffer header = ByteBuffer.wrap(Payloads.of(100, 35));
        ByteBuffer body = ByteBuffer.allocateDirect(70_000).put(Payloads.of(70_000, 36)).flip();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ZeroCopy.defaultEngine().withListener(calls).send(new ByteBuffer[] {header, body}, Channels.newChannel(out));
        Map<TransferInfo, List<Call>> by = calls.byTransfer();
        TransferInfo t = by.keySet().iterator().next();
        assertEquals(ChannelKind.MEMORY, t.sourceKind());
        assertEquals(70_100, t.total());
        assertOneTransfer(by.get(t), "complete", 70_100);
    }

    @Test
    void fallbacksAndAFailureCarryTheTransfersInfo() throws Exception {
        Calls calls = new Calls();
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0)
                .addFirst(new LyingStrategy("givesUp", LyingStrategy.Lie.GIVES_UP, 1000)).listener(calls).build();
        byte[] payload = Payloads.of(50_000, 37);
        TransferException e = assertThrows(TransferException.class,
                () -> engine.transfer(Channels.newChannel(new ByteArrayInputStream(payload)), new FillsUpAfter(5000, false)));
        Map<TransferInfo, List<Call>> by = calls.byTransfer();
        assertEquals(1, by.size());
        List<Call> one = by.values().iterator().next();
        assertOneTransfer(one, "failure", e.bytesDelivered());
        assertTrue(one.stream().anyMatch(c -> c.method().equals("fallback") && c.delivered() == 1000), one.toString());
        assertSame(e, calls.failures.get(0));
    }

    /** Overrides only the forms without TransferInfo, as listeners written before it did. */
    static final class WithoutInfo implements TransferListener {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onProgress(String strategy, long delivered) {
            calls.add("progress " + strategy + " " + delivered);
        }

        @Override
        public void onFallback(String strategy, long delivered, String reason) {
            calls.add("fallback " + strategy + " " + delivered);
        }

        @Override
        public void onComplete(TransferResult result) {
            calls.add("complete " + result.strategy() + " " + result.bytes());
        }

        @Override
        public void onFailure(TransferException failure) {
            calls.add("failure " + failure.bytesDelivered());
        }
    }

    @Test
    void aListenerWithoutTheInfoFormsIsStillCalled() throws Exception {
        WithoutInfo listener = new WithoutInfo();
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies("copy")
                .addFirst(new LyingStrategy("givesUp", LyingStrategy.Lie.GIVES_UP, 1000)).listener(listener).build();
        byte[] payload = Payloads.of(3000, 38);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        engine.transfer(Channels.newChannel(new ByteArrayInputStream(payload)), Channels.newChannel(out));
        assertThrows(TransferException.class,
                () -> engine.transfer(Channels.newChannel(new ByteArrayInputStream(payload)), new FillsUpAfter(1500, false)));
        assertEquals(List.of("progress givesUp 1000", "fallback givesUp 1000", "progress copy 3000", "complete copy 3000",
                "progress givesUp 1000", "fallback givesUp 1000", "progress copy 1500", "failure 1500"), listener.calls);
    }

    /** README, "Quick start": the per-call listener drawing a progress bar, as printed there. */
    @Test
    void theReadmeProgressBarEndsAtOneHundredPercent() throws Exception {
        Path in = Files.write(dir.resolve("in.bin"), Payloads.of(5 << 20, 39));
        Path outFile = dir.resolve("out.bin");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        long copied;
        try {
            // README begin
            copied = ZeroCopy.defaultEngine().withListener(new TransferListener() {
                @Override public void onProgress(TransferInfo t, String strategy, long delivered) {
                    if (t.total() > 0) System.out.printf("\r#%d [%-20s] %3d%%", t.id(),
                            "=".repeat((int) (20 * delivered / t.total())), 100 * delivered / t.total());
                }
            }).transfer(in, outFile);
            // README end
        } finally {
            System.setOut(stdout);
        }
        assertEquals(5 << 20, copied);
        String bar = printed.toString(StandardCharsets.UTF_8);
        assertTrue(bar.startsWith("\r#") && bar.endsWith(" [====================] 100%"), bar);
    }
}

package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.FillsUpAfter;
import io.zerocopy.testkit.LyingStrategy;
import io.zerocopy.testkit.Payloads;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zerocopy.spi.ChannelKind;

/**
 * Progress is reported as bytes reach the target, ending at the total; the result names the
 * strategy. A listener that throws, from any method of either form, changes nothing but one
 * warning in the log.
 */
class ListenerTest {

    @TempDir
    Path dir;

    @Test
    void progressRisesToTheTotalAndTheResultNamesTheStrategy() throws Exception {
        List<Long> progress = new ArrayList<>();
        List<TransferResult> results = new ArrayList<>();
        TransferListener listener = new TransferListener() {
            @Override
            public void onProgress(String strategy, long delivered) {
                assertEquals("copy", strategy);
                progress.add(delivered);
            }

            @Override
            public void onComplete(TransferResult result) {
                results.add(result);
            }
        };
        TransferEngine engine = ZeroCopy.builder().providers(false).strategies("copy").chunkSize(4096).build()
                .withListener(listener);
        byte[] payload = Payloads.of(1 << 20, 12);
        try (Endpoints.Source src = Endpoints.source(ChannelKind.PIPE, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            engine.transfer(src.channel(), dst.channel());
            Payloads.assertSameBytes(payload, dst.finish(), "listener run");
        }
        assertTrue(progress.size() >= 256, "one report per 4 KiB chunk at least: " + progress.size());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1));
        }
        assertEquals(1 << 20, (long) progress.get(progress.size() - 1));
        assertEquals(1, results.size());
        assertEquals(new TransferResult.Attempt("copy", 1 << 20, null), results.get(0).attempts().get(0));
        assertTrue(results.get(0).nanos() > 0);
    }

    /**
     * Throws from every call: from the forms with {@link TransferInfo} (and {@code onStart}) if
     * {@code infoForms}, else from the forms without it, which the others' defaults call.
     */
    private static final class ThrowingListener implements TransferListener {
        final List<String> calls = new ArrayList<>();
        final boolean infoForms;

        ThrowingListener(boolean infoForms) {
            this.infoForms = infoForms;
        }

        private void fail(String call) {
            calls.add(call);
            throw new IllegalStateException("listener bug in " + call);
        }

        @Override
        public void onStart(TransferInfo transfer) {
            if (infoForms) {
                fail("onStart");
            }
        }

        @Override
        public void onProgress(TransferInfo transfer, String strategy, long delivered) {
            if (infoForms) {
                fail("onProgress");
            }
            TransferListener.super.onProgress(transfer, strategy, delivered);
        }

        @Override
        public void onFallback(TransferInfo transfer, String strategy, long delivered, String reason) {
            if (infoForms) {
                fail("onFallback");
            }
            TransferListener.super.onFallback(transfer, strategy, delivered, reason);
        }

        @Override
        public void onComplete(TransferInfo transfer, TransferResult result) {
            if (infoForms) {
                fail("onComplete");
            }
            TransferListener.super.onComplete(transfer, result);
        }

        @Override
        public void onFailure(TransferInfo transfer, TransferException failure) {
            if (infoForms) {
                fail("onFailure");
            }
            TransferListener.super.onFailure(transfer, failure);
        }

        @Override
        public void onProgress(String strategy, long delivered) {
            fail("onProgress");
        }

        @Override
        public void onFallback(String strategy, long delivered, String reason) {
            fail("onFallback");
        }

        @Override
        public void onComplete(TransferResult result) {
            fail("onComplete");
        }

        @Override
        public void onFailure(TransferException failure) {
            fail("onFailure");
        }
    }

    /** Collects the engine's log records (the default System.Logger backend is java.util.logging). */
    private static final class Records extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() { }

        @Override
        public void close() { }

        long at(Level level) {
            return records.stream().filter(r -> r.getLevel() == level).count();
        }
    }

    @ParameterizedTest(name = "thrown from the forms with TransferInfo: {0}")
    @ValueSource(booleans = {false, true})
    void aListenerThatThrowsChangesNoResultAndIsLoggedOnce(boolean infoForms) throws Exception {
        Logger log = Logger.getLogger(TransferEngine.class.getName());
        Records records = new Records();
        Level level = log.getLevel();
        log.addHandler(records);
        log.setLevel(Level.ALL);
        try {
            ThrowingListener listener = new ThrowingListener(infoForms);
            TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0)
                    .addFirst(new LyingStrategy("givesUp", LyingStrategy.Lie.GIVES_UP, 1000)).listener(listener).build();
            byte[] payload = Payloads.of(1 << 20, 13);
            for (int i = 0; i < 2; i++) {
                try (Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir);
                     Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
                    assertEquals(payload.length, engine.transfer(src.channel(), dst.channel()));
                    Payloads.assertSameBytes(payload, dst.finish(), "every byte, with a listener that throws");
                }
            }
            FillsUpAfter full = new FillsUpAfter(5000, false);
            TransferException e = assertThrows(TransferException.class,
                    () -> engine.transfer(Channels.newChannel(new ByteArrayInputStream(payload)), full));
            assertEquals(5000, e.bytesDelivered());
            assertTrue(e.getCause().getMessage().contains("No space left"), "the transfer's own failure: " + e);
            List<String> every = infoForms ? List.of("onStart", "onProgress", "onFallback", "onComplete", "onFailure")
                    : List.of("onProgress", "onFallback", "onComplete", "onFailure");
            assertTrue(listener.calls.containsAll(every), "every method was called: " + listener.calls);
            assertEquals(1, records.at(Level.WARNING), "one warning for the listener: " + records.records);
            LogRecord warning = records.records.stream().filter(r -> r.getLevel() == Level.WARNING).findFirst().get();
            assertInstanceOf(IllegalStateException.class, warning.getThrown());
            assertEquals(listener.calls.size() - 1, records.at(Level.FINE), "the rest at DEBUG");
        } finally {
            log.removeHandler(records);
            log.setLevel(level);
        }
    }

    /** An Error is not swallowed: a listener's assertion still fails the test that made it. */
    @Test
    void aListenerErrorPropagates() throws Exception {
        TransferListener asserting = new TransferListener() {
            @Override
            public void onComplete(TransferResult result) {
                throw new AssertionError("listener assertion");
            }
        };
        TransferEngine engine = ZeroCopy.builder().providers(false).listener(asserting).build();
        assertThrows(AssertionError.class,
                () -> engine.transfer(Channels.newChannel(new ByteArrayInputStream(new byte[10])), Channels.newChannel(new ByteArrayOutputStream())));
    }
}

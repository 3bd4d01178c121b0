package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.InlineStrategy;
import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.TransferStrategy;

/** A strategy that gives up or fails part-way: the next continues at the exact byte, or the count is reported. */
class FallbackTest {

    @TempDir
    Path dir;

    /** Delivers {@code limit} bytes (in odd-sized pieces) through the copy path, then gives up or throws. */
    static final class GivesUpAfter implements TransferStrategy {
        final long limit;
        final Outcome.Scope scope;
        final boolean fail;
        final AtomicInteger calls = new AtomicInteger();

        GivesUpAfter(long limit, Outcome.Scope scope, boolean fail) {
            this.limit = limit;
            this.scope = scope;
            this.fail = fail;
        }

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public boolean supports(ChannelKind source, ChannelKind target, long size) {
            return true;
        }

        @Override
        public Outcome transfer(Transfer t) throws IOException {
            calls.incrementAndGet();
            ByteBuffer buf = ByteBuffer.allocate(777);
            long budget = limit;
            while (budget > 0 && t.remaining() > 0) {
                buf.clear();
                buf.limit((int) Math.min(Math.min(budget, buf.capacity()), t.remaining()));
                int n = t.sourceKind() == ChannelKind.FILE ? t.sourceFile().read(buf, t.position()) : t.source().read(buf);
                if (n < 0) {
                    return Outcome.COMPLETE;
                }
                buf.flip();
                t.writeFully(buf);
                budget -= n;
            }
            if (fail) {
                throw new IOException("simulated disk failure");
            }
            return t.remaining() == 0 ? Outcome.COMPLETE : Outcome.unsupported(scope, "simulated refusal");
        }
    }

    @ParameterizedTest
    @EnumSource(value = ChannelKind.class, names = {"FILE", "SOCKET", "PIPE", "CHANNEL"})
    void fallbackContinuesAtTheExactByte(ChannelKind sourceKind) throws Exception {
        byte[] payload = Payloads.of(1_000_003, 11);
        GivesUpAfter flaky = new GivesUpAfter(300_001, Outcome.Scope.TRANSFER, false);
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().providers(false).addFirst(flaky).listener(rec).build();
        try (Endpoints.Source src = Endpoints.source(sourceKind, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            long n = engine.transfer(src.channel(), dst.channel());
            assertEquals(payload.length, n);
            Payloads.assertSameBytes(payload, dst.finish(), "after fallback");
            src.finish();
        }
        TransferResult r = rec.last();
        assertEquals(2, r.attempts().size(), r.attempts().toString());
        assertEquals(new TransferResult.Attempt("flaky", 300_001, "simulated refusal"), r.attempts().get(0));
        assertEquals(payload.length - 300_001, r.attempts().get(1).bytes());
        assertTrue(r.fellBack());
        assertEquals(1, rec.fallbacks.size());
    }

    @Test
    void refusalMemoryHoldsUnderConcurrentTransfers() throws Exception {
        GivesUpAfter flaky = new GivesUpAfter(1000, Outcome.Scope.ENGINE, false);
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).addFirst(flaky).build();
        byte[] payload = Payloads.of(50_000, 13);
        java.util.List<java.util.concurrent.Future<Void>> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 16; t++) {
            threads.add(Endpoints.peer(() -> {
                for (int i = 0; i < 50; i++) {
                    copyFileToFile(engine, payload);
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<Void> f : threads) {
            Endpoints.await(f);
        }
        assertTrue(flaky.calls.get() >= 1 && flaky.calls.get() <= 16,
                "at most one try per thread racing the first refusal, then none: " + flaky.calls.get());
    }

    @Test
    void engineRefusalIsRememberedForEveryPair() throws Exception {
        GivesUpAfter flaky = new GivesUpAfter(0, Outcome.Scope.ENGINE, false);
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).addFirst(flaky).build();
        byte[] payload = Payloads.of(10_000, 3);
        copyFileToFile(engine, payload);
        try (Endpoints.Source src = Endpoints.source(ChannelKind.CHANNEL, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            engine.transfer(src.channel(), dst.channel());
        }
        assertEquals(1, flaky.calls.get());
    }

    @Test
    void transferRefusalIsRetriedNextTime() throws Exception {
        GivesUpAfter flaky = new GivesUpAfter(0, Outcome.Scope.TRANSFER, false);
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).addFirst(flaky).build();
        byte[] payload = Payloads.of(10_000, 3);
        copyFileToFile(engine, payload);
        copyFileToFile(engine, payload);
        assertEquals(2, flaky.calls.get());
    }

    @Test
    void failureReportsTheBytesDelivered() throws Exception {
        GivesUpAfter failing = new GivesUpAfter(123_457, Outcome.Scope.TRANSFER, true);
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().providers(false).addFirst(failing).listener(rec).build();
        byte[] payload = Payloads.of(500_000, 5);
        try (Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            TransferException e = assertThrows(TransferException.class, () -> engine.transfer(src.channel(), dst.channel()));
            assertEquals(123_457, e.bytesDelivered());
            assertEquals("flaky", e.strategy());
            assertEquals("simulated disk failure", e.getCause().getMessage());
            assertTrue(e.getMessage().contains("123457 bytes delivered"), e.getMessage());
            assertEquals(123_457, src.file().position(), "a failed stream transfer leaves the source after the last byte delivered");
            byte[] got = dst.finish();
            Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, 123_457), got, "delivered prefix");
        }
        assertEquals(1, rec.failures.size());
    }

    @Test
    void noStrategyLeftIsAnErrorWithTheCount() throws Exception {
        GivesUpAfter flaky = new GivesUpAfter(5000, Outcome.Scope.TRANSFER, false);
        // transferFrom cannot serve a file source: once flaky gives up, nothing is left
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).addFirst(flaky).strategies("transferFrom")
                .build();
        byte[] payload = Payloads.of(20_000, 5);
        try (Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            TransferException e = assertThrows(TransferException.class, () -> engine.transfer(src.channel(), dst.channel()));
            assertEquals(5000, e.bytesDelivered());
            assertTrue(e.getMessage().contains("no strategy can serve FILE -> FILE"), e.getMessage());
        }
    }

    @Test
    void aStrategyBugPropagatesUnwrapped() throws Exception {
        TransferStrategy buggy = InlineStrategy.of("buggy", t -> {
            t.writeFully(ByteBuffer.wrap(new byte[1000]));
            throw new java.nio.channels.NonWritableChannelException();
        });
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).addFirst(buggy).listener(rec).build();
        byte[] payload = Payloads.of(20_000, 5);
        try (Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            assertThrows(java.nio.channels.NonWritableChannelException.class,
                    () -> engine.transfer(src.channel(), dst.channel()));
        }
        assertEquals(0, rec.failures.size(), "a bug is not an I/O failure");
    }

    private void copyFileToFile(TransferEngine engine, byte[] payload) throws Exception {
        try (Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            assertEquals(payload.length, engine.transfer(src.channel(), dst.channel()));
            Payloads.assertSameBytes(payload, dst.finish(), "file copy");
        }
    }
}

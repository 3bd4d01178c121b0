package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Preference;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/** The one selection path: ranks, size bands, the threshold and the failure memory, as introspected and as run. */
class SelectionTest {

    @TempDir
    Path dir;

    /** Serves file pairs by a heap copy, or refuses with a scope after counting the call. */
    static final class Named implements TransferStrategy {
        final String name;
        final Outcome.Scope refuse;
        final AtomicInteger calls = new AtomicInteger();

        Named(String name, Outcome.Scope refuse) {
            this.name = name;
            this.refuse = refuse;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean supports(ChannelKind source, ChannelKind target, long size) {
            return source == ChannelKind.FILE;
        }

        @Override
        public Outcome transfer(Transfer t) throws IOException {
            calls.incrementAndGet();
            if (refuse != null) {
                return Outcome.unsupported(refuse, name + " refuses");
            }
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (t.remaining() > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), t.remaining()));
                if (t.sourceFile().read(buf, t.position()) <= 0) {
                    break;
                }
                t.writeFully(buf.flip());
            }
            return Outcome.COMPLETE;
        }
    }

    private static List<TransferStrategy> chain(TransferStrategy... s) {
        return new ArrayList<>(List.of(s));
    }

    @Test
    void ranksOrderByMostSpecificPreferenceThenRegistration() {
        Named a = new Named("a", null);
        Named b = new Named("b", null);
        Named c = new Named("c", null);
        List<Preference> ranks = List.of(
                Preference.everywhere("c", 20),
                Preference.forPair("b", ChannelKind.FILE, ChannelKind.SOCKET, 0, 10),
                Preference.forPair("b", ChannelKind.FILE, ChannelKind.SOCKET, 1000, 60));
        Selection s = Selection.build(chain(a, b, c), 0, ranks, Map.of(), null, 0);
        assertEquals(List.of("b", "c", "a"), s.plan(ChannelKind.FILE, ChannelKind.SOCKET, 999));
        assertEquals(List.of("c", "a", "b"), s.plan(ChannelKind.FILE, ChannelKind.SOCKET, 1000));
        assertEquals(List.of("c", "a", "b"), s.plan(ChannelKind.FILE, ChannelKind.SOCKET, -1), "unknown size: the last band");
        assertEquals(List.of("c", "a", "b"), s.plan(ChannelKind.FILE, ChannelKind.FILE, 5), "other pairs: everywhere, then default");
        assertEquals(List.of(), s.plan(ChannelKind.SOCKET, ChannelKind.FILE, 5), "unsupported pairs are left out");
    }

    @Test
    void namedOrderIgnoresRanksAndLeadingStrategiesLead() {
        Named a = new Named("a", null);
        Named b = new Named("b", null);
        Named lead = new Named("lead", null);
        List<Preference> ranks = List.of(Preference.everywhere("b", 1));
        assertEquals(List.of("lead", "a", "b"),
                Selection.build(chain(lead, a, b), 1, null, Map.of(), null, 0)
                        .plan(ChannelKind.FILE, ChannelKind.FILE, 10));
        assertEquals(List.of("lead", "b", "a"),
                Selection.build(chain(lead, a, b), 1, ranks, Map.of(), null, 0)
                        .plan(ChannelKind.FILE, ChannelKind.FILE, 10));
    }

    @Test
    void providerPreferencesPlaceItsStrategiesAmongTheCoreOnes() {
        TransferEngine engine = ZeroCopy.builder().providers(false).build();
        assertEquals(List.of("transferTo", "mmap", "copy"), engine.strategies(ChannelKind.FILE, ChannelKind.FILE, 1 << 20));
        assertEquals(List.of("copy"), engine.strategies(ChannelKind.FILE, ChannelKind.FILE, 100), "below the threshold");
        assertEquals(List.of("copy", "transferFrom"), engine.strategies(ChannelKind.SOCKET, ChannelKind.FILE),
                "transferFrom only after the copy loop");
    }

    @Test
    void planShowsTheEngineRefusalAndTransfersSkipIt() throws Exception {
        Named gone = new Named("gone", Outcome.Scope.ENGINE);
        Named once = new Named("once", Outcome.Scope.TRANSFER);
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).addFirst(once).addFirst(gone)
                .listener(rec).build();
        assertEquals(List.of("gone", "once", "transferTo"),
                engine.strategies(ChannelKind.FILE, ChannelKind.FILE, 10_000).subList(0, 3));
        byte[] payload = Payloads.of(10_000, 9);
        for (int i = 0; i < 2; i++) {
            Path src = Files.write(dir.resolve("s" + i), payload);
            assertEquals(payload.length, engine.transfer(src, dir.resolve("d" + i)));
            Payloads.assertSameBytes(payload, Files.readAllBytes(dir.resolve("d" + i)), "copy " + i);
            assertEquals("transferTo", rec.last().strategy());
        }
        assertEquals(1, gone.calls.get(), "an engine-wide refusal is not retried");
        assertEquals(2, once.calls.get(), "a transfer refusal is retried next time");
        List<String> plan = engine.strategies(ChannelKind.FILE, ChannelKind.FILE, 10_000);
        assertFalse(plan.contains("gone"), plan.toString());
        assertEquals(List.of("once", "transferTo"), plan.subList(0, 2));
        assertTrue(engine.withListener(new RecordingListener()).strategies(ChannelKind.FILE, ChannelKind.FILE, 10_000)
                .equals(plan), "engines derived with a listener share the memory");
    }

    @Test
    void belowTheThresholdOnlyTheCopyLoopRuns() throws Exception {
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().providers(false).listener(rec).build();
        byte[] payload = Payloads.of(100, 2);
        Path src = Files.write(dir.resolve("small"), payload);
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("out"), java.nio.file.StandardOpenOption.CREATE,
                     java.nio.file.StandardOpenOption.WRITE)) {
            assertEquals(100, engine.transfer(in, 0, 100, out));
        }
        assertEquals(engine.strategies(ChannelKind.FILE, ChannelKind.FILE, 100), List.of(rec.last().strategy()));
    }
}

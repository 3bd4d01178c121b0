package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.InlineStrategy;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.LyingStrategy;
import io.zerocopy.testkit.LyingStrategy.Lie;
import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.TransferStrategy;

/**
 * A strategy that reports what it did not do fails the transfer loudly, naming it, with the
 * count it reported within bounds; a strategy that stops where the source really ends, or
 * gives up part-way, does not.
 */
class StrategyContractTest {

    private static final int SIZE = 1_000_000;
    private static final int HONEST = 300_001;

    @TempDir
    Path dir;

    private static TransferEngine engineWith(TransferStrategy first, RecordingListener listener) {
        return ZeroCopy.builder().providers(false).threshold(0).addFirst(first).listener(listener).build();
    }

    private static TransferException assertBreach(TransferException e, String strategy, Class<?> cause) {
        assertEquals(strategy, e.strategy(), e.toString());
        assertInstanceOf(cause, e.getCause(), e.toString());
        assertTrue(e.getMessage().contains("strategy contract broken") && e.getCause().getMessage().contains(strategy),
                e.getMessage());
        return e;
    }

    /** The first case: COMPLETE without a byte moved made a file copy return 0 with an empty target. */
    @Test
    void completeWithNothingDeliveredFailsAFileCopy() throws Exception {
        Path in = Files.write(dir.resolve("in"), Payloads.of(SIZE, 1));
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = engineWith(new LyingStrategy("liar", Lie.COMPLETES_EARLY, 0), rec);
        TransferException e = assertThrows(TransferException.class, () -> engine.transfer(in, dir.resolve("out")));
        assertBreach(e, "liar", IllegalStateException.class);
        assertEquals(0, e.bytesDelivered());
        assertEquals(0, Files.size(dir.resolve("out")));
        assertEquals(1, rec.failures.size(), "the listener hears of it");
    }

    /** The second case: a file to a socket reported "0 of 1000000", no error. */
    @Test
    void completeWithNothingDeliveredFailsAFileToSocketTransfer() throws Exception {
        Path in = Files.write(dir.resolve("in"), Payloads.of(SIZE, 2));
        TransferEngine engine = engineWith(new LyingStrategy("liar", Lie.COMPLETES_EARLY, 0), new RecordingListener());
        try (FileChannel file = FileChannel.open(in); Loopback.Connection c = Loopback.connect()) {
            TransferException e = assertThrows(TransferException.class, () -> engine.transfer(file, 0, SIZE, c.client));
            assertBreach(e, "liar", IllegalStateException.class);
            assertEquals(0, e.bytesDelivered());
        }
    }

    /**
     * Every lie against every kind of source, after {@value #HONEST} honest bytes: a lie the
     * engine can see fails with those bytes as the count and exactly them in the target; giving
     * up is allowed (the next strategy finishes); COMPLETE from a stream is its end, a short
     * transfer.
     */
    @ParameterizedTest
    @EnumSource(Lie.class)
    void aLieFailsTheTransferWithTheHonestCount(Lie lie) throws Exception {
        byte[] payload = Payloads.of(SIZE, 3);
        for (ChannelKind kind : new ChannelKind[] {ChannelKind.FILE, ChannelKind.SOCKET, ChannelKind.CHANNEL, ChannelKind.MEMORY}) {
            LyingStrategy liar = new LyingStrategy("liar", lie, HONEST);
            TransferEngine engine = engineWith(liar, new RecordingListener());
            String what = lie + " from " + kind;
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            long delivered;
            try (Endpoints.Source src = kind == ChannelKind.MEMORY ? null : Endpoints.source(kind, payload, 0, dir)) {
                try {
                    delivered = kind == ChannelKind.MEMORY
                            ? engine.send(new ByteBuffer[] {ByteBuffer.wrap(payload)}, Channels.newChannel(received))
                            : engine.transfer(src.channel(), Channels.newChannel(received));
                    assertTrue(!lie.detectable(kind), what + ": returned " + delivered);
                    assertEquals(lie == Lie.GIVES_UP ? SIZE : HONEST, delivered, what);
                } catch (TransferException e) {
                    assertTrue(lie.detectable(kind), what + ": " + e);
                    Class<?> cause = lie.name().contains("ADVANCE") ? IllegalArgumentException.class : IllegalStateException.class;
                    assertBreach(e, "liar", cause);
                    delivered = e.bytesDelivered();
                    assertEquals(HONEST, delivered, what);
                }
            }
            assertTrue(liar.told(), what);
            Payloads.assertSameBytes(Arrays.copyOf(payload, (int) delivered), received.toByteArray(), what);
        }
    }

    @Test
    void aFileThatEndsEarlyIsAShortTransferNotALie() throws Exception {
        byte[] payload = Payloads.of(SIZE, 4);
        Path in = Files.write(dir.resolve("in"), payload);
        TransferEngine engine = engineWith(new LyingStrategy("liar", Lie.COMPLETES_EARLY, Long.MAX_VALUE), new RecordingListener());
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (FileChannel file = FileChannel.open(in)) {
            assertEquals(SIZE - 10, engine.transfer(file, 10, SIZE, Channels.newChannel(received)));
        }
        Payloads.assertSameBytes(Arrays.copyOfRange(payload, 10, SIZE), received.toByteArray(), "short file");
    }

    /** A memory source's count is checked against the buffers: here they did not move. */
    @Test
    void aSendWhoseBuffersDidNotMoveFails() throws Exception {
        TransferStrategy claims = InlineStrategy.of("claims", t -> {
            t.advance(t.remaining());
            return Outcome.COMPLETE;
        });
        ByteBuffer buffer = ByteBuffer.wrap(Payloads.of(50_000, 5));
        TransferException e = assertThrows(TransferException.class,
                () -> engineWith(claims, new RecordingListener()).send(new ByteBuffer[] {buffer}, Channels.newChannel(new ByteArrayOutputStream())));
        assertBreach(e, "claims", IllegalStateException.class);
        assertTrue(e.getCause().getMessage().contains("the buffers hold 50000"), e.getCause().getMessage());
    }

    /** What the strategy threw after its breach does not hide the breach; it is kept as suppressed. */
    @Test
    void aBreachOutranksWhatTheStrategyThrowsAfterIt() throws Exception {
        TransferStrategy overReportsThenFails = InlineStrategy.of("overreports", t -> {
            try {
                t.advance(t.remaining() + 1);
            } catch (IllegalArgumentException e) {
                throw new IOException("gave up after a bad count", e);
            }
            return Outcome.COMPLETE;
        });
        Path in = Files.write(dir.resolve("in"), Payloads.of(10_000, 6));
        TransferException e = assertThrows(TransferException.class,
                () -> engineWith(overReportsThenFails, new RecordingListener()).transfer(in, dir.resolve("out")));
        assertBreach(e, "overreports", IllegalArgumentException.class);
        assertEquals(0, e.bytesDelivered());
    }

    /** A strategy that reads a stream to its end passes every check. */
    @Test
    void anHonestStrategyPassesEveryCheck() throws Exception {
        byte[] payload = Payloads.of(SIZE, 7);
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = engineWith(new LyingStrategy("honest", Lie.GIVES_UP, Long.MAX_VALUE), rec);
        try (Endpoints.Source src = Endpoints.source(ChannelKind.SOCKET, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            assertEquals(SIZE, engine.transfer(src.channel(), dst.channel()));
            Payloads.assertSameBytes(payload, dst.finish(), "honest");
            src.finish();
        }
        assertEquals("honest", rec.last().strategy());
    }
}

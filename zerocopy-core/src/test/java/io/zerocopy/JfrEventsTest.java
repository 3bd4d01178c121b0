package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.FillsUpAfter;
import io.zerocopy.testkit.InlineStrategy;
import io.zerocopy.testkit.LyingStrategy;
import io.zerocopy.testkit.Payloads;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.TransferStrategy;

/**
 * The JFR events, recorded and read back with {@code jdk.jfr.consumer}: one
 * {@code io.zerocopy.Transfer} per transfer with its endpoints, strategy, counts and outcome,
 * one {@code io.zerocopy.Fallback} per fallback linked to it by the transfer's id; recorded by a
 * recording with JFR's default settings, which does not name them.
 */
class JfrEventsTest {

    /** The fields JFR gives every event. */
    private static final List<String> IMPLICIT_FIELDS = List.of("startTime", "duration", "eventThread", "stackTrace");

    @TempDir
    Path dir;

    /** Keeps the id of the transfers it sees, and the last result. */
    private static final class LastId implements TransferListener {
        final AtomicLong id = new AtomicLong();
        volatile TransferResult result;

        @Override
        public void onStart(TransferInfo transfer) {
            id.set(transfer.id());
        }

        @Override
        public void onComplete(TransferResult r) {
            result = r;
        }
    }

    /** Runs {@code body} inside a recording with JFR's default settings; returns its zerocopy events. */
    private List<RecordedEvent> record(ThrowingRunnable body) throws Exception {
        Path file = dir.resolve("rec-" + System.nanoTime() + ".jfr");
        try (Recording r = new Recording(Configuration.getConfiguration("default"))) {
            r.start();
            body.run();
            r.stop();
            r.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.zerocopy."))
                .collect(Collectors.toList());
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static List<RecordedEvent> of(List<RecordedEvent> events, String name, long transferId) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals(name) && e.getLong("transferId") == transferId)
                .collect(Collectors.toList());
    }

    @Test
    void aTransferIsRecordedWithEachFallbackLinkedByItsId() throws Exception {
        LastId ids = new LastId();
        TransferResult[] result = new TransferResult[1];
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0)
                .addFirst(new LyingStrategy("second", LyingStrategy.Lie.GIVES_UP, 3000))
                .addFirst(new LyingStrategy("first", LyingStrategy.Lie.GIVES_UP, 1000))
                .listener(new TransferListener() {
                    @Override
                    public void onStart(TransferInfo transfer) {
                        ids.onStart(transfer);
                    }

                    @Override
                    public void onComplete(TransferResult r) {
                        result[0] = r;
                    }
                }).build();
        byte[] payload = Payloads.of((1 << 20) + 11, 41);
        Path src = Files.write(dir.resolve("src"), payload);
        Path dst = dir.resolve("dst");
        List<RecordedEvent> events = record(() -> assertEquals(payload.length, engine.transfer(src, dst)));
        Payloads.assertSameBytes(payload, Files.readAllBytes(dst), "recorded transfer");

        List<RecordedEvent> transfers = of(events, "io.zerocopy.Transfer", ids.id.get());
        assertEquals(1, transfers.size(), "one Transfer event: " + events);
        RecordedEvent t = transfers.get(0);
        assertEquals("FILE", t.getString("sourceKind"));
        assertEquals("FILE", t.getString("targetKind"));
        assertEquals(result[0].strategy(), t.getString("strategy"));
        assertEquals(2, t.getInt("fallbacks"));
        assertEquals(payload.length, t.getLong("total"));
        assertEquals(payload.length, t.getLong("delivered"));
        assertEquals(0, t.getLong("undelivered"));
        assertEquals(0, t.getLong("copied"), "no strategy reported bytes copied through a buffer");
        assertEquals(0, result[0].bytesCopied());
        assertEquals("completed", t.getString("outcome"));
        assertNull(t.getString("exception"));
        assertFalse(t.getDuration().isNegative());
        assertEquals(Thread.currentThread().getName(), t.getThread().getJavaName());
        assertNull(t.getStackTrace(), "no stack trace unless the recording asks");

        List<RecordedEvent> fallbacks = of(events, "io.zerocopy.Fallback", ids.id.get());
        assertEquals(2, fallbacks.size(), "one Fallback event per fallback: " + events);
        assertEquals(List.of("first", "second"), fallbacks.stream().map(e -> e.getString("strategy")).collect(Collectors.toList()));
        assertEquals(List.of(1000L, 4000L), fallbacks.stream().map(e -> e.getLong("delivered")).collect(Collectors.toList()));
        assertEquals("first gives up after 1000 bytes", fallbacks.get(0).getString("reason"));
        assertEquals("TRANSFER", fallbacks.get(0).getString("scope"));
        assertFalse(fallbacks.get(1).getStartTime().isAfter(t.getEndTime()));
        assertFalse(fallbacks.get(0).getStartTime().isBefore(t.getStartTime()));
    }

    @Test
    void aFailedTransferIsRecordedWithTheBytesItDelivered() throws Exception {
        LastId ids = new LastId();
        TransferEngine engine = ZeroCopy.builder().providers(false).strategies("copy").listener(ids).build();
        byte[] payload = Payloads.of(200_000, 42);
        TransferException[] thrown = new TransferException[1];
        List<RecordedEvent> events = record(() -> thrown[0] = assertThrows(TransferException.class,
                () -> engine.transfer(Channels.newChannel(new ByteArrayInputStream(payload)), new FillsUpAfter(5000, false))));
        RecordedEvent t = of(events, "io.zerocopy.Transfer", ids.id.get()).get(0);
        assertEquals("CHANNEL", t.getString("sourceKind"));
        assertEquals("CHANNEL", t.getString("targetKind"));
        assertEquals("copy", t.getString("strategy"));
        assertEquals(-1, t.getLong("total"));
        assertEquals(5000, t.getLong("delivered"));
        assertEquals(thrown[0].bytesUndelivered(), t.getLong("undelivered"));
        assertTrue(t.getLong("undelivered") > 0, "the copy loop read more than the target took");
        assertEquals("failed", t.getString("outcome"));
        assertEquals("java.io.IOException", t.getString("exception"));
        assertEquals(thrown[0].getMessage(), t.getString("message"));
        assertEquals(0, t.getInt("fallbacks"));
    }

    @Test
    void aTimedOutTransferIsRecordedAsTimedOut() throws Exception {
        LastId ids = new LastId();
        TransferEngine engine = ZeroCopy.builder().providers(false).strategies("copy").listener(ids)
                .idleTimeout(Duration.ofMillis(200)).build();
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel in = Endpoints.nonBlocking(pipe.source()); Pipe.SinkChannel sink = pipe.sink();
             Endpoints.Target out = Endpoints.target(ChannelKind.FILE, dir)) {
            List<RecordedEvent> events = record(() -> assertThrows(TransferTimeoutException.class,
                    () -> engine.transfer(in, out.channel())));
            RecordedEvent t = of(events, "io.zerocopy.Transfer", ids.id.get()).get(0);
            assertEquals("timed out", t.getString("outcome"));
            assertEquals(InterruptedByTimeoutException.class.getName(), t.getString("exception"));
            assertEquals("PIPE", t.getString("sourceKind"));
            assertEquals(0, t.getLong("delivered"));
            assertTrue(t.getDuration().toMillis() >= 200, t.getDuration().toString());
        }
    }

    /**
     * A strategy that delivers 3000 bytes, 2000 of them reported as copied through a buffer,
     * then gives up to the copy loop: the attempts, the result and the event say 2000.
     */
    @Test
    void bytesAStrategyReportedAsCopiedAreInItsAttemptTheResultAndTheEvent() throws Exception {
        LastId ids = new LastId();
        TransferStrategy copier = InlineStrategy.of("copier", t -> {
            ByteBuffer b = ByteBuffer.allocate(3000);
            while (b.hasRemaining() && t.sourceFile().read(b, t.position() + b.position()) > 0) {
                // positional reads until full
            }
            b.flip().limit(1000);
            while (b.hasRemaining()) {
                t.advance(t.target().write(b));
            }
            b.limit(3000);
            while (b.hasRemaining()) {
                t.advanceCopied(t.target().write(b));
            }
            return Outcome.unsupported(Outcome.Scope.TRANSFER, "copier stops after 3000 bytes");
        });
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).addFirst(copier).listener(ids).build();
        byte[] payload = Payloads.of(100_000, 44);
        Path src = Files.write(dir.resolve("src"), payload);
        Path dst = dir.resolve("dst");
        List<RecordedEvent> events = record(() -> assertEquals(payload.length, engine.transfer(src, dst)));
        Payloads.assertSameBytes(payload, Files.readAllBytes(dst), "copied file");
        assertEquals(List.of(new TransferResult.Attempt("copier", 3000, "copier stops after 3000 bytes", 2000),
                new TransferResult.Attempt(ids.result.strategy(), payload.length - 3000, null)), ids.result.attempts());
        assertEquals(2000, ids.result.bytesCopied());
        RecordedEvent t = of(events, "io.zerocopy.Transfer", ids.id.get()).get(0);
        assertEquals(2000, t.getLong("copied"));
        assertEquals(payload.length, t.getLong("delivered"));
    }

    @Test
    void theEventsDescribeThemselvesUnderTheZerocopyCategory() throws Exception {
        List<RecordedEvent> events = record(() -> ZeroCopy.builder().providers(false).threshold(0)
                .addFirst(new LyingStrategy("first", LyingStrategy.Lie.GIVES_UP, 10)).build()
                .transfer(Channels.newChannel(new ByteArrayInputStream(new byte[100])), Channels.newChannel(
                        new java.io.ByteArrayOutputStream())));
        assertTrue(FlightRecorder.isInitialized());
        for (String name : List.of("io.zerocopy.Transfer", "io.zerocopy.Fallback")) {
            EventType type = events.stream().map(RecordedEvent::getEventType).filter(e -> e.getName().equals(name))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + events));
            assertEquals(List.of("zerocopy"), type.getCategoryNames());
            assertTrue(type.getLabel() != null && type.getDescription() != null, name);
            type.getFields().stream().filter(f -> !IMPLICIT_FIELDS.contains(f.getName()))
                    .forEach(f -> assertTrue(f.getLabel() != null && f.getDescription() != null,
                            name + "." + f.getName() + " has a label and a description"));
        }
        assertInstanceOf(JfrRecorder.class, TransferRecorder.INSTANCE);
    }
}

package io.zerocopy.linux;

import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.testkit.Descriptors;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * The splice stepper relaying socket to socket, driven step by step on one thread with a
 * selector as the asynchronous driver drives it: byte-exact delivery, the waits it returns,
 * bounded work per step, pipes leased only while they hold bytes, the pool's exhaustion, and
 * exact counts when a cancelled transfer is closed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpliceStepperTest {

    private static final int PIPE = 1 << 16;
    /** The most one step may deliver: its budget, passed by at most one pipe-full. */
    private static final long MOST_PER_STEP = SpliceStepper.STEP_BYTES + PIPE;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void linux() throws IOException {
        Fixtures.requireLinux();
        Loopback.connect().close(); // its shared server socket is opened on first use
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        assertEquals(0, ChannelDescriptors.channelsInTransfer(), "every channel's O_NONBLOCK bookkeeping ended");
    }

    /** A relay: a feeder writes into {@code in.client}, the stepper moves {@code in.accepted} to {@code out.client}, a reader reads {@code out.accepted}. */
    private final class Relay {
        final Loopback.Connection in = Loopback.connect();
        final Loopback.Connection out = Loopback.connect();
        final byte[] data;
        final ByteBuffer feed;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        SteppedTransfer transfer;
        Stepper stepper;
        StepLoop.Run run;
        private boolean fedAll;

        Relay(PipePool pool, byte[] data, boolean slowTarget) throws IOException {
            this(data, slowTarget);
            transfer = SteppedTransfer.stream(in.accepted, ChannelKind.SOCKET, out.client, ChannelKind.SOCKET);
            closing.add(transfer);
            stepper = new SpliceStrategy(pool, Native.syscalls()).stepper(transfer);
            closing.add(stepper);
        }

        /** The sockets only: no transfer yet. */
        Relay(byte[] data, boolean slowTarget) throws IOException {
            closing.add(in);
            closing.add(out);
            this.data = data;
            this.feed = ByteBuffer.wrap(data);
            in.client.configureBlocking(false);
            in.accepted.configureBlocking(false);
            out.client.configureBlocking(false);
            out.accepted.configureBlocking(false);
            if (slowTarget) {
                out.client.setOption(StandardSocketOptions.SO_SNDBUF, 32 * 1024);
                out.accepted.setOption(StandardSocketOptions.SO_RCVBUF, 32 * 1024);
            }
        }

        /** Writes what the feeder's socket takes now, up to {@code upTo} bytes of the data in all. */
        void feed(int upTo) throws IOException {
            int limit = feed.limit();
            feed.limit(Math.max(feed.position(), Math.min(upTo, data.length)));
            in.client.write(feed);
            feed.limit(limit);
        }

        /** Feeds the rest; shuts the feeder's output once everything is written. */
        void feedAllAndEnd() throws IOException {
            if (feed.hasRemaining()) {
                in.client.write(feed);
            }
            if (!feed.hasRemaining() && !fedAll) {
                in.client.shutdownOutput();
                fedAll = true;
            }
        }

        /** Reads what the reader's socket holds now. */
        void read() throws IOException {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            while (out.accepted.read(b) > 0) {
                received.write(b.array(), 0, b.position());
                b.clear();
            }
        }

        /** After the relay completed: ends the target's stream and reads the reader's side to its end. */
        byte[] readToEnd() throws IOException {
            out.client.shutdownOutput();
            out.accepted.configureBlocking(true);
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            while (out.accepted.read(b) >= 0) {
                received.write(b.array(), 0, b.position());
                b.clear();
            }
            return received.toByteArray();
        }

        boolean waitsForTarget() {
            return run.last == Step.AWAIT_TARGET || run.last == Step.AWAIT_EITHER;
        }
    }

    private static int leased(PipePool pool) {
        return pool.openPipes() - pool.idlePipes();
    }

    @Test
    void relayOfOneMebibyteWaitsForTheSourceThenTheTargetAndHoldsThePipeOnlyMeanwhile() throws Exception {
        PipePool pool = new PipePool(64, PIPE);
        closing.add(pool);
        byte[] data = Payloads.of((1 << 20) + 7, 1);
        Relay r = new Relay(pool, data, true);
        assertInstanceOf(SpliceStepper.class, r.stepper);
        assertFalse(r.stepper.blocksOnFileIo());
        try (StepLoop loop = new StepLoop()) {
            r.run = loop.start(r.transfer, r.stepper);
            assertSame(Step.AWAIT_SOURCE, r.run.last, "nothing to read yet");
            assertEquals(0, leased(pool), "no pipe leased while nothing is in flight");

            r.feed(100_000);
            while (r.transfer.delivered() < 100_000) {
                loop.round(10);
            }
            assertSame(Step.AWAIT_SOURCE, r.run.last);
            assertEquals(0, leased(pool), "the pipe went back to the pool once empty");

            while (!r.waitsForTarget()) { // the reader reads nothing: the target fills up
                assertFalse(r.run.done(), () -> "ended early: " + r.run.outcome);
                r.feed(data.length);
                loop.round(10);
            }
            assertEquals(1, leased(pool), "the pipe is kept while its bytes wait for the target");

            while (!r.run.done()) {
                r.feedAllAndEnd();
                r.read();
                loop.round(1);
            }
        }
        assertTrue(r.run.outcome.isComplete(), r.run.outcome::toString);
        assertSameBytes(data, r.readToEnd(), "relayed bytes");
        assertEquals(data.length, r.transfer.delivered());
        assertEquals(0, r.transfer.undeliveredBytes());
        assertTrue(r.run.waits.contains(Step.AWAIT_SOURCE), r.run.waits::toString);
        assertTrue(r.run.mostPerStep <= MOST_PER_STEP, "one step delivered " + r.run.mostPerStep);
        assertEquals(0, leased(pool));
    }

    @Test
    void relayOf64MebibytesToASlowReaderIsDeliveredInBoundedSteps() throws Exception {
        PipePool pool = new PipePool(64, PIPE);
        closing.add(pool);
        byte[] data = Payloads.of((64 << 20) + 3, 2);
        Relay r = new Relay(pool, data, false);
        r.in.client.configureBlocking(true);
        r.out.accepted.configureBlocking(true);
        CompletableFuture<Void> feeder = Fixtures.feed(r.in.client, data, true);
        CompletableFuture<byte[]> reader = SlowReader.slow(r.out.accepted);
        try (StepLoop loop = new StepLoop()) {
            r.run = loop.start(r.transfer, r.stepper);
            while (loop.round(100) > 0) {
                assertFalse(feeder.isCompletedExceptionally());
            }
        }
        r.out.client.shutdownOutput();
        assertTrue(r.run.outcome.isComplete(), r.run.outcome::toString);
        assertSameBytes(data, reader.get(60, TimeUnit.SECONDS), "relayed bytes");
        assertEquals(data.length, r.transfer.delivered());
        assertTrue(r.run.waits.contains(Step.AWAIT_TARGET) || r.run.waits.contains(Step.AWAIT_EITHER),
                "waited for the slow reader: " + r.run.waits);
        assertTrue(r.run.mostPerStep <= MOST_PER_STEP, "one step delivered " + r.run.mostPerStep);
        assertTrue(r.run.steps >= data.length / MOST_PER_STEP, r.run.steps + " steps");
        assertEquals(0, leased(pool));
    }

    @Test
    void aThousandRelaysOnOneThreadShareSixtyFourPipesLeasedOnlyWhileTheyHoldBytes() throws Exception {
        int n = 1000;
        PipePool pool = new PipePool(64, PIPE);
        closing.add(pool);
        List<Relay> relays = new ArrayList<>();
        try (StepLoop loop = new StepLoop()) {
            for (int i = 0; i < n; i++) {
                Relay r = new Relay(pool, Payloads.of(48 * 1024 + i, 100 + i), false);
                r.run = loop.start(r.transfer, r.stepper);
                relays.add(r);
            }
            for (Relay r : relays) {
                r.feed(r.data.length / 2);
            }
            while (!relays.stream().allMatch(r -> r.received.size() == r.data.length / 2 && r.run.last == Step.AWAIT_SOURCE)) {
                for (Relay r : relays) {
                    r.read();
                }
                loop.round(1);
                assertTrue(leased(pool) <= 64);
                for (Relay r : relays) {
                    assertFalse(r.run.done(), () -> "a relay ended early: " + r.run.outcome);
                }
            }
            assertEquals(0, leased(pool), "1,000 relays in progress, each waiting for its source, hold no pipe");

            while (loop.round(1) > 0) {
                for (Relay r : relays) {
                    r.feedAllAndEnd();
                    r.read();
                }
                assertTrue(leased(pool) <= 64);
            }
        }
        for (Relay r : relays) {
            assertTrue(r.run.outcome.isComplete(), "splice ran every relay to its end: " + r.run.outcome);
            assertSameBytes(r.data, r.readToEnd(), "relayed bytes");
            assertEquals(r.data.length, r.transfer.delivered());
        }
        assertEquals(0, leased(pool));
        assertTrue(pool.openPipes() <= 64);
    }

    @Test
    void withEveryPipeHoldingBytesARelayWithoutDataWaitsAndOneWithDataCopiesThroughTheBuffer() throws Exception {
        PipePool pool = new PipePool(1, PIPE);
        closing.add(pool);
        byte[] data = Payloads.of(1 << 20, 3);
        Relay holder = new Relay(pool, data, true);
        Relay other = new Relay(pool, Payloads.of(5000, 4), false);
        try (StepLoop loop = new StepLoop()) {
            holder.run = loop.start(holder.transfer, holder.stepper);
            while (!holder.waitsForTarget()) {
                holder.feed(data.length);
                loop.round(10);
            }
            assertEquals(1, leased(pool));

            other.run = loop.start(other.transfer, other.stepper);
            assertSame(Step.AWAIT_SOURCE, other.run.last, "no pipe free, and nothing to read: it waits");

            other.feed(5000);
            other.in.client.shutdownOutput();
            while (!other.run.done()) {
                other.read();
                loop.round(10);
            }
            assertTrue(other.run.outcome.isComplete(), "no fallback: " + other.run.outcome);
            assertEquals(1, leased(pool), "the holder's pipe, still holding bytes");
            assertTrue(holder.waitsForTarget());
        }
        assertSameBytes(other.data, other.readToEnd(), "bytes relayed through the buffer");
        assertEquals(5000, other.transfer.delivered());
        assertEquals(5000, ((SpliceStepper) other.stepper).copied(), "every byte went through the buffer");
        assertEquals(5000, other.transfer.copiedBytes(), "and was reported as copied");
        assertEquals(0, ((SpliceStepper) holder.stepper).copied(), "the holder spliced");
        assertEquals(0, holder.transfer.copiedBytes(), "and reported no copied byte");
    }

    /**
     * 100 relays find the pool's one pipe held elsewhere: each relays 5000 bytes through its
     * buffer, reports them with {@code advanceCopied}, and then waits for its source holding no
     * buffer. Once the pipe is free again they splice the rest: no more bytes copied.
     */
    @Test
    void relaysThatCopiedThroughTheBufferHoldNoBufferWhileTheyWaitAndReportEveryCopiedByte() throws Exception {
        int n = 100;
        PipePool pool = new PipePool(1, PIPE);
        closing.add(pool);
        PooledPipe held = pool.acquire();
        List<Relay> relays = new ArrayList<>();
        try (StepLoop loop = new StepLoop()) {
            for (int i = 0; i < n; i++) {
                Relay r = new Relay(pool, Payloads.of(8000 + i, 200 + i), false);
                relays.add(r);
                r.run = loop.start(r.transfer, r.stepper);
                r.feed(5000);
            }
            while (relays.stream().anyMatch(r -> r.transfer.delivered() < 5000 || r.run.last != Step.AWAIT_SOURCE)) {
                loop.round(10);
                for (Relay r : relays) {
                    r.read();
                }
            }
            for (Relay r : relays) {
                SpliceStepper stepper = (SpliceStepper) r.stepper;
                assertEquals(5000, stepper.copied(), "no pipe free: every byte through the buffer");
                assertEquals(5000, r.transfer.copiedBytes(), "reported as copied");
                assertFalse(r.transfer.holdsBuffer(), "waiting for its source with an empty buffer, it holds none");
                assertTrue(r.transfer.buffersTaken() >= 1);
            }
            pool.release(held);
            while (loop.round(10) > 0) {
                for (Relay r : relays) {
                    r.feedAllAndEnd();
                    r.read();
                }
            }
        }
        for (Relay r : relays) {
            assertTrue(r.run.outcome.isComplete(), r.run.outcome::toString);
            assertSameBytes(r.data, r.readToEnd(), "relayed bytes");
            assertEquals(5000, r.transfer.copiedBytes(), "the rest was spliced");
            assertEquals(((SpliceStepper) r.stepper).copied(), r.transfer.copiedBytes());
            assertFalse(r.transfer.holdsBuffer());
        }
        assertEquals(0, leased(pool));
    }

    @Test
    void withThePoolsOnlyPipeLeasedElsewhereAFourMebibyteRelayToASlowReaderCompletesThroughTheBufferThenThePipe()
            throws Exception {
        PipePool pool = new PipePool(1, PIPE);
        closing.add(pool);
        PooledPipe held = pool.acquire();
        byte[] data = Payloads.of((4 << 20) + 11, 6);
        Relay r = new Relay(pool, data, true);
        SpliceStepper stepper = (SpliceStepper) r.stepper;
        r.in.client.configureBlocking(true);
        r.out.accepted.configureBlocking(true);
        CompletableFuture<Void> feeder = Fixtures.feed(r.in.client, data, true);
        CompletableFuture<byte[]> reader = SlowReader.slow(r.out.accepted);
        long copiedBefore = SpliceStepper.copiedInProcess();
        long copiedWhileHeld = -1;
        try (StepLoop loop = new StepLoop()) {
            r.run = loop.start(r.transfer, r.stepper);
            while (loop.round(100) > 0) {
                assertFalse(feeder.isCompletedExceptionally());
                if (held != null) {
                    assertEquals(r.transfer.delivered(), stepper.copied(), "no pipe free: every byte through the buffer");
                    if (r.transfer.delivered() >= data.length / 2) {
                        copiedWhileHeld = stepper.copied();
                        pool.release(held);
                        held = null;
                    }
                } else {
                    assertFalse(stepper.buffered() > 0 && leased(pool) == 1, "the buffer and the pipe both hold bytes");
                }
            }
        }
        r.out.client.shutdownOutput();
        assertTrue(r.run.outcome.isComplete(), "no fallback: " + r.run.outcome);
        assertSameBytes(data, reader.get(60, TimeUnit.SECONDS), "relayed bytes, in order across the switch");
        assertEquals(data.length, r.transfer.delivered());
        assertTrue(copiedWhileHeld >= data.length / 2, "copied while the pipe was held: " + copiedWhileHeld);
        assertTrue(stepper.copied() < data.length, "once the pipe was free the relay spliced: " + stepper.copied());
        assertTrue(SpliceStepper.copiedInProcess() - copiedBefore >= stepper.copied());
        assertTrue(r.run.waits.contains(Step.AWAIT_TARGET), "waited for the slow reader: " + r.run.waits);
        assertTrue(r.run.mostPerStep <= MOST_PER_STEP, "one step delivered " + r.run.mostPerStep);
        assertEquals(0, stepper.buffered());
        assertEquals(0, leased(pool));
    }

    @Test
    void aRelayToAFileWithNoPipeFreeWritesThroughTheBufferAtTheFilePosition(@TempDir Path dir) throws Exception {
        PipePool pool = new PipePool(1, PIPE);
        closing.add(pool);
        PooledPipe held = pool.acquire();
        byte[] data = Payloads.of((1 << 20) + 5, 8);
        Relay r = new Relay(data, false);
        try (FileChannel file = FileChannel.open(dir.resolve("out"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            file.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            SteppedTransfer t = SteppedTransfer.stream(r.in.accepted, ChannelKind.SOCKET, file, ChannelKind.FILE);
            closing.add(t);
            StepLoop.Run run;
            long copied;
            try (SpliceStepper stepper = (SpliceStepper) new SpliceStrategy(pool, Native.syscalls()).stepper(t);
                 StepLoop loop = new StepLoop()) {
                assertTrue(stepper.blocksOnFileIo());
                run = loop.start(t, stepper);
                while (!run.done()) {
                    r.feedAllAndEnd();
                    loop.round(1);
                }
                copied = stepper.copied();
            }
            assertTrue(run.outcome.isComplete(), run.outcome::toString);
            assertEquals(data.length, copied);
            assertEquals(3 + data.length, file.position(), "the channel position follows the bytes written");
            ByteBuffer back = ByteBuffer.allocate(data.length);
            file.read(back, 3);
            assertSameBytes(data, back.array(), "the file's bytes after the first three");
        }
        pool.release(held);
    }

    @Test
    void closingACancelledRelayReportsExactCountsAndLeaksNoDescriptor() throws Exception {
        PipePool pool = new PipePool(4, PIPE);
        byte[] data = Payloads.of(1 << 20, 5);
        Relay r = new Relay(data, true);
        Descriptors.Snapshot before = Descriptors.snapshot();
        SteppedTransfer t = SteppedTransfer.stream(r.in.accepted, ChannelKind.SOCKET, r.out.client, ChannelKind.SOCKET);
        Stepper stepper = new SpliceStrategy(pool, Native.syscalls()).stepper(t);
        StepLoop.Run run;
        try (StepLoop loop = new StepLoop()) {
            run = loop.start(t, stepper);
            while (!(run.last == Step.AWAIT_TARGET || run.last == Step.AWAIT_EITHER)) {
                r.feed(data.length);
                loop.round(10);
            }
            assertEquals(1, leased(pool), "bytes in the pipe");
            Waiter.of(t).cancel();
            assertThrows(Waiter.Cancelled.class, stepper::step);
            stepper.close();
        }
        t.close();
        assertTrue(t.undeliveredBytes() > 0, "the pipe held bytes");
        assertEquals(0, pool.openPipes(), "the pipe holding bytes was closed, not pooled");
        assertExactCounts(r, t);
        pool.close();
        before.assertOpened(0, "descriptors opened by the stepper and the pool");
    }

    @Test
    void closingARelayCancelledWithBytesInTheBufferReportsThemUndelivered() throws Exception {
        PipePool pool = new PipePool(1, PIPE);
        PooledPipe held = pool.acquire();
        byte[] data = Payloads.of(1 << 20, 9);
        Relay r = new Relay(data, true);
        Descriptors.Snapshot before = Descriptors.snapshot();
        SteppedTransfer t = SteppedTransfer.stream(r.in.accepted, ChannelKind.SOCKET, r.out.client, ChannelKind.SOCKET);
        SpliceStepper stepper = (SpliceStepper) new SpliceStrategy(pool, Native.syscalls()).stepper(t);
        int inBuffer;
        try (StepLoop loop = new StepLoop()) {
            StepLoop.Run run = loop.start(t, stepper);
            while (!(run.last == Step.AWAIT_TARGET && stepper.buffered() > 0)) {
                assertFalse(run.done(), () -> "ended early: " + run.outcome);
                r.feed(data.length);
                loop.round(10);
            }
            inBuffer = stepper.buffered();
            assertEquals(1, leased(pool), "only the pipe held elsewhere");
            Waiter.of(t).cancel();
            assertThrows(Waiter.Cancelled.class, stepper::step);
            stepper.close();
        }
        t.close();
        assertEquals(inBuffer, t.undeliveredBytes(), "the bytes in the buffer");
        assertEquals(t.delivered(), stepper.copied());
        assertExactCounts(r, t);
        pool.release(held);
        pool.close();
        before.assertOpened(0, "descriptors opened by the stepper");
    }

    /**
     * After a relay was cancelled and closed: the peer read exactly what was delivered, and every
     * byte fed was delivered, reported undelivered, or is still in the source, in order.
     */
    private static void assertExactCounts(Relay r, SteppedTransfer t) throws IOException {
        int fed = r.feed.position();
        r.in.client.shutdownOutput();
        r.in.accepted.configureBlocking(true);
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        while (r.in.accepted.read(b) >= 0) {
            rest.write(b.array(), 0, b.position());
            b.clear();
        }
        byte[] peer = r.readToEnd();
        assertEquals(t.delivered(), peer.length, "delivered is what the peer read");
        assertSameBytes(Arrays.copyOf(r.data, peer.length), peer, "delivered bytes");
        assertEquals(fed, t.delivered() + t.undeliveredBytes() + rest.size(), "every byte fed is delivered, undelivered or still in the source");
        assertSameBytes(Arrays.copyOfRange(r.data, (int) (t.delivered() + t.undeliveredBytes()), fed), rest.toByteArray(),
                "bytes left in the source");
    }
}

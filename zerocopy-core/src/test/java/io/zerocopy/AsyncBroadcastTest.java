package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * {@link TransferEngine#broadcastAsync}: every target gets the region byte-exact at its own
 * pace, a stalled or failed target holds back no other, all-or-nothing and cancellation stop
 * every target with exact counts, bad input fails before anything starts, and waiting targets
 * hold no thread.
 */
@org.junit.jupiter.api.Timeout(120)
class AsyncBroadcastTest {

    private static final int SIZE = 3 * 1024 * 1024 + 17;

    private final TransferEngine engine = ZeroCopy.builder().providers(false).strategies("copy").build();
    private final ExecutorService readers = Executors.newCachedThreadPool();
    private final List<Loopback.Connection> connections = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws IOException {
        readers.shutdownNow();
        for (Loopback.Connection c : connections) {
            c.close();
        }
    }

    private List<WritableByteChannel> targets(int n) {
        List<WritableByteChannel> targets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Loopback.Connection c = Loopback.connect();
            connections.add(c);
            targets.add(c.client);
        }
        return targets;
    }

    /** Reads connection i to its end on a reader thread, starting after {@code delayMillis}. */
    private Future<byte[]> reader(int i, long delayMillis) {
        return readers.submit(() -> {
            Thread.sleep(delayMillis);
            return AsyncChecks.readAll(connections.get(i).accepted);
        });
    }

    private FileChannel file(byte[] payload) throws IOException {
        Path p = dir.resolve("source");
        Files.write(p, payload);
        return FileChannel.open(p);
    }

    @Test
    void everyTargetReceivesTheRegionByteExact() throws Exception {
        byte[] payload = Payloads.of(SIZE, 1);
        try (FileChannel source = file(payload)) {
            List<WritableByteChannel> targets = targets(6);
            List<Future<byte[]>> received = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                received.add(reader(i, 0));
            }
            BroadcastResult r = engine.broadcastAsync(source, 5, SIZE - 10, targets).get(60, TimeUnit.SECONDS);
            assertTrue(r.allDelivered(), r.toString());
            assertEquals(SIZE - 10, r.sourceBytes());
            assertEquals("copy", r.strategy());
            byte[] region = Arrays.copyOfRange(payload, 5, SIZE - 5);
            for (int i = 0; i < targets.size(); i++) {
                assertEquals(SIZE - 10, r.targets().get(i).bytes());
                assertNull(r.targets().get(i).failure());
                connections.get(i).client.shutdownOutput();
                Payloads.assertSameBytes(region, received.get(i).get(30, TimeUnit.SECONDS), "target " + i);
                assertTrue(connections.get(i).client.isBlocking(), "target " + i + " back in blocking mode");
            }
            assertEquals(0, source.position(), "the region form leaves the source's position alone");
        }
    }

    @Test
    void aStalledTargetHoldsBackNoOtherAndEndsWithItsExactCount() throws Exception {
        byte[] payload = Payloads.of(24 * 1024 * 1024, 2);
        TransferEngine stalls = ZeroCopy.builder().providers(false).strategies("copy")
                .broadcastStallTimeout(Duration.ofMillis(400)).build();
        try (FileChannel source = file(payload)) {
            List<WritableByteChannel> targets = targets(3);
            Future<byte[]> first = reader(0, 0);
            Future<byte[]> third = reader(2, 0);
            // target 1 is read by nobody: its socket buffers fill and it stalls
            BroadcastResult r = stalls.broadcastAsync(source, 0, payload.length, targets).get(60, TimeUnit.SECONDS);
            assertFalse(r.allDelivered());
            assertEquals(payload.length, r.targets().get(0).bytes());
            assertEquals(payload.length, r.targets().get(2).bytes());
            BroadcastResult.Target stalled = r.targets().get(1);
            assertInstanceOf(TransferTimeoutException.class, stalled.failure());
            assertTrue(stalled.bytes() < payload.length, "the stalled target got " + stalled.bytes());
            for (int i = 0; i < 3; i++) {
                connections.get(i).client.shutdownOutput();
            }
            Payloads.assertSameBytes(payload, first.get(30, TimeUnit.SECONDS), "target 0");
            Payloads.assertSameBytes(payload, third.get(30, TimeUnit.SECONDS), "target 2");
            byte[] late = AsyncChecks.readAll(connections.get(1).accepted);
            assertEquals(stalled.bytes(), late.length, "the stalled target received exactly its count");
            Payloads.assertSameBytes(Arrays.copyOf(payload, late.length), late, "target 1");
        }
    }

    @Test
    void allOrNothingStopsEveryTargetAtTheFirstFailureWithExactCounts() throws Exception {
        byte[] payload = Payloads.of(24 * 1024 * 1024, 3);
        TransferEngine strict = ZeroCopy.builder().providers(false).strategies("copy")
                .broadcastAllOrNothing(true).build();
        try (FileChannel source = file(payload)) {
            List<WritableByteChannel> targets = targets(3);
            connections.get(1).accepted.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            connections.get(1).accepted.close(); // a reset: target 1 fails
            // nobody reads targets 0 and 2: they wait with full buffers until the failure stops them
            BroadcastFuture f = strict.broadcastAsync(source, 0, payload.length, targets);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
            BroadcastException be = assertInstanceOf(BroadcastException.class, e.getCause());
            BroadcastResult r = be.result();
            Throwable reset = r.targets().get(1).failure();
            assertInstanceOf(IOException.class, reset);
            assertFalse(reset instanceof TransferCancelledException, "target 1 failed on its own: " + reset);
            assertTrue(be.getMessage().contains("target #1 failed"), be.getMessage());
            for (int i : new int[] {0, 2}) {
                BroadcastResult.Target t = r.targets().get(i);
                assertInstanceOf(TransferCancelledException.class, t.failure(), "target " + i);
                connections.get(i).client.shutdownOutput();
                byte[] got = AsyncChecks.readAll(connections.get(i).accepted);
                assertEquals(t.bytes(), got.length, "target " + i + " received exactly its count");
                Payloads.assertSameBytes(Arrays.copyOf(payload, got.length), got, "target " + i);
            }
        }
    }

    @Test
    void cancelStopsEveryTargetWithinAMomentWithExactCounts() throws Exception {
        byte[] payload = Payloads.of(32 * 1024 * 1024, 4);
        try (FileChannel source = file(payload)) {
            List<WritableByteChannel> targets = targets(4);
            BroadcastFuture f = engine.broadcastAsync(source, 0, payload.length, targets);
            Thread.sleep(100); // the targets' socket buffers fill; nobody reads
            long start = System.nanoTime();
            assertTrue(f.cancel(true));
            assertThrows(CancellationException.class, f::join);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> f.stopped().toCompletableFuture().get(5, TimeUnit.SECONDS));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 100, "stopped after " + millis + " ms");
            BroadcastResult r = assertInstanceOf(BroadcastException.class, e.getCause()).result();
            for (int i = 0; i < targets.size(); i++) {
                BroadcastResult.Target t = r.targets().get(i);
                assertInstanceOf(TransferCancelledException.class, t.failure(), "target " + i);
                assertTrue(connections.get(i).client.isOpen(), "a cancellation closes no channel");
                connections.get(i).client.shutdownOutput();
                byte[] got = AsyncChecks.readAll(connections.get(i).accepted);
                assertEquals(t.bytes(), got.length, "target " + i + " received exactly its count");
            }
        }
    }

    @Test
    void waitingTargetsHoldNoThread() throws Exception {
        byte[] payload = Payloads.of(16 * 1024 * 1024, 5);
        try (FileChannel source = file(payload)) {
            List<WritableByteChannel> targets = targets(100);
            BroadcastFuture f = engine.broadcastAsync(source, 0, payload.length, targets);
            Thread.sleep(300); // every target's socket buffers fill; nobody reads
            assertEquals(0, AsyncChecks.busyThreads("zerocopy-blocking-"), "no target holds a blocking thread");
            f.cancel(true);
            f.stopped().toCompletableFuture().handle((r, e) -> null).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void badInputFailsBeforeAnyTargetStarts() throws Exception {
        byte[] payload = Payloads.of(1000, 6);
        try (FileChannel source = file(payload)) {
            List<WritableByteChannel> targets = targets(2);
            assertThrows(NullPointerException.class, () -> engine.broadcastAsync(null, 0, 10, targets));
            assertThrows(NullPointerException.class, () -> engine.broadcastAsync(source, 0, 10, null));
            assertThrows(IllegalArgumentException.class, () -> engine.broadcastAsync(source, 0, 10, List.of()));
            assertThrows(IllegalArgumentException.class, () -> engine.broadcastAsync(source, -1, 10, targets));
            assertThrows(IllegalArgumentException.class, () -> engine.broadcastAsync(source, 0, -1, targets));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.broadcastAsync(source, Long.MAX_VALUE, 2, targets));
            assertThrows(IllegalArgumentException.class,
                    () -> engine.broadcastAsync(source, 0, 10, List.of(targets.get(0), targets.get(0))));
            connections.get(1).client.close();
            assertThrows(ClosedChannelException.class, () -> engine.broadcastAsync(source, 0, 10, targets));
            assertTrue(connections.get(0).client.isBlocking(), "no transfer was started on target 0");
        }
    }
}

package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zerocopy.EventLoops;
import io.zerocopy.TransferCancelledException;
import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.TransferFuture;
import io.zerocopy.TransferListener;
import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.EventLoop;
import io.zerocopy.spi.EventLoopProvider;
import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * The io_uring event loops with the Linux strategies: a relay splices inline on the ring's
 * threads after POLL_ADD readiness, starting no io-wq worker; cancelled, it stops within 100 ms
 * with the exact count, its channels back in blocking mode with no poll left in flight; a
 * source closed while its transfer waits is closed for real and ends the transfer; a channel
 * without a readable descriptor runs on the selector loops; a denied io_uring gives the
 * selector loops with the cause.
 * Skipped with the probe's cause where io_uring does not serve (but the denial test).
 */
@Timeout(120)
class UringEventLoopTest {

    private static final ExecutorService PEERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "uring-test-peer");
        t.setDaemon(true);
        return t;
    });

    @AfterAll
    static void peers() {
        PEERS.shutdownNow();
    }

    private static TransferEngine engine(TransferListener listener) {
        IoUringTest.requireIoUring();
        EventLoops loops = Linux.ioUringEventLoops();
        assertEquals("io_uring", loops.name(), () -> "io_uring loops: " + Linux.ioUringEventLoopsCause());
        return ZeroCopy.builder().strategies("splice").listener(listener).eventLoops(loops).build();
    }

    /** @return the process's io-wq workers: threads named iou-wrk-* (/proc/self/task/N/comm) */
    static int ioWqWorkers() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return (int) tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).startsWith("iou-wrk-");
                } catch (IOException e) {
                    return false; // the thread ended meanwhile
                }
            }).count();
        }
    }

    @Test
    void aRelaySplicesInlineAndCancelledStopsWithin100MillisecondsWithTheExactCountAndItsChannelsBlockAgain() throws Exception {
        Set<String> steppers = ConcurrentHashMap.newKeySet();
        TransferEngine engine = engine(new TransferListener() {
            @Override
            public void onProgress(String strategy, long delivered) {
                steppers.add(Thread.currentThread().getName().replaceAll("-\\d+$", ""));
            }
        });
        int workersBefore = ioWqWorkers();
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            byte[] payload = Payloads.of(16 << 20, 3);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    in.client.write(ByteBuffer.wrap(payload)); // more than the sockets' buffers hold
                } catch (IOException e) {
                    // the test closes the connection at the end
                }
            }, PEERS);
            TransferFuture f = engine.transferAsync(in.accepted, out.client);
            Thread.sleep(300); // the target's buffer fills: the relay waits for it, a POLLOUT in flight
            assertFalse(f.isDone());
            long start = System.nanoTime();
            assertTrue(f.cancel(true));
            assertThrows(CancellationException.class, f::join);
            TransferException e;
            try {
                f.stopped().toCompletableFuture().get(5, TimeUnit.SECONDS);
                throw new AssertionError("stopped normally");
            } catch (ExecutionException x) {
                e = assertInstanceOf(TransferException.class, x.getCause());
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 100, "stopped in " + millis + " ms");
            assertInstanceOf(TransferCancelledException.class, e);
            assertEquals(Set.of(UringEventLoop.THREAD_NAME), steppers, "splice stepped inline on the ring threads only");
            assertTrue(ioWqWorkers() <= workersBefore, "no io-wq worker for the polls and inline splices");
            assertTrue(in.accepted.isBlocking() && out.client.isBlocking(), "both back in blocking mode");
            assertNothingInFlight();
            out.client.shutdownOutput();
            byte[] received = AsyncChecks.readAll(out.accepted);
            assertEquals(received.length, e.bytesDelivered(), "delivered is what the peer reads");
            Payloads.assertSameBytes(Arrays.copyOf(payload, received.length), received, "prefix");
            // The source, blocking again with no poll on it, serves a blocking read.
            ByteBuffer next = ByteBuffer.allocate(1000);
            while (next.hasRemaining()) {
                assertTrue(in.accepted.read(next) > 0, "a blocking read after the relay");
            }
            long consumed = e.bytesDelivered() + e.bytesUndelivered();
            assertTrue(Arrays.equals(payload, (int) consumed, (int) consumed + 1000, next.array(), 0, 1000),
                    "the bytes after those the relay took: delivered " + e.bytesDelivered() + ", undelivered " + e.bytesUndelivered());
            in.close();
            writer.handle((v, t) -> null).get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A poll in flight holds the socket's file: closing the channel must still close the socket
     * (the peer sees the end) and end the transfer, found by the loop's sweep. (On the selector
     * loops such a transfer waits for its idle timeout or a cancellation.)
     */
    @Test
    void aSourceClosedWhileItsTransferWaitsIsClosedAndTheTransferEnds() throws Exception {
        TransferEngine engine = engine(TransferListener.NONE);
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            TransferFuture f = engine.transferAsync(in.accepted, out.client);
            Thread.sleep(100); // waiting for the source, a POLLIN in flight
            assertTrue(pollsInFlight() >= 1);
            long start = System.nanoTime();
            in.accepted.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(TransferException.class, e.getCause());
            assertTrue(millis < 1000, "ended " + millis + " ms after the close (sweep every " + UringEventLoop.SWEEP_MILLIS + " ms)");
            in.client.socket().setSoTimeout(2000);
            assertEquals(-1, in.client.socket().getInputStream().read(), "the peer sees the socket closed");
            assertNothingInFlight();
        }
    }

    @Test
    void aChannelWithoutAReadableDescriptorRunsOnTheSelectorLoops() throws Exception {
        Set<String> steppers = ConcurrentHashMap.newKeySet();
        IoUringTest.requireIoUring();
        TransferEngine engine = ZeroCopy.builder().eventLoops(Linux.ioUringEventLoops()).listener(new TransferListener() {
            @Override
            public void onProgress(String strategy, long delivered) {
                steppers.add(Thread.currentThread().getName().replaceAll("-\\d+$", ""));
            }
        }).build();
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        try (java.nio.channels.DatagramChannel a = java.nio.channels.DatagramChannel.open();
             java.nio.channels.DatagramChannel b = java.nio.channels.DatagramChannel.open();
             java.nio.channels.Pipe.SinkChannel sink = pipe.sink(); java.nio.channels.Pipe.SourceChannel source = pipe.source()) {
            a.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            b.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            a.connect(b.getLocalAddress());
            b.connect(a.getLocalAddress());
            assertFalse(Linux.ioUringEventLoops().loops().get(0).canWatch(b), "no descriptor read for a DatagramChannel");
            TransferFuture f = engine.transferAsync(b, sink); // a datagram channel never ends: cancelled below
            byte[] payload = Payloads.of(1000, 8);
            a.write(ByteBuffer.wrap(payload));
            ByteBuffer got = ByteBuffer.allocate(payload.length);
            while (got.hasRemaining()) {
                source.read(got);
            }
            assertTrue(Arrays.equals(payload, got.array()));
            for (int i = 0; i < 200 && steppers.isEmpty(); i++) {
                Thread.sleep(10); // the progress report follows the write
            }
            assertEquals(Set.of("zerocopy-reactor"), steppers, "stepped on the selector loops");
            f.cancel(true);
            f.stopped().toCompletableFuture().handle((r, t) -> null).get(5, TimeUnit.SECONDS);
            assertTrue(b.isBlocking(), "back in blocking mode");
        }
    }

    @Test
    void aDeniedIoUringGivesTheSelectorLoopsWithTheCause() {
        Fixtures.requireLinux();
        Throwable denied = IoUringProbe.probe(Native.syscalls(), "deny");
        Throwable[] cause = new Throwable[1];
        assertSame(EventLoops.selector(), UringEventLoops.choose(denied, null, 2, cause));
        assertSame(denied, cause[0], "the probe's cause kept");
        assertTrue(IoUringProbe.expected(cause[0]), "an expected absence, logged at DEBUG");
        if (!(Native.syscalls() instanceof JnrSyscalls)) { // on jnr-ffi the binding is the cause, before the simulated denial
            assertEquals(Errno.EPERM, assertInstanceOf(NativeIOException.class, cause[0]).errno());
        }
        if (Linux.ioUringAvailable()) {
            assertEquals("io_uring", Linux.ioUringEventLoops().name());
            assertEquals(null, Linux.ioUringEventLoopsCause());
        } else {
            assertSame(EventLoops.selector(), Linux.ioUringEventLoops(), "unavailable: the selector loops");
            assertSame(Linux.ioUringUnavailabilityCause(), Linux.ioUringEventLoopsCause(), "with the probe's cause");
        }
    }

    @Test
    void theProviderOffersTheLoopsByName() {
        Fixtures.requireLinux();
        EventLoopProvider found = null;
        for (EventLoopProvider p : java.util.ServiceLoader.load(EventLoopProvider.class)) {
            if (p.name().equals("io_uring")) {
                found = p;
            }
        }
        assertTrue(found != null, "found by ServiceLoader");
        assertSame(Linux.ioUringEventLoops(), found.eventLoops());
    }

    /** @return polls in flight on every io_uring loop (the wake pipe's not counted) */
    static int pollsInFlight() throws Exception {
        int sum = 0;
        for (EventLoop l : Linux.ioUringEventLoops().loops()) {
            UringEventLoop u = (UringEventLoop) l;
            CompletableFuture<Integer> n = new CompletableFuture<>();
            u.execute(() -> n.complete(u.pollsInFlight()));
            sum += n.get(5, TimeUnit.SECONDS);
        }
        return sum;
    }

    /** Asserts that, within 2 s, no loop has a poll in flight or a channel it watches. */
    static void assertNothingInFlight() throws Exception {
        long deadline = System.nanoTime() + 2_000_000_000L;
        int polls;
        int watched;
        do {
            polls = pollsInFlight();
            watched = 0;
            for (EventLoop l : Linux.ioUringEventLoops().loops()) {
                UringEventLoop u = (UringEventLoop) l;
                CompletableFuture<Integer> n = new CompletableFuture<>();
                u.execute(() -> n.complete(u.watchedChannels()));
                watched += n.get(5, TimeUnit.SECONDS);
            }
            if (polls == 0 && watched == 0) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(polls + " polls in flight, " + watched + " channels watched");
    }
}

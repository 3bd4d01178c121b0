package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * The asynchronous API and the event-loop form: waiting holds no thread, cancellation and the
 * idle timeout stop a transfer with exact counts, channels return to their blocking mode, and a
 * selector-loop proxy relays byte-exact with {@link NonBlockingTransfer}. On the selector loops;
 * a subclass runs the same on other loops ({@link #configure}).
 */
@org.junit.jupiter.api.Timeout(120)
public class AsyncTransferTest {

    protected final TransferEngine engine = configure(ZeroCopy.builder().providers(false)).build();

    /** @return the builder of the engine under test, with its loops; here the defaults (the selector loops) */
    protected TransferEngine.Builder configure(TransferEngine.Builder builder) {
        return builder;
    }

    /** @return the name prefix of the loops' threads */
    protected String loopThreads() {
        return Reactor.THREAD_NAME;
    }

    /** @return how many loop threads there are at most */
    protected int loopCount() {
        return Reactor.COUNT;
    }

    /** Checks of the loops' own while {@code transfers} transfers wait for their sources; none here. */
    protected void whileWaiting(int transfers) throws Exception {
    }

    /** Checks of the loops' own once every transfer of a test ended; none here. */
    protected void afterTransfers() throws Exception {
    }

    @TempDir
    Path dir;

    @Test
    public void hundredsOfWaitingTransfersHoldNoThread() throws Exception {
        int n = 300;
        List<Loopback.Connection> in = new ArrayList<>();
        List<Loopback.Connection> out = new ArrayList<>();
        List<TransferFuture> futures = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                in.add(Loopback.connect());
                out.add(Loopback.connect());
                futures.add(engine.transferAsync(in.get(i).accepted, out.get(i).client));
            }
            Thread.sleep(200); // every transfer is now waiting for its source
            assertEquals(0, AsyncChecks.busyThreads("zerocopy-blocking-"), "no transfer holds a blocking thread while it waits");
            assertTrue(threads(loopThreads()) <= loopCount(), "at most " + loopCount() + " loop threads");
            whileWaiting(n);
            byte[][] payloads = new byte[n][];
            for (int i = 0; i < n; i++) {
                payloads[i] = Payloads.of(10_000 + i, i);
                in.get(i).client.write(ByteBuffer.wrap(payloads[i]));
                in.get(i).client.shutdownOutput();
            }
            for (int i = 0; i < n; i++) {
                TransferResult r = futures.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(payloads[i].length, r.bytes());
                assertEquals("copy", r.strategy());
                out.get(i).client.shutdownOutput();
                Payloads.assertSameBytes(payloads[i], AsyncChecks.readAll(out.get(i).accepted), "connection " + i);
                assertTrue(in.get(i).accepted.isBlocking() && out.get(i).client.isBlocking(),
                        "channels back in blocking mode");
            }
            afterTransfers();
        } finally {
            for (Loopback.Connection c : in) {
                c.close();
            }
            for (Loopback.Connection c : out) {
                c.close();
            }
        }
    }

    @Test
    void cancelStopsWithin100MillisecondsWithTheExactCount() throws Exception {
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            byte[] payload = Payloads.of(8 << 20, 3);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    in.client.write(ByteBuffer.wrap(payload)); // more than the sockets' buffers hold
                } catch (IOException e) {
                    // the test closes the connection at the end
                }
            }, PEERS);
            TransferFuture f = engine.transferAsync(in.accepted, out.client);
            Thread.sleep(300); // the target's buffers fill: the transfer waits for it
            assertFalse(f.isDone());
            long start = System.nanoTime();
            assertTrue(f.cancel(true));
            assertThrows(CancellationException.class, f::join);
            TransferException e = stoppedFailure(f);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 100, "stopped in " + millis + " ms");
            assertInstanceOf(TransferCancelledException.class, e);
            assertTrue(out.client.isOpen() && in.accepted.isOpen(), "cancellation closes no channel");
            out.client.shutdownOutput();
            byte[] received = AsyncChecks.readAll(out.accepted);
            assertEquals(received.length, e.bytesDelivered(), "delivered is what the peer reads");
            Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, received.length), received, "prefix");
            assertTrue(e.bytesDelivered() > 0 && e.bytesDelivered() < payload.length);
            in.close();
            writer.handle((v, t) -> null).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    public void cancelledAtRandomPointsTheCountIsAlwaysWhatThePeerRead() throws Exception {
        java.util.Random random = new java.util.Random(Long.getLong("zerocopy.seed", 16));
        byte[] payload = Payloads.of(1 << 20, 4);
        for (int i = 0; i < 200; i++) {
            try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
                in.client.write(ByteBuffer.wrap(payload, 0, (64 << 10) + random.nextInt(64 << 10)));
                TransferFuture f = engine.transferAsync(in.accepted, out.client);
                long pause = random.nextInt(3000);
                long until = System.nanoTime() + pause * 1000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // a cancellation at a random point of the first steps
                }
                f.cancel(true);
                long delivered;
                try {
                    delivered = f.stopped().toCompletableFuture().get(5, TimeUnit.SECONDS).bytes();
                } catch (ExecutionException e) {
                    TransferException t = assertInstanceOf(TransferException.class, e.getCause());
                    delivered = t.bytesDelivered();
                    assertEquals(0, t.bytesUndelivered(), "the copy loop writes what it read before it stops");
                }
                out.client.shutdownOutput();
                byte[] got = AsyncChecks.readAll(out.accepted);
                assertEquals(got.length, delivered, "case " + i + ", cancelled after " + pause + " us");
                Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, got.length), got, "case " + i);
            }
        }
    }

    @Test
    public void idleTimeoutEndsAWaitingTransferWithTheExactCount() throws Exception {
        TransferEngine timed = engine.withIdleTimeout(Duration.ofMillis(300));
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            in.client.write(ByteBuffer.wrap(Payloads.of(1000, 1)));
            long start = System.nanoTime();
            TransferFuture f = timed.transferAsync(in.accepted, out.client);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            TransferTimeoutException timeout = assertInstanceOf(TransferTimeoutException.class, e.getCause());
            assertEquals(1000, timeout.bytesDelivered());
            assertTrue(millis >= 290 && millis < 1000, "timed out after " + millis + " ms");
            assertTrue(out.client.isOpen());
        }
    }

    @Test
    public void aFileToAPipeAndTheSourcePositionAdvances() throws Exception {
        byte[] payload = Payloads.of(3 << 20, 9);
        Path src = Files.write(dir.resolve("src"), payload);
        Pipe pipe = Pipe.open();
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(src);
             Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            file.position(1000);
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return AsyncChecks.readAll(source);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, PEERS);
            TransferResult r = engine.transferAsync(file, sink).get(30, TimeUnit.SECONDS);
            assertEquals(payload.length - 1000, r.bytes());
            assertEquals(payload.length, file.position(), "the source's position advanced by the bytes delivered");
            sink.close();
            Payloads.assertSameBytes(java.util.Arrays.copyOfRange(payload, 1000, payload.length), reader.get(30, TimeUnit.SECONDS), "pipe");
        }
    }

    @Test
    public void buffersOverwrittenOnceTheSendCompletedReachThePeerAsTheyWere() throws Exception {
        byte[] payload = Payloads.of(4 << 20, 21);
        ByteBuffer direct = ByteBuffer.allocateDirect(payload.length);
        direct.put(payload).flip();
        try (Loopback.Connection c = Loopback.connect()) {
            CompletableFuture<byte[]> late = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(300); // the reader starts late: the bytes wait in the kernel
                    return AsyncChecks.readAll(c.accepted);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, PEERS);
            TransferResult r = engine.sendAsync(new ByteBuffer[] {direct}, c.client).get(30, TimeUnit.SECONDS);
            assertEquals(payload.length, r.bytes());
            assertFalse(direct.hasRemaining(), "the buffer's position advanced");
            direct.clear();
            while (direct.hasRemaining()) {
                direct.put((byte) 0x5A); // overwritten at once
            }
            c.client.shutdownOutput();
            Payloads.assertSameBytes(payload, late.get(30, TimeUnit.SECONDS), "what the peer read");
        }
    }

    @Test
    public void argumentsAreCheckedInTheCaller() throws Exception {
        try (Loopback.Connection c = Loopback.connect()) {
            assertThrows(NullPointerException.class, () -> engine.transferAsync(null, c.client));
            assertThrows(IllegalArgumentException.class, () -> engine.transferAsync(c.accepted, c.accepted));
            assertThrows(IllegalBlockingModeException.class, () -> engine.nonBlocking(c.accepted, c.client));
        }
    }

    /** The event-loop form: a selector loop relaying two connections both ways, as docs/threads.md shows. */
    @Test
    public void aSelectorLoopProxyRelaysBothWays() throws Exception {
        byte[] up = Payloads.of(5 << 20, 11);
        byte[] down = Payloads.of(3 << 20, 12);
        try (Loopback.Connection client = Loopback.connect(); Loopback.Connection backend = Loopback.connect();
             Selector selector = Selector.open()) {
            SocketChannel c = client.accepted;
            SocketChannel u = backend.client;
            c.configureBlocking(false);
            u.configureBlocking(false);
            NonBlockingTransfer toBackend = engine.nonBlocking(c, u);
            NonBlockingTransfer toClient = engine.nonBlocking(u, c);
            SelectionKey ck = c.register(selector, 0);
            SelectionKey uk = u.register(selector, 0);
            CompletableFuture<byte[]> backendGot = writeThenRead(backend.accepted, down);
            CompletableFuture<byte[]> clientGot = writeThenRead(client.client, up);
            int a = toBackend.step();
            int b = toClient.step();
            int steps = 2;
            while (!toBackend.isDone() || !toClient.isDone()) {
                ck.interestOps((a & SelectionKey.OP_READ) | (b & SelectionKey.OP_WRITE));
                uk.interestOps((b & SelectionKey.OP_READ) | (a & SelectionKey.OP_WRITE));
                selector.select(1000);
                selector.selectedKeys().clear();
                if (!toBackend.isDone()) {
                    a = toBackend.step();
                    steps++;
                    if (a == 0) {
                        u.shutdownOutput();
                    }
                }
                if (!toClient.isDone()) {
                    b = toClient.step();
                    steps++;
                    if (b == 0) {
                        c.shutdownOutput();
                    }
                }
            }
            assertEquals(up.length, toBackend.result().bytes());
            assertEquals(down.length, toClient.result().bytes());
            Payloads.assertSameBytes(up, backendGot.get(30, TimeUnit.SECONDS), "client to backend");
            Payloads.assertSameBytes(down, clientGot.get(30, TimeUnit.SECONDS), "backend to client");
            assertTrue(steps > 4, "the loop waited between steps: " + steps);
        }
    }

    @Test
    public void tenThousandTransfersLeaveNoDescriptorBehind() throws Exception {
        byte[] payload = Payloads.of(4096, 5);
        long before = -1;
        for (int i = -1; i < 10_000; i++) {
            if (i == 0) {
                before = openDescriptors(); // after one transfer: the loops and pools have started
            }
            Pipe in = Pipe.open();
            Pipe out = Pipe.open();
            try (Pipe.SinkChannel w = in.sink(); Pipe.SourceChannel r = in.source();
                 Pipe.SinkChannel w2 = out.sink(); Pipe.SourceChannel r2 = out.source()) {
                w.write(ByteBuffer.wrap(payload));
                w.close();
                assertEquals(payload.length, engine.transferAsync(r, w2).get(30, TimeUnit.SECONDS).bytes());
                ByteBuffer got = ByteBuffer.allocate(payload.length);
                while (got.hasRemaining() && r2.read(got) > 0) {
                    // the pipe holds it all
                }
                assertEquals(payload.length, got.position());
            }
        }
        long after = openDescriptors();
        assertTrue(after <= before + 2, "descriptors before " + before + ", after " + after);
    }

    private static long openDescriptors() throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static TransferException stoppedFailure(TransferFuture f) throws Exception {
        try {
            f.stopped().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(TransferException.class, e.getCause());
        }
        throw new AssertionError("stopped normally");
    }

    /** Threads of the test's own: the common pool may have one worker, and these tasks block. */
    private static final java.util.concurrent.ExecutorService PEERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "async-test-peer");
        t.setDaemon(true);
        return t;
    });

    private static CompletableFuture<byte[]> writeThenRead(SocketChannel ch, byte[] data) {
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                ch.write(ByteBuffer.wrap(data));
                ch.shutdownOutput();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, PEERS);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return AsyncChecks.readAll(ch);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, PEERS).thenCombine(w, (bytes, v) -> bytes);
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }
}

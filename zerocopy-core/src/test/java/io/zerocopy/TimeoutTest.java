package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.StalledTransfer;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The idle timeout, per strategy, for a reader that stops reading and a writer that stops
 * writing; the exact count after an interrupt of a blocking write, or a close of the target by
 * another thread.
 */
class TimeoutTest {

    private static final Duration IDLE = Duration.ofMillis(300);
    /** Generous on a loaded 2-core machine; the point is that the call ends. */
    private static final long LATEST_MILLIS = 300 + 3000;

    @TempDir
    Path dir;

    private static TransferEngine only(String strategy) {
        return ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).idleTimeout(IDLE).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferTo", "mmap"})
    void aStalledReaderTimesOutWithTheExactCount(String strategy) throws Exception {
        byte[] payload = Payloads.of(32 << 20, 21);
        Path src = Files.write(dir.resolve("src"), payload);
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            c.client.configureBlocking(false);
            long start = System.nanoTime();
            TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                    () -> only(strategy).transfer(in, 0, payload.length, c.client));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= IDLE.toMillis() && millis < LATEST_MILLIS, millis + " ms");
            assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
            assertEquals(strategy, e.strategy());
            assertTrue(e.bytesDelivered() > 0 && e.bytesDelivered() < payload.length, e.getMessage());
            assertTrue(c.client.isOpen(), "a timeout leaves the channels to the caller");
            c.client.close();
            byte[] got = Endpoints.drain(c.accepted);
            assertEquals(e.bytesDelivered(), got.length, "bytesDelivered() is what the peer received");
            Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, got.length), got, "the prefix");
        }
    }

    @Test
    void aSilentWriterTimesOutWithTheExactCount() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            source.configureBlocking(false);
            sink.write(ByteBuffer.wrap(Payloads.of(1000, 3)));
            Path out = dir.resolve("out");
            try (FileChannel target = FileChannel.open(out, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE)) {
                TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                        () -> only("copy").transfer(source, target));
                assertEquals(1000, e.bytesDelivered());
                assertEquals(1000, Files.size(out));
            }
        }
    }

    /**
     * A blocking socket gives the library no wait of its own to bound: the watchdog closes it at
     * the deadline, and the count is still exact, the JDK showing the bytes of the cut-short
     * write in the buffer's position.
     */
    @Test
    @Timeout(30) // without the watchdog the write blocks for ever
    void aBlockingSocketWhoseReaderStallsIsClosedAtTheTimeoutWithTheExactCount() throws Exception {
        byte[] payload = Payloads.of(32 << 20, 22);
        Path src = Files.write(dir.resolve("src"), payload);
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            long start = System.nanoTime();
            TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                    () -> only("copy").transfer(in, 0, payload.length, c.client));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= IDLE.toMillis() && millis < LATEST_MILLIS, millis + " ms");
            assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
            assertTrue(!c.client.isOpen(), "the watchdog closed the blocking socket: the only way to end its write");
            byte[] got = Endpoints.drain(c.accepted);
            assertEquals(got.length, e.bytesDelivered(), "bytesDelivered() is what the peer received");
            Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, got.length), got, "the prefix");
        }
    }

    @Test
    @Timeout(30)
    void aBlockingSocketWhoseWriterFallsSilentIsClosedAtTheTimeoutWithTheExactCount() throws Exception {
        try (Loopback.Connection c = Loopback.connect()) {
            c.client.write(ByteBuffer.wrap(Payloads.of(1000, 23)));
            Path out = dir.resolve("out");
            try (FileChannel target = FileChannel.open(out, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE)) {
                long start = System.nanoTime();
                TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                        () -> only("copy").transfer(c.accepted, target));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis >= IDLE.toMillis() && millis < LATEST_MILLIS, millis + " ms");
                assertEquals(1000, e.bytesDelivered());
                assertEquals(0, e.bytesUndelivered());
                assertEquals(1000, Files.size(out));
                assertTrue(!c.accepted.isOpen(), "the watchdog closed the blocking source");
            }
        }
    }

    @Test
    void theIdleClockRestartsWithEveryByte() throws Exception {
        Pipe pipe = Pipe.open();
        byte[] payload = Payloads.of(20 * 1000, 4);
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            source.configureBlocking(false);
            Future<Void> writer = Endpoints.peer(() -> {
                for (int i = 0; i < 20; i++) { // 20 x 100 ms: far longer than the idle timeout in all
                    sink.write(ByteBuffer.wrap(payload, i * 1000, 1000));
                    Thread.sleep(100); // the slow writer under test, not a synchronisation
                }
                sink.close();
                return null;
            });
            Path out = dir.resolve("out");
            try (FileChannel target = FileChannel.open(out, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE)) {
                assertEquals(payload.length, only("copy").transfer(source, target));
            }
            Endpoints.await(writer);
            Payloads.assertSameBytes(payload, Files.readAllBytes(out), "slow but never idle");
        }
    }

    @Test
    void aPerCallLimitOnASharedEngine() throws Exception {
        TransferEngine shared = ZeroCopy.builder().providers(false).strategies("copy").build();
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            source.configureBlocking(false);
            try (FileChannel target = FileChannel.open(dir.resolve("out"), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE)) {
                assertThrows(TransferTimeoutException.class,
                        () -> shared.withIdleTimeout(Duration.ofMillis(100)).transfer(source, target));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> shared.withIdleTimeout(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> ZeroCopy.builder().idleTimeout(null));
    }

    @Test
    void aBroadcastWhoseTargetsAllStallTimesOut() throws Exception {
        byte[] payload = Payloads.of(16 << 20, 8);
        Path src = Files.write(dir.resolve("src"), payload);
        TransferEngine engine = ZeroCopy.builder().providers(false).idleTimeout(IDLE).build();
        try (Loopback.Connection a = Loopback.connect(); Loopback.Connection b = Loopback.connect();
             FileChannel in = FileChannel.open(src)) {
            BroadcastException e = assertThrows(BroadcastException.class,
                    () -> engine.broadcast(in, 0, payload.length, List.of(a.client, b.client)));
            assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
            a.client.close();
            assertEquals(e.result().targets().get(0).bytes(), Endpoints.drain(a.accepted).length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "mmap"})
    void anInterruptedBlockingWriteReportsWhatThePeerReceived(String strategy) throws Exception {
        byte[] payload = Payloads.of(64 << 20, 5);
        Path src = Files.write(dir.resolve("src"), payload);
        CountDownLatch moving = new CountDownLatch(1);
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies(strategy)
                .listener(new TransferListener() {
                    @Override
                    public void onProgress(String s, long delivered) {
                        moving.countDown();
                    }
                }).build();
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread sender = new Thread(() -> {
                try {
                    engine.transfer(in, 0, payload.length, c.client);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            sender.start();
            // The reader never reads, so the blocking write soon blocks part-way through a buffer
            // (mmap's first 4 MiB window already does, before any progress is reported).
            moving.await(500, TimeUnit.MILLISECONDS);
            Thread.sleep(200); // let the socket buffers fill: the state under test, not a synchronisation
            sender.interrupt();
            sender.join(10_000);
            TransferException e = assertInstanceOf(TransferException.class, failure.get());
            assertInstanceOf(ClosedByInterruptException.class, e.getCause());
            byte[] got = Endpoints.drain(c.accepted);
            assertEquals(got.length, e.bytesDelivered(), "bytesDelivered() is what the peer received");
            Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, got.length), got, "the prefix");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "mmap"}) // transferTo declines blocking targets: TransferToTest
    void aCloseFromAnotherThreadEndsABlockedTransferWithTheCount(String strategy) throws Exception {
        byte[] payload = Payloads.of(64 << 20, 6);
        Path src = Files.write(dir.resolve("src"), payload);
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).build();
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            StalledTransfer stalled = StalledTransfer.start(() -> engine.transfer(in, 0, payload.length, c.client));
            stalled.cancelling();
            c.client.close();
            TransferException e = stalled.failsWithin(1_000, strategy);
            byte[] got = Endpoints.drain(c.accepted);
            assertTrue(e.bytesDelivered() <= got.length, "after an asynchronous close the count is a lower bound: "
                    + e.bytesDelivered() + " of " + got.length);
            Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, got.length), got, "the prefix");
        }
    }
}

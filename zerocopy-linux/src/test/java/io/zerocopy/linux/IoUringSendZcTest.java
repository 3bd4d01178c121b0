package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.TransferTimeoutException;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Descriptors;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * The {@code sendZc} strategy over loopback: byte-exact sends, buffers reusable on return
 * (the peer reading late sees the original bytes), exact counts when the send is interrupted,
 * closed or times out mid-way, and no ring, descriptor or mapping left behind. Runs where
 * io_uring serves; skipped with the probe's cause elsewhere ({@link IoUringTest#requireIoUring}).
 */
class IoUringSendZcTest {

    /** Per test, so that each reports the reason it was skipped. */
    @BeforeEach
    void ioUring() {
        IoUringTest.requireIoUring();
    }

    private static ByteBuffer direct(byte[] data) {
        return ByteBuffer.allocateDirect(data.length).put(data).flip();
    }

    /** Reads {@code in} to its end on another thread, pausing {@code startMillis} first and {@code pauseMillis} between reads. */
    private static CompletableFuture<byte[]> reader(SocketChannel in, long startMillis, long pauseMillis) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(startMillis);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(64 << 10);
                while (in.read(b) >= 0) {
                    out.write(b.array(), 0, b.position());
                    b.clear();
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
                done.complete(out.toByteArray());
            } catch (IOException | InterruptedException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "peer");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** Counts the bytes of {@code in} to its end on another thread. */
    private static CompletableFuture<Long> counter(SocketChannel in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                long n = 0;
                ByteBuffer b = ByteBuffer.allocateDirect(256 << 10);
                for (int r; (r = in.read(b)) >= 0; b.clear()) {
                    n += r;
                }
                return n;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "counter");
            t.setDaemon(true);
            t.start();
        });
    }

    private static void fill(ByteBuffer buf, byte value) {
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, value);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64 << 10, 1 << 20, 16 << 20})
    void sendsByteExactThroughSendZc(int size) throws Exception {
        byte[] payload = Payloads.of(size, size);
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.sendZc()).listener(rec).build();
        try (Loopback.Connection c = Loopback.connect()) {
            CompletableFuture<byte[]> got = reader(c.accepted, 0, 0);
            ByteBuffer buf = direct(payload);
            assertEquals(size, engine.send(new ByteBuffer[] {buf}, c.client));
            assertEquals("sendZc", rec.last().strategy());
            assertEquals(size, buf.position(), "position advanced by the bytes sent");
            c.client.shutdownOutput();
            Payloads.assertSameBytes(payload, got.get(30, TimeUnit.SECONDS), size + " bytes");
        }
    }

    /**
     * Virtual threads wait for their completions through the session's waiter, which arms the
     * ring's descriptor (readable while completions wait) on the shared epoll poller: four
     * concurrent 4 MiB sends from virtual threads, each byte-exact through {@code sendZc}.
     */
    @Test
    void virtualThreadsSendConcurrently() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        int n = 4;
        byte[][] payloads = new byte[n][];
        Loopback.Connection[] cs = new Loopback.Connection[n];
        List<CompletableFuture<byte[]>> got = new ArrayList<>();
        Recorder rec = new Recorder();
        try (RingPool rings = new RingPool(Native.syscalls(), n)) {
            TransferEngine engine = ZeroCopy.builder().addFirst(new SendZcStrategy(rings, Native.syscalls())).listener(rec).build();
            ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            List<Future<Long>> sends = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                payloads[i] = Payloads.of(4 << 20, 20 + i);
                cs[i] = Loopback.connect();
                got.add(reader(cs[i].accepted, 0, 0));
                ByteBuffer buf = direct(payloads[i]);
                SocketChannel out = cs[i].client;
                sends.add(virtual.submit(() -> engine.send(new ByteBuffer[] {buf}, out)));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(payloads[i].length, sends.get(i).get(30, TimeUnit.SECONDS));
                cs[i].client.shutdownOutput();
                Payloads.assertSameBytes(payloads[i], got.get(i).get(30, TimeUnit.SECONDS), "connection " + i);
            }
            virtual.shutdown();
            assertEquals(n, rec.results.stream().filter(r -> r.strategy().equals("sendZc")).count());
        } finally {
            for (Loopback.Connection c : cs) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @Test
    void gathersSeveralBuffersInOrderSkippingEmptyOnes() throws Exception {
        byte[] payload = Payloads.of(3 * 100_000 + 1, 3);
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.sendZc()).listener(rec).build();
        ByteBuffer[] bufs = {
            direct(java.util.Arrays.copyOfRange(payload, 0, 100_000)), ByteBuffer.allocateDirect(0),
            direct(java.util.Arrays.copyOfRange(payload, 100_000, 200_001)),
            direct(java.util.Arrays.copyOfRange(payload, 200_001, payload.length)),
        };
        try (Loopback.Connection c = Loopback.connect()) {
            CompletableFuture<byte[]> got = reader(c.accepted, 0, 0);
            assertEquals(payload.length, engine.send(bufs, c.client));
            assertEquals("sendZc", rec.last().strategy());
            c.client.shutdownOutput();
            Payloads.assertSameBytes(payload, got.get(30, TimeUnit.SECONDS), "gathered");
        }
        for (ByteBuffer b : bufs) {
            assertEquals(0, b.remaining());
        }
    }

    @Test
    void heapBuffersFallBackToTheGatheringWrite() throws Exception {
        byte[] payload = Payloads.of(100_000, 4);
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.sendZc()).listener(rec).build();
        try (Loopback.Connection c = Loopback.connect()) {
            CompletableFuture<byte[]> got = reader(c.accepted, 0, 0);
            assertEquals(payload.length, engine.send(new ByteBuffer[] {ByteBuffer.wrap(payload)}, c.client));
            assertTrue(!rec.last().strategy().equals("sendZc"), rec.last().strategy());
            c.client.shutdownOutput();
            Payloads.assertSameBytes(payload, got.get(30, TimeUnit.SECONDS), "heap");
        }
    }

    /**
     * The buffer is overwritten with 'B' as soon as {@code send} of 'A' returns; the peer starts
     * reading 300 ms later and must see only 'A'. 64 KiB fits the socket buffers, so send returns
     * before the peer reads; 4 MiB does not, so bytes are still queued in the sender when the
     * last SEND_ZC completes and only the notification makes the reuse safe.
     */
    @ParameterizedTest
    @ValueSource(ints = {64 << 10, 4 << 20})
    void aBufferOverwrittenOnReturnReachesThePeerUnchanged(int size) throws Exception {
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.sendZc()).listener(rec).build();
        ByteBuffer buf = ByteBuffer.allocateDirect(size);
        fill(buf, (byte) 'A');
        try (Loopback.Connection c = Loopback.connect()) {
            CompletableFuture<byte[]> got = reader(c.accepted, 300, 0);
            assertEquals(size, engine.send(new ByteBuffer[] {buf}, c.client));
            fill(buf, (byte) 'B');
            assertEquals("sendZc", rec.last().strategy());
            c.client.shutdownOutput();
            byte[] seen = got.get(30, TimeUnit.SECONDS);
            assertEquals(size, seen.length);
            int overwritten = 0;
            for (byte b : seen) {
                overwritten += b == 'B' ? 1 : 0;
            }
            assertEquals(0, overwritten, "bytes the peer saw overwritten");
        }
    }

    private static void assertPrefix(byte[] payload, byte[] got, long delivered) {
        assertEquals(delivered, got.length, "the peer received exactly the bytes reported delivered");
        Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, got.length), got, "prefix");
    }

    @Test
    void anInterruptMidSendStopsWithTheExactCount() throws Exception {
        byte[] payload = Payloads.of(64 << 20, 5);
        ByteBuffer buf = direct(payload);
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.sendZc()).build();
        try (Loopback.Connection c = Loopback.connect()) {
            CompletableFuture<byte[]> got = reader(c.accepted, 0, 2);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread sender = new Thread(() -> {
                try {
                    engine.send(new ByteBuffer[] {buf}, c.client);
                } catch (IOException | RuntimeException e) {
                    thrown.set(e);
                }
            }, "sender");
            sender.start();
            Thread.sleep(300);
            sender.interrupt();
            sender.join(10_000);
            TransferException e = assertInstanceOf(TransferException.class, thrown.get());
            assertInstanceOf(ClosedByInterruptException.class, e.getCause());
            assertEquals("sendZc", e.strategy());
            assertTrue(e.bytesDelivered() > 0 && e.bytesDelivered() < payload.length, e.toString());
            assertEquals(e.bytesDelivered(), buf.position());
            assertPrefix(payload, got.get(30, TimeUnit.SECONDS), e.bytesDelivered());
        }
    }

    @Test
    void aCloseByAnotherThreadStopsWithTheExactCount() throws Exception {
        byte[] payload = Payloads.of(64 << 20, 6);
        ByteBuffer buf = direct(payload);
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.sendZc()).build();
        try (Loopback.Connection c = Loopback.connect()) {
            CompletableFuture<byte[]> got = reader(c.accepted, 0, 2);
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(300);
                    c.client.close();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            TransferException e = assertThrows(TransferException.class, () -> engine.send(new ByteBuffer[] {buf}, c.client));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            assertTrue(e.bytesDelivered() > 0 && e.bytesDelivered() < payload.length, e.toString());
            assertEquals(e.bytesDelivered(), buf.position());
            assertPrefix(payload, got.get(30, TimeUnit.SECONDS), e.bytesDelivered());
        }
    }

    /**
     * A peer that reads nothing: the idle timeout ends the send; the count is exact, and since
     * the queued pages are not released without the peer, the exception says the buffers must
     * not be reused (and the ring is closed, not pooled).
     */
    @Test
    void anIdleTimeoutWithAStalledPeerSaysTheBuffersAreStillReferenced() throws Exception {
        byte[] payload = Payloads.of(32 << 20, 7);
        ByteBuffer buf = direct(payload);
        try (RingPool rings = new RingPool(Native.syscalls(), 1); Loopback.Connection c = Loopback.connect()) {
            TransferEngine engine = ZeroCopy.builder().idleTimeout(Duration.ofMillis(300))
                    .addFirst(new SendZcStrategy(rings, Native.syscalls())).build();
            TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                    () -> engine.send(new ByteBuffer[] {buf}, c.client));
            assertInstanceOf(SendZcStrategy.BuffersStillReferenced.class, e.getCause(), e.toString());
            assertTrue(e.getCause().getMessage().contains("do not reuse them"));
            assertTrue(e.bytesDelivered() > 0 && e.bytesDelivered() < payload.length, e.toString());
            assertEquals(e.bytesDelivered(), buf.position());
            assertEquals(0, rings.openRings(), "the ring with a send not released was closed");
            CompletableFuture<byte[]> got = reader(c.accepted, 0, 0);
            c.client.shutdownOutput();
            assertPrefix(payload, got.get(30, TimeUnit.SECONDS), e.bytesDelivered());
        }
    }

    @Test
    void tenThousandSendsLeaveNoRingDescriptorOrMappingBehind() throws Exception {
        byte[] payload = Payloads.of(16 << 10, 8);
        ByteBuffer buf = direct(payload);
        try (Loopback.Connection c = Loopback.connect()) {
            CompletableFuture<Long> got = counter(c.accepted);
            Recorder rec = new Recorder();
            try (RingPool warm = new RingPool(Native.syscalls(), 1)) {
                buf.clear();
                assertEquals(payload.length, ZeroCopy.builder().threshold(0)
                        .addFirst(new SendZcStrategy(warm, Native.syscalls())).build().send(new ByteBuffer[] {buf}, c.client));
            }
            Descriptors.Snapshot before = Descriptors.snapshot();
            long maps = IoUringTest.mappings();
            RingPool rings = new RingPool(Native.syscalls(), 2);
            TransferEngine engine = ZeroCopy.builder().threshold(0).listener(rec)
                    .addFirst(new SendZcStrategy(rings, Native.syscalls())).build();
            for (int i = 0; i < 10_000; i++) {
                buf.clear();
                assertEquals(payload.length, engine.send(new ByteBuffer[] {buf}, c.client));
            }
            assertEquals(10_000, rec.results.stream().filter(r -> r.strategy().equals("sendZc")).count());
            assertEquals(1, rings.openRings(), "one thread: one ring, reused");
            before.assertOpened(1, "only the pooled ring: " + Descriptors.snapshot().opened());
            rings.close();
            before.assertOpened(0, "after the pool closed");
            long after = IoUringTest.mappings();
            assertTrue(after <= maps + 4, "memory mappings before " + maps + ", after " + after);
            c.client.shutdownOutput();
            assertEquals(10_001L * payload.length, (long) got.get(60, TimeUnit.SECONDS));
        }
    }
}

package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.feed;
import static io.zerocopy.linux.Fixtures.payload;
import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Loopback;

/** Non-blocking channels are waited on with poll(2); blocking channels stay usable afterwards. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NonBlockingTest {

    private static final int SIZE = (6 << 20) + 11;

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();
    private final TransferEngine engine = ZeroCopy.builder().threshold(0).strategies("splice").listener(recorder).build();

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void nonBlockingSocketsWithASlowReaderAndASlowWriter() throws Exception {
        byte[] data = payload(SIZE);
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            in.accepted.configureBlocking(false);
            out.client.configureBlocking(false);
            CompletableFuture<Void> fed = trickle(in.client, data);
            CompletableFuture<byte[]> got = slowDrain(out.accepted);
            assertEquals(SIZE, engine.transfer(in.accepted, out.client));
            out.client.shutdownOutput();
            fed.get();
            assertSameBytes(data, got.get(), "non-blocking socket -> non-blocking socket");
        }
        assertEquals("splice", recorder.last().strategy());
    }

    @Test
    void fileToNonBlockingSocketWaitsForRoom() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            c.client.configureBlocking(false);
            CompletableFuture<byte[]> got = slowDrain(c.accepted);
            assertEquals(SIZE, engine.transfer(in, 0, SIZE, c.client));
            c.client.shutdownOutput();
            assertSameBytes(data, got.get(), "file -> non-blocking socket");
        }
    }

    @Test
    void blockingSocketsStayBlockingAndUsableAfterATransfer() throws Exception {
        byte[] data = payload(1 << 20);
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            CompletableFuture<Void> fed = feed(in.client, data, false);
            CompletableFuture<byte[]> got = Fixtures.drain(out.accepted);
            Thread pump = new Thread(() -> {
                try {
                    engine.transfer(in.accepted, out.client);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            fed.get();
            in.client.shutdownOutput();
            pump.start();
            pump.join(10_000);
            // The source is a blocking channel again in the caller's hands: a read must wait for
            // data that arrives later, not return 0.
            assertTrue(in.accepted.isBlocking());
            assertFalse(nonBlocking(in.accepted), "O_NONBLOCK cleared again");
            assertFalse(nonBlocking(out.client), "O_NONBLOCK cleared again");
            CompletableFuture<Void> late = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(200); // a late peer, on purpose: the read below is issued before the byte exists
                    out.accepted.write(ByteBuffer.wrap(new byte[] {42}));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, out.client.read(one), "a blocking read waits");
            assertEquals(42, one.get(0));
            late.get();
            out.client.shutdownOutput();
            assertSameBytes(data, got.get(), "blocking socket -> blocking socket");
        }
    }

    @Test
    @SuppressWarnings("try")
    void blockingPipeEndsGetTheirModeBackAndBlockFully() throws Exception {
        byte[] data = payload(1 << 20);
        java.nio.channels.Pipe p = java.nio.channels.Pipe.open();
        java.nio.channels.Pipe q = java.nio.channels.Pipe.open();
        try (java.nio.channels.Pipe.SinkChannel pSink = p.sink(); java.nio.channels.Pipe.SourceChannel pSource = p.source();
             java.nio.channels.Pipe.SinkChannel qSink = q.sink(); java.nio.channels.Pipe.SourceChannel qSource = q.source()) {
            CompletableFuture<Void> fed = feed(pSink, data, true);
            CompletableFuture<byte[]> got = Fixtures.drain(qSource);
            assertEquals(data.length, engine.transfer(pSource, qSink));
            fed.get();
            assertFalse(nonBlocking(pSource), "source descriptor back in blocking mode");
            assertFalse(nonBlocking(qSink), "target descriptor back in blocking mode");
            // A blocking write larger than the pipe completes whole, as before the transfer.
            byte[] big = payload(4 << 20);
            assertEquals(big.length, qSink.write(ByteBuffer.wrap(big)));
            qSink.close();
            byte[] all = got.get();
            assertSameBytes(data, java.util.Arrays.copyOf(all, data.length), "pipe -> pipe");
            assertEquals(data.length + big.length, all.length);
        }
    }

    @Test
    void nonBlockingChannelsKeepTheirMode() throws Exception {
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            in.accepted.configureBlocking(false);
            CompletableFuture<Void> fed = feed(in.client, payload(65536), true);
            CompletableFuture<byte[]> got = Fixtures.drain(out.accepted);
            assertEquals(65536, engine.transfer(in.accepted, out.client));
            out.client.shutdownOutput();
            fed.get();
            assertEquals(65536, got.get().length);
            assertTrue(nonBlocking(in.accepted));
            assertFalse(nonBlocking(out.client));
        }
    }

    private static boolean nonBlocking(java.nio.channels.Channel ch) {
        int flags = Native.syscalls().fcntl(ChannelDescriptors.raw(ch), Native.F_GETFL, 0);
        assertTrue(flags >= 0);
        return (flags & Native.O_NONBLOCK) != 0;
    }

    /** Writes in small pieces with pauses, so the transfer sees EAGAIN on its source. */
    private static CompletableFuture<Void> trickle(SocketChannel ch, byte[] data) {
        return CompletableFuture.runAsync(() -> {
            try {
                ByteBuffer b = ByteBuffer.wrap(data);
                int step = data.length / 8;
                for (int i = 0; b.hasRemaining(); i++) {
                    b.limit(Math.min(data.length, b.position() + step));
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    b.limit(data.length);
                    Thread.sleep(20); // a slow writer, on purpose: the transfer must wait for its source
                }
                ch.close();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Reads with pauses, so the transfer sees EAGAIN on its target. */
    private static CompletableFuture<byte[]> slowDrain(SocketChannel ch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(512 * 1024);
                int reads = 0;
                int n;
                while ((n = ch.read(b)) >= 0) {
                    out.write(b.array(), 0, n);
                    b.clear();
                    if (++reads % 4 == 0) {
                        Thread.sleep(10); // a slow reader, on purpose: the transfer must wait for room
                    }
                }
                return out.toByteArray();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }
}

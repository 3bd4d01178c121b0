package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.payload;
import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferListener;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Loopback;

/**
 * The documented contract for other threads using a channel while a splice transfer runs on it
 * (ZeroCopy's class Javadoc, docs/threads.md): a blocking read still blocks until data comes; a
 * blocking write may return short, so a write loop delivers every byte.
 */
class OtherThreadsTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void aConcurrentBlockingReadStillBlocksUntilDataComes() throws Exception {
        byte[] data = payload(64 << 20);
        Path src = Fixtures.file(dir, "src", data);
        CountDownLatch moving = new CountDownLatch(1);
        TransferEngine engine = ZeroCopy.builder().threshold(0).strategies("splice").listener(new TransferListener() {
            @Override
            public void onProgress(String strategy, long delivered) {
                moving.countDown();
            }
        }).build();
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            Future<Long> sent = Endpoints.peer(() -> engine.transfer(in, 0, data.length, c.client));
            assertTrue(moving.await(30, TimeUnit.SECONDS), "the transfer runs");
            awaitNonBlocking(c.client); // set by the transfer: read the socket from another thread
            Future<Integer> read = Endpoints.peer(() -> c.client.read(ByteBuffer.allocate(100)));
            Thread.sleep(200); // the reply comes late, on purpose: the read is issued before it
            Endpoints.writeFully(c.accepted, ByteBuffer.wrap(new byte[100]));
            assertEquals(100, Endpoints.await(read), "a blocking read returns data, never 0");
            byte[] got = readExactly(c.accepted, data.length);
            assertEquals(data.length, Endpoints.await(sent));
            assertSameBytes(data, got, "the transfer");
        }
    }

    @Test
    void aConcurrentWriteLoopDeliversEveryByte() throws Exception {
        byte[] reply = payload(8 << 20);
        Path out = dir.resolve("out");
        try (Loopback.Connection c = Loopback.connect();
             FileChannel target = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            TransferEngine engine = ZeroCopy.builder().threshold(0).strategies("splice").build();
            Future<Long> received = Endpoints.peer(() -> engine.transfer(c.accepted, target));
            Future<byte[]> peerGot = Endpoints.peer(() -> readExactly(c.client, reply.length));
            awaitNonBlocking(c.accepted); // the transfer holds O_NONBLOCK: the state under test
            ByteBuffer buf = ByteBuffer.wrap(reply);
            while (buf.hasRemaining()) {
                c.accepted.write(buf); // may return short while the transfer holds O_NONBLOCK
            }
            assertSameBytes(reply, Endpoints.await(peerGot), "a write loop on the same socket");
            c.client.shutdownOutput();
            assertEquals(0, (long) Endpoints.await(received));
        }
    }

    private static byte[] readExactly(java.nio.channels.ReadableByteChannel ch, int n) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b) >= 0) {
            continue;
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** Waits (at most 10 s) until the transfer has put the channel's description in non-blocking mode. */
    private static void awaitNonBlocking(java.nio.channels.Channel ch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((Native.syscalls().fcntl(ChannelDescriptors.raw(ch), Native.F_GETFL, 0) & Native.O_NONBLOCK) == 0) {
            assertTrue(System.nanoTime() < deadline, "the transfer never set O_NONBLOCK");
            Thread.onSpinWait();
        }
    }
}

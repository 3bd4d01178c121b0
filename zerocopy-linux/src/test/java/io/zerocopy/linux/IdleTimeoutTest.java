package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.payload;
import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.BroadcastException;
import io.zerocopy.TransferEngine;
import io.zerocopy.TransferTimeoutException;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Loopback;

/** The engine's idle timeout on every native wait: splice, tee, vmsplice's acknowledgement wait. */
class IdleTimeoutTest {

    private static final Duration IDLE = Duration.ofMillis(300);
    private static final long LATEST_MILLIS = 300 + 3000;

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    private static TransferEngine splice() {
        return ZeroCopy.builder().threshold(0).strategies("splice").idleTimeout(IDLE).build();
    }

    @Test
    void aSilentWriterEndsASpliceWithTheExactCount() throws Exception {
        byte[] data = payload(100_000);
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            Endpoints.writeFully(in.client, ByteBuffer.wrap(data)); // then silence, the connection open
            long start = System.nanoTime();
            TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                    () -> splice().transfer(in.accepted, out.client));
            assertEnded(start);
            assertEquals("splice", e.strategy());
            assertEquals(data.length, e.bytesDelivered());
            assertEquals(0, e.bytesUndelivered());
            out.client.close();
            assertSameBytes(data, Endpoints.drain(out.accepted), "what the target received");
        }
    }

    @Test
    void aStalledReaderEndsASpliceWithTheExactCount() throws Exception {
        byte[] data = payload(32 << 20);
        Path src = Fixtures.file(dir, "src", data);
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            long start = System.nanoTime();
            TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                    () -> splice().transfer(in, 0, data.length, c.client));
            assertEnded(start);
            assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
            assertTrue(e.bytesDelivered() > 0 && e.bytesDelivered() < data.length, e.getMessage());
            c.client.close();
            byte[] got = Endpoints.drain(c.accepted);
            assertEquals(e.bytesDelivered(), got.length, "bytesDelivered() is what the peer received");
            assertSameBytes(Arrays.copyOf(data, got.length), got, "the prefix");
        }
        assertEquals(0, Linux.sharedPipePool().openPipes() - Linux.sharedPipePool().idlePipes(),
                "no pipe left leased");
    }

    @Test
    void withATimeoutTheDefaultEngineServesABlockingSocketByAPathTheTimeoutReaches() throws Exception {
        byte[] data = payload(32 << 20);
        Path src = Fixtures.file(dir, "src", data);
        TransferEngine engine = ZeroCopy.builder().idleTimeout(IDLE).build();
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            long start = System.nanoTime();
            TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                    () -> engine.transfer(in, 0, data.length, c.client));
            assertEnded(start);
            assertEquals("sendfile", e.strategy(), "the default for file to socket waits through the library");
            c.client.close();
            assertEquals(e.bytesDelivered(), Endpoints.drain(c.accepted).length);
        }
    }

    @Test
    void aBroadcastWhoseTargetsStallEndsATee() throws Exception {
        byte[] data = payload(16 << 20);
        Path src = Fixtures.file(dir, "src", data);
        TransferEngine engine = ZeroCopy.builder().idleTimeout(IDLE).build();
        try (Loopback.Connection a = Loopback.connect(); Loopback.Connection b = Loopback.connect();
             FileChannel in = FileChannel.open(src)) {
            long start = System.nanoTime();
            BroadcastException e = assertThrows(BroadcastException.class,
                    () -> engine.broadcast(in, 0, data.length, List.of(a.client, b.client)));
            assertEnded(start);
            assertEquals("tee", e.result().strategy());
            assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
            a.client.close();
            assertEquals(e.result().targets().get(0).bytes(), Endpoints.drain(a.accepted).length);
        }
    }

    @Test
    void theVmspliceAcknowledgementWaitEnds() throws Exception {
        byte[] data = payload(1 << 20);
        TransferEngine engine = ZeroCopy.builder().idleTimeout(IDLE)
                .addFirst(new VmspliceStrategy(Linux.sharedPipePool(), false, (local, peer) -> false, Native.syscalls())).build();
        try (Loopback.Connection c = Loopback.connect()) {
            // The whole send fits the sender's queue, but the reader's window does not take it:
            // every byte is spliced, and then some stay unacknowledged for as long as nobody reads.
            c.client.setOption(StandardSocketOptions.SO_SNDBUF, 8 << 20);
            c.accepted.setOption(StandardSocketOptions.SO_RCVBUF, 64 << 10);
            ByteBuffer buf = ByteBuffer.allocateDirect(data.length).put(data).flip();
            long start = System.nanoTime();
            TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                    () -> engine.send(new ByteBuffer[] {buf}, c.client));
            assertEnded(start);
            assertEquals("vmsplice", e.strategy());
            assertInstanceOf(VmspliceStrategy.PagesStillReferenced.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("do not reuse them"), e.getCause().getMessage());
            assertEquals(buf.position(), e.bytesDelivered(), "the buffer's position is the count");
            c.client.close();
            assertEquals(e.bytesDelivered(), Endpoints.drain(c.accepted).length);
        }
    }

    private static void assertEnded(long startNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        assertTrue(millis >= IDLE.toMillis() && millis < LATEST_MILLIS, "ended after " + millis + " ms");
    }
}

package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zerocopy.spi.ChannelKind;

/**
 * Non-blocking channels: the transfer waits with a selector for a slow peer instead of spinning,
 * so the transferring thread's CPU time stays a small part of the wall time.
 */
class NonBlockingTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferTo", "mmap"})
    void aSlowReaderOnANonBlockingTargetIsWaitedOnNotSpunOn(String strategy) throws Exception {
        byte[] payload = Payloads.of(8 << 20, 21);
        Path file = dir.resolve("in");
        Files.write(file, payload);
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).build();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (FileChannel in = FileChannel.open(file); Loopback.Connection c = Loopback.connect()) {
            c.client.configureBlocking(false);
            Future<byte[]> reader = Endpoints.peer(() -> slowRead(c.accepted));
            long cpu0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            assertEquals(payload.length, engine.transfer(in, 0, payload.length, c.client));
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            c.client.shutdownOutput();
            Payloads.assertSameBytes(payload, Endpoints.await(reader), strategy);
            assertTrue(wall > 100_000_000L, "the reader is slow, so the transfer must take a while: " + wall / 1_000_000 + " ms");
            assertTrue(cpu < wall / 4, "busy spin suspected: cpu " + cpu / 1_000_000 + " ms of wall " + wall / 1_000_000 + " ms");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy"})
    void aSlowWriterOnANonBlockingSourceIsWaitedOn(String strategy) throws Exception {
        byte[] payload = Payloads.of(2 << 20, 22);
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).build();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Loopback.Connection c = Loopback.connect(); Endpoints.Target out = Endpoints.target(ChannelKind.FILE, dir)) {
            c.accepted.configureBlocking(false);
            Future<Void> writer = Endpoints.peer(() -> {
                ByteBuffer src = ByteBuffer.wrap(payload);
                while (src.hasRemaining()) {
                    ByteBuffer slice = src.slice();
                    slice.limit(Math.min(slice.remaining(), 64 << 10));
                    src.position(src.position() + Endpoints.writeAll(c.client, slice));
                    Thread.sleep(15); // the slow peer under test, not a synchronisation
                }
                c.client.shutdownOutput();
                return null;
            });
            long cpu0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            assertEquals(payload.length, engine.transfer(c.accepted, out.channel()));
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            Endpoints.await(writer);
            Payloads.assertSameBytes(payload, out.finish(), strategy);
            assertTrue(cpu < wall / 4, "busy spin suspected: cpu " + cpu / 1_000_000 + " ms of wall " + wall / 1_000_000 + " ms");
        }
    }

    private static byte[] slowRead(java.nio.channels.SocketChannel in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf.array(), 0, n);
            buf.clear();
            Thread.sleep(10); // the slow peer under test, not a synchronisation
        }
        return out.toByteArray();
    }
}

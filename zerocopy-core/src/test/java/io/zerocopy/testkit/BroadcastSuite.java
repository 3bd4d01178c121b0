package io.zerocopy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.BroadcastException;
import io.zerocopy.BroadcastResult;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.TransferEngine;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broadcast behaviour, shared by every broadcast strategy: byte-exact delivery to mixed targets
 * across the matrix sizes, a target that fails mid-broadcast, a slow target, a stalled target,
 * all-or-nothing, and descriptor counts after 1,000 broadcasts.
 */
public abstract class BroadcastSuite {

    /** A temporary directory for this test. */
    @TempDir
    protected Path dir;

    /**
     * @param builder configure the engine under test from this builder
     * @return the engine
     */
    protected abstract TransferEngine engine(TransferEngine.Builder builder);

    /** @return the strategy expected to serve socket, pipe and file targets from the given source kind */
    protected abstract String expectedStrategy(ChannelKind source);

    /** @return descriptors the engine may keep open by design */
    protected int allowedDescriptorGrowth() {
        return 0;
    }

    private TransferEngine engine() {
        return engine(io.zerocopy.ZeroCopy.builder());
    }

    private List<Endpoints.Target> mixedTargets() throws Exception {
        List<Endpoints.Target> targets = new ArrayList<>();
        targets.add(Endpoints.target(ChannelKind.SOCKET, dir));
        targets.add(Endpoints.target(ChannelKind.SOCKET, dir));
        targets.add(Endpoints.target(ChannelKind.PIPE, dir));
        targets.add(Endpoints.target(ChannelKind.FILE, dir));
        return targets;
    }

    private static List<WritableByteChannel> channels(List<Endpoints.Target> targets) {
        List<WritableByteChannel> list = new ArrayList<>();
        for (Endpoints.Target t : targets) {
            list.add(t.channel());
        }
        return list;
    }

    @TestFactory
    Stream<DynamicTest> everyTargetReceivesExactlyTheSource() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ChannelKind source : new ChannelKind[] {ChannelKind.FILE, ChannelKind.SOCKET, ChannelKind.PIPE}) {
            for (long size : Payloads.MATRIX_SIZES) {
                tests.add(DynamicTest.dynamicTest(source + " to 4 targets, size=" + size, () -> {
                    byte[] payload = Payloads.of((int) size, size + 1);
                    List<Endpoints.Target> targets = mixedTargets();
                    try (Endpoints.Source src = Endpoints.source(source, payload, source == ChannelKind.FILE ? 777 : 0, dir)) {
                        BroadcastResult r = source == ChannelKind.FILE
                                ? engine().broadcast(src.file(), src.position, size, channels(targets))
                                : engine().broadcast(src.channel(), channels(targets));
                        assertEquals(size, r.sourceBytes());
                        assertTrue(r.allDelivered(), r.toString());
                        assertEquals(expectedStrategy(source), r.strategy());
                        for (int i = 0; i < targets.size(); i++) {
                            Payloads.assertSameBytes(payload, targets.get(i).finish(), "target " + i);
                            assertEquals(size, r.targets().get(i).bytes());
                        }
                        src.finish();
                    } finally {
                        for (Endpoints.Target t : targets) {
                            t.close();
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void aTargetThatResetsMidBroadcastStopsAloneAndTheOthersComplete() throws Exception {
        byte[] payload = Payloads.of(48 << 20, 41);
        List<Endpoints.Target> targets = mixedTargets();
        try (Loopback.Connection failing = Loopback.connect();
             Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir)) {
            Future<Long> resetter = Endpoints.peer(() -> readThenReset(failing.accepted, 1 << 20));
            List<WritableByteChannel> chans = channels(targets);
            chans.add(1, failing.client);
            BroadcastResult r = engine().broadcast(src.file(), 0, payload.length, chans);
            long read = Endpoints.await(resetter);
            BroadcastResult.Target bad = r.targets().get(1);
            assertNotNull(bad.failure(), r.toString());
            assertTrue(bad.bytes() >= read && bad.bytes() < payload.length, r.toString());
            for (int i = 0; i < targets.size(); i++) {
                Payloads.assertSameBytes(payload, targets.get(i).finish(), "healthy target " + i);
            }
            for (int i : new int[] {0, 2, 3, 4}) {
                assertNull(r.targets().get(i).failure());
                assertEquals(payload.length, r.targets().get(i).bytes());
            }
        } finally {
            for (Endpoints.Target t : targets) {
                t.close();
            }
        }
    }

    @Test
    void allOrNothingEndsAtTheFirstFailureWithTheCounts() throws Exception {
        byte[] payload = Payloads.of(32 << 20, 42);
        TransferEngine engine = engine(io.zerocopy.ZeroCopy.builder().broadcastAllOrNothing(true));
        List<Endpoints.Target> targets = mixedTargets();
        try (Loopback.Connection failing = Loopback.connect();
             Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir)) {
            Future<Long> resetter = Endpoints.peer(() -> readThenReset(failing.accepted, 1 << 20));
            List<WritableByteChannel> chans = channels(targets);
            chans.add(0, failing.client);
            BroadcastException e = assertThrows(BroadcastException.class,
                    () -> engine.broadcast(src.file(), 0, payload.length, chans));
            Endpoints.await(resetter);
            assertNotNull(e.result().targets().get(0).failure());
            assertTrue(e.result().sourceBytes() < payload.length, e.getMessage());
            for (int i = 1; i < chans.size(); i++) {
                byte[] got = targets.get(i - 1).finish();
                assertEquals(e.result().targets().get(i).bytes(), got.length, "target " + i + " count");
                Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, got.length), got, "prefix at target " + i);
            }
        } finally {
            for (Endpoints.Target t : targets) {
                t.close();
            }
        }
    }

    @Test
    void aSlowPipeReaderIsWaitedForWithoutStallingTheOthersForever() throws Exception {
        byte[] payload = Payloads.of(4 << 20, 43);
        Pipe slow = Pipe.open();
        List<Endpoints.Target> targets = mixedTargets();
        try (Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir)) {
            Future<byte[]> reader = Endpoints.peer(() -> {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(128 << 10);
                int n;
                while ((n = slow.source().read(buf)) >= 0) {
                    out.write(buf.array(), 0, n);
                    buf.clear();
                    Thread.sleep(5); // the slow peer under test, not a synchronisation
                }
                return out.toByteArray();
            });
            List<WritableByteChannel> chans = channels(targets);
            chans.add(slow.sink());
            BroadcastResult r = engine().broadcast(src.file(), 0, payload.length, chans);
            assertTrue(r.allDelivered(), r.toString());
            assertTrue(slow.sink().isBlocking(), "the target's blocking mode is restored");
            slow.sink().close();
            Payloads.assertSameBytes(payload, Endpoints.await(reader), "slow pipe");
            for (int i = 0; i < targets.size(); i++) {
                Payloads.assertSameBytes(payload, targets.get(i).finish(), "target " + i);
            }
        } finally {
            slow.source().close();
            for (Endpoints.Target t : targets) {
                t.close();
            }
        }
    }

    @Test
    void aTargetThatStopsReadingIsFailedAsStalledAndTheOthersComplete() throws Exception {
        byte[] payload = Payloads.of(16 << 20, 44);
        TransferEngine engine = engine(io.zerocopy.ZeroCopy.builder().broadcastStallTimeout(Duration.ofSeconds(1)));
        List<Endpoints.Target> targets = mixedTargets();
        try (Loopback.Connection stuck = Loopback.connect();
             Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir)) {
            List<WritableByteChannel> chans = channels(targets);
            chans.add(stuck.client);
            long start = System.nanoTime();
            BroadcastResult r = engine.broadcast(src.file(), 0, payload.length, chans);
            BroadcastResult.Target s = r.targets().get(chans.size() - 1);
            assertNotNull(s.failure(), r.toString());
            assertTrue(s.failure().getMessage().contains("stalled"), s.failure().toString());
            assertTrue(s.bytes() < payload.length);
            assertTrue(System.nanoTime() - start < 20_000_000_000L, "bounded by the stall timeout");
            for (int i = 0; i < targets.size(); i++) {
                Payloads.assertSameBytes(payload, targets.get(i).finish(), "target " + i);
            }
        } finally {
            for (Endpoints.Target t : targets) {
                t.close();
            }
        }
    }

    @Test
    void aThousandBroadcastsLeaveNoDescriptorBehind() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Descriptors.countable(), "needs /proc/self/fd");
        byte[] payload = Payloads.of(100_000, 45);
        Path file = dir.resolve("src");
        Files.write(file, payload);
        TransferEngine engine = engine();
        List<Loopback.Connection> conns = new ArrayList<>();
        List<Future<byte[]>> drains = new ArrayList<>();
        List<WritableByteChannel> chans = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Loopback.Connection c = Loopback.connect();
            conns.add(c);
            drains.add(Endpoints.peer(() -> Endpoints.drain(c.accepted)));
            chans.add(c.client);
        }
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(file)) {
            for (int i = 0; i < 20; i++) {
                engine.broadcast(in, 0, payload.length, chans);
            }
            Descriptors.Snapshot before = Descriptors.snapshot();
            for (int i = 0; i < 1000; i++) {
                BroadcastResult r = engine.broadcast(in, 0, i % 7 == 0 ? payload.length : i * 37L, chans);
                assertTrue(r.allDelivered());
            }
            before.assertOpenedAtMost(allowedDescriptorGrowth(), "1000 broadcasts");
        } finally {
            for (Loopback.Connection c : conns) {
                c.client.shutdownOutput();
            }
            for (Future<byte[]> d : drains) {
                Endpoints.await(d);
            }
            for (Loopback.Connection c : conns) {
                c.close();
            }
        }
    }

    private static long readThenReset(SocketChannel ch, long bytes) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        long got = 0;
        while (got < bytes) {
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            got += n;
            buf.clear();
        }
        ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        ch.close();
        return got;
    }
}

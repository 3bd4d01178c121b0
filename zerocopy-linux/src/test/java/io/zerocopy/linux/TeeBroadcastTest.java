package io.zerocopy.linux;

import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zerocopy.BroadcastResult;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.BroadcastSuite;
import io.zerocopy.testkit.Descriptors;
import io.zerocopy.testkit.Loopback;

/**
 * The shared broadcast suite through {@code tee} (what an application gets by adding the jar),
 * and tee's own fallbacks: each is taken before any source byte is read, so the portable
 * broadcast serves the whole source.
 */
class TeeBroadcastTest extends BroadcastSuite {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Override
    protected TransferEngine engine(TransferEngine.Builder builder) {
        return builder.build();
    }

    @Override
    protected String expectedStrategy(ChannelKind source) {
        return "tee";
    }

    /** Pipes a broadcast to the suite's three targets may add to the shared pool (both ends each). */
    @Override
    protected int allowedDescriptorGrowth() {
        return 2 * 4;
    }

    @Test
    void theProviderOffersTeeBeforeCopy() {
        assertEquals(List.of("tee", "copy"), ZeroCopy.builder().build().broadcastStrategies());
    }

    @Test
    void aTargetWithoutDescriptorFallsBackToCopyBeforeReading() throws Exception {
        byte[] data = Fixtures.payload(3 << 20);
        Path src = Fixtures.file(dir, "src", data);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (FileChannel in = FileChannel.open(src); Loopback.Connection conn = Loopback.connect()) {
            var drained = Fixtures.drain(conn.accepted);
            WritableByteChannel wrapper = Channels.newChannel(sink);
            BroadcastResult r = ZeroCopy.builder().build().broadcast(in, 0, data.length, List.of(conn.client, wrapper));
            conn.client.shutdownOutput();
            assertEquals("copy", r.strategy());
            assertTrue(r.allDelivered(), r.toString());
            assertSameBytes(data, drained.get(), "socket");
            assertSameBytes(data, sink.toByteArray(), "wrapper");
        }
    }

    @Test
    void anAppendTargetFallsBackToCopy() throws Exception {
        byte[] data = Fixtures.payload(1 << 20);
        Path src = Fixtures.file(dir, "src", data);
        Path out = Fixtures.file(dir, "out", new byte[] {7});
        try (FileChannel in = FileChannel.open(src);
             FileChannel append = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            BroadcastResult r = ZeroCopy.builder().build().broadcast(in, 0, data.length, List.of(append));
            assertEquals("copy", r.strategy());
            assertEquals(data.length + 1, Files.size(out));
        }
    }

    @Test
    void anExhaustedPoolFallsBackToCopyAndLeasedPipesAreReturned() throws Exception {
        PipePool pool = Linux.sharedPipePool();
        byte[] data = Fixtures.payload((2 << 20) + 5);
        Path src = Fixtures.file(dir, "src", data);
        List<PooledPipe> held = new ArrayList<>();
        try (FileChannel in = FileChannel.open(src);
             FileChannel a = FileChannel.open(dir.resolve("a"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel b = FileChannel.open(dir.resolve("b"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (PooledPipe p; held.size() < pool.maxPipes() - 2 && (p = pool.acquire()) != null; ) {
                held.add(p);
            }
            BroadcastResult r = ZeroCopy.builder().build().broadcast(in, 0, data.length, List.of(a, b));
            assertEquals("copy", r.strategy(), "2 targets need 3 pipes; 2 are left");
            assertEquals(pool.openPipes() - held.size(), pool.idlePipes(), "the pipes leased for the attempt went back: " + pool);
            assertSameBytes(data, Files.readAllBytes(dir.resolve("a")), "a");
            assertSameBytes(data, Files.readAllBytes(dir.resolve("b")), "b");
        } finally {
            for (PooledPipe p : held) {
                pool.release(p);
            }
        }
    }

    @Test
    void fileTargetsKeepTheirPositionsAndReceiveAtThem() throws Exception {
        byte[] data = Fixtures.payload((5 << 20) + 123);
        Path src = Fixtures.file(dir, "src", data);
        try (FileChannel in = FileChannel.open(src);
             FileChannel a = FileChannel.open(dir.resolve("a"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            a.position(1000);
            BroadcastResult r = ZeroCopy.builder().build().broadcast(in, 17, data.length - 17, List.of(a));
            assertEquals("tee", r.strategy());
            assertEquals(1000 + data.length - 17, a.position());
            byte[] got = Fixtures.read(a);
            assertSameBytes(java.util.Arrays.copyOfRange(data, 17, data.length),
                    java.util.Arrays.copyOfRange(got, 1000, got.length), "file target");
            assertEquals(0, in.position(), "region form leaves the source position alone");
        }
    }

    @Test
    void aFailedTargetsPipeIsClosedNotPooled() throws Exception {
        PipePool pool = Linux.sharedPipePool();
        byte[] data = Fixtures.payload(24 << 20);
        Path src = Fixtures.file(dir, "src", data);
        try (FileChannel in = FileChannel.open(src);
             Loopback.Connection good = Loopback.connect();
             Loopback.Connection bad = Loopback.connect()) {
            var drained = Fixtures.drain(good.accepted);
            bad.accepted.close();
            assertEquals(-1, bad.client.read(java.nio.ByteBuffer.allocate(1)), "the receiver's close has arrived");
            BroadcastResult r = ZeroCopy.builder().build().broadcast(in, 0, data.length, List.of(bad.client, good.client));
            good.client.shutdownOutput();
            assertEquals("tee", r.strategy());
            assertNotNull(r.targets().get(0).failure(), r.toString());
            assertEquals(data.length, r.targets().get(1).bytes());
            assertSameBytes(data, drained.get(), "healthy target");
            assertTrue(pool.openPipes() <= pool.maxPipes(), pool.toString());
        }
    }

    @Test
    void anInterruptEndsTheBroadcastClosingTheChannelsAndLeakingNoPipe() throws Exception {
        PipePool pool = Linux.sharedPipePool();
        byte[] data = Fixtures.payload(32 << 20);
        Path src = Fixtures.file(dir, "src", data);
        try (FileChannel in = FileChannel.open(src); Loopback.Connection stuck = Loopback.connect()) {
            int open = pool.openPipes();
            Thread caller = Thread.currentThread();
            Thread interrupter = new Thread(() -> {
                awaitQueued(stuck.accepted); // the broadcast is under way
                caller.interrupt();
            });
            interrupter.start();
            io.zerocopy.BroadcastException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.zerocopy.BroadcastException.class,
                    () -> ZeroCopy.builder().build().broadcast(in, 0, data.length, List.of(stuck.client)));
            interrupter.join();
            assertTrue(Thread.interrupted(), "interrupt status kept");
            assertTrue(e.getCause() instanceof java.nio.channels.ClosedByInterruptException, e.toString());
            assertEquals("tee", e.result().strategy());
            assertTrue(!stuck.client.isOpen() && !in.isOpen(), "NIO contract: the channels are closed");
            assertTrue(pool.openPipes() <= open + 2, "pipes holding bytes were closed: " + pool);
        }
    }

    @Test
    void aFileTargetThatRefusesSpliceMidBroadcastIsSwitchedToCopying() throws Exception {
        byte[] data = Fixtures.payload((6 << 20) + 333);
        Path src = Fixtures.file(dir, "src", data);
        Path refusing = Fixtures.file(dir, "refusing", new byte[100]);
        Path other = dir.resolve("other");
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        try (FileChannel in = FileChannel.open(src); Loopback.Connection sock = Loopback.connect();
             java.nio.channels.Pipe.SourceChannel pipeOut = pipe.source();
             FileChannel a = FileChannel.open(refusing, StandardOpenOption.WRITE, StandardOpenOption.READ);
             FileChannel c = FileChannel.open(other, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            a.position(100);
            // The third splice into the file and every later one say EINVAL, as from a file system without splice.
            FaultySyscalls refusal = new FaultySyscalls(Errno.Syscall.SPLICE, Errno.EINVAL)
                    .drainsInto(refusing.toRealPath().toString()).from(3);
            var fromSocket = Fixtures.drain(sock.accepted);
            var fromPipe = Fixtures.drain(pipeOut);
            BroadcastResult r;
            try (java.nio.channels.Pipe.SinkChannel pipeIn = pipe.sink()) {
                r = FaultyTeeProvider.engineWith(refusal).broadcast(in, 0, data.length, List.of(sock.client, a, pipeIn, c));
                sock.client.shutdownOutput();
            }
            assertEquals("tee", r.strategy());
            assertTrue(r.allDelivered(), r.toString());
            assertEquals(3, refusal.calls(), "two chunks spliced into the file, the third refused, none tried after");
            assertEquals(1, refusal.failures());
            assertEquals(java.util.Arrays.asList(null, "copy", null, null),
                    r.targets().stream().map(BroadcastResult.Target::fallback).toList(), r.toString());
            assertSameBytes(data, fromSocket.get(), "socket");
            assertSameBytes(data, fromPipe.get(), "pipe");
            assertSameBytes(data, Files.readAllBytes(other), "file served by splice");
            byte[] got = Files.readAllBytes(refusing);
            assertSameBytes(data, java.util.Arrays.copyOfRange(got, 100, got.length), "file switched to copying");
            assertEquals(100 + data.length, a.position(), "left after the bytes it received");
        }
    }

    @Test
    void aSocketTargetThatRefusesSpliceIsCopiedWithoutHoldingUpTheOthers() throws Exception {
        byte[] data = Fixtures.payload((4 << 20) + 77);
        try (Loopback.Connection source = Loopback.connect(); Loopback.Connection slow = Loopback.connect();
             Loopback.Connection fast = Loopback.connect()) {
            slow.client.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 32 * 1024);
            slow.accepted.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 32 * 1024);
            FaultySyscalls refusal = new FaultySyscalls(Errno.Syscall.SPLICE, Errno.EOPNOTSUPP)
                    .drainsInto(Descriptors.target(ChannelDescriptors.raw(slow.client))).from(2);
            Fixtures.feed(source.client, data, true);
            var fromSlow = slowDrain(slow.accepted);
            var fromFast = Fixtures.drain(fast.accepted);
            BroadcastResult r = FaultyTeeProvider.engineWith(refusal).broadcast(source.accepted, List.of(slow.client, fast.client));
            slow.client.shutdownOutput();
            fast.client.shutdownOutput();
            assertEquals("tee", r.strategy());
            assertTrue(r.allDelivered(), r.toString());
            assertEquals(1, refusal.failures(), refusal.toString());
            assertEquals("copy", r.targets().get(0).fallback(), r.toString());
            assertNull(r.targets().get(1).fallback(), r.toString());
            assertSameBytes(data, fromSlow.get(), "socket switched to copying");
            assertSameBytes(data, fromFast.get(), "socket served by splice");
            assertTrue(slow.client.isBlocking(), "made blocking again");
        }
    }

    /** Reads {@code ch} to its end 16 KiB at a time, a millisecond apart. */
    private static java.util.concurrent.CompletableFuture<byte[]> slowDrain(java.nio.channels.SocketChannel ch) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 * 1024);
                while (ch.read(b) >= 0) {
                    out.write(b.array(), 0, b.position());
                    b.clear();
                    Thread.sleep(1);
                }
                return out.toByteArray();
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Parks until bytes are queued for {@code ch} to read (FIONREAD), without reading them. */
    private static void awaitQueued(java.nio.channels.SocketChannel ch) {
        java.nio.ByteBuffer count = ChannelDescriptors.scratch(4);
        long address = ChannelDescriptors.address(count);
        while (Native.syscalls().ioctl(ChannelDescriptors.raw(ch), Native.FIONREAD, address) == 0 && count.getInt(0) == 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}

package io.zerocopy.linux;

import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/** Memory sends through {@code vmsplice}: byte-exact, buffer positions exact, and its fallbacks. */
class VmspliceStrategyTest {

    /** Sizes across page, pipe and iovec-batch boundaries; slices start unaligned. */
    private static final int[] SIZES = {0, 1, 4095, 4097, 65537, (1 << 20) + 3, 0, 3 << 20, 7};

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    private static ByteBuffer[] buffers(byte[] payload, int copies) {
        ByteBuffer[] out = new ByteBuffer[SIZES.length * copies];
        int at = 0;
        for (int k = 0; k < out.length; k++) {
            int size = SIZES[k % SIZES.length];
            ByteBuffer b = ByteBuffer.allocateDirect(size + 13);
            b.position(13);
            b.put(payload, at, size);
            b.position(13);
            out[k] = b.slice().position(0);
            at += size;
        }
        return out;
    }

    private static int total(int copies) {
        return Arrays.stream(SIZES).sum() * copies;
    }

    private static void assertConsumed(ByteBuffer[] bufs) {
        for (ByteBuffer b : bufs) {
            assertFalse(b.hasRemaining(), "every buffer's position at its limit");
        }
    }

    @Test
    void safeModeSendsToAFileAtItsPosition() throws Exception {
        byte[] payload = Payloads.of(total(1), 7);
        ByteBuffer[] bufs = buffers(payload, 1);
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.vmsplice()).listener(rec).build();
        try (FileChannel out = FileChannel.open(dir.resolve("out"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            out.position(100);
            assertEquals(payload.length, engine.send(bufs, out));
            assertEquals("vmsplice", rec.last().strategy());
            assertEquals(100 + payload.length, out.position());
            byte[] got = Fixtures.read(out);
            assertSameBytes(payload, Arrays.copyOfRange(got, 100, got.length), "file");
        }
        assertConsumed(bufs);
    }

    @Test
    void heapBuffersTakeTheGatheringWrite() throws Exception {
        byte[] payload = Payloads.of(1 << 20, 8);
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.vmsplice(true)).listener(rec).build();
        try (FileChannel out = FileChannel.open(dir.resolve("out"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            ByteBuffer heap = ByteBuffer.wrap(payload);
            assertEquals(payload.length, engine.send(new ByteBuffer[] {ByteBuffer.allocateDirect(0), heap}, out));
            assertEquals("copy", rec.last().strategy());
            assertSameBytes(payload, Fixtures.read(out), "file");
        }
    }

    @Test
    void unsafeReuseSendsToASocketAndAPipeByteExact() throws Exception {
        byte[] payload = Payloads.of(total(2), 9);
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.vmsplice(true)).listener(rec).build();
        try (Loopback.Connection c = Loopback.connect()) {
            var got = Fixtures.drain(c.accepted);
            ByteBuffer[] bufs = buffers(payload, 2);
            assertEquals(payload.length, engine.send(bufs, c.client));
            c.client.shutdownOutput();
            assertEquals("vmsplice", rec.last().strategy());
            assertSameBytes(payload, got.get(), "socket");
            assertConsumed(bufs);
        }
        Pipe p = Pipe.open();
        try (Pipe.SourceChannel source = p.source()) {
            var got = Fixtures.drain(source);
            ByteBuffer[] bufs = buffers(payload, 2);
            try (Pipe.SinkChannel sink = p.sink()) {
                assertEquals(payload.length, engine.send(bufs, sink));
            }
            assertEquals("vmsplice", rec.last().strategy());
            assertSameBytes(payload, got.get(), "pipe");
            assertConsumed(bufs);
        }
    }

    @Test
    void aClosedReceiverFailsWithTheCountAndPositionsMatchIt() throws Exception {
        byte[] payload = Payloads.of(8 << 20, 10);
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.vmsplice(true)).build();
        try (Loopback.Connection c = Loopback.connect()) {
            c.accepted.close();
            assertEquals(-1, c.client.read(ByteBuffer.allocate(1)), "the receiver's close has arrived");
            ByteBuffer buf = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
            io.zerocopy.TransferException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.zerocopy.TransferException.class, () -> engine.send(new ByteBuffer[] {buf}, c.client));
            assertEquals(buf.position(), e.bytesDelivered(), e.toString());
        }
    }

    /**
     * Safe mode, a TCP peer on another host: {@code send} returns only when {@code SIOCOUTQ} reports nothing
     * unacknowledged. No remote host is reachable here, so the loopback peer is declared remote; this covers the
     * wait, not whether a remote peer's acknowledgement frees the pages (on loopback the receiver's queue still
     * shares them, which is why a real loopback peer takes the gathering write).
     */
    @Test
    void safeModeToARemotePeerReturnsOnlyWhenEveryByteIsAcknowledged() throws Exception {
        byte[] payload = Payloads.of(4 << 20, 11);
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().listener(rec)
                .addFirst(new VmspliceStrategy(Linux.sharedPipePool(), false, (local, peer) -> false, Native.syscalls())).build();
        try (Loopback.Connection c = Loopback.connect()) {
            // a small receive buffer and a slow reader keep bytes unacknowledged while the last splice returns
            c.accepted.setOption(StandardSocketOptions.SO_RCVBUF, 64 << 10);
            Future<byte[]> got = Endpoints.peer(() -> slowRead(c.accepted));
            ByteBuffer buf = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
            assertEquals(payload.length, engine.send(new ByteBuffer[] {buf}, c.client));
            assertEquals(0, unacknowledged(c.client), "bytes unacknowledged when send returned");
            assertEquals("vmsplice", rec.last().strategy());
            assertConsumed(new ByteBuffer[] {buf});
            c.client.shutdownOutput();
            assertSameBytes(payload, Endpoints.await(got), "socket");
        }
    }

    private static int unacknowledged(SocketChannel ch) {
        ByteBuffer out = ChannelDescriptors.scratch(4);
        assertEquals(0, Native.syscalls().ioctl(ChannelDescriptors.raw(ch), Native.SIOCOUTQ,
                ChannelDescriptors.address(out)), "ioctl(SIOCOUTQ)");
        return out.getInt(0);
    }

    private static byte[] slowRead(SocketChannel in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        while (in.read(b) >= 0) {
            out.write(b.array(), 0, b.position());
            b.clear();
            Thread.sleep(2); // a slow reader, on purpose: bytes stay unacknowledged while send runs
        }
        return out.toByteArray();
    }

    @Test
    void safeModeTrustsAcknowledgementsOnlyThroughAPhysicalInterface() throws Exception {
        java.net.InetAddress remote = java.net.InetAddress.getByName("192.0.2.1"); // TEST-NET-1: never this host
        int checked = 0;
        for (java.net.NetworkInterface n : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            boolean physical = java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net", n.getName(), "device"));
            for (java.net.InetAddress local : java.util.Collections.list(n.getInetAddresses())) {
                // a veth, bridge or loopback interface: a peer behind it may be in another namespace of this host
                assertEquals(!physical, VmspliceStrategy.mayShare(local, remote), n.getName() + " " + local);
                checked++;
            }
        }
        assertTrue(checked > 0, "no interface address to check");
        assertTrue(VmspliceStrategy.mayShare(null, remote), "no local address: not trusted");
        assertTrue(VmspliceStrategy.mayShare(remote, java.net.InetAddress.getLoopbackAddress()), "a peer on this host");
    }
}

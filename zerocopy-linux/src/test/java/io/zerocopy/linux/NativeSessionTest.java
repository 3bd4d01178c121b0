package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.feed;
import static io.zerocopy.linux.Fixtures.payload;
import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Descriptors;
import io.zerocopy.testkit.Loopback;

/**
 * The per-transfer session: whatever the end (success, fallback, a failure injected through the
 * binding), the duplicated descriptors are closed, O_NONBLOCK is cleared again, the pipe goes
 * back to the pool only empty, and a file target's position is right after the bytes written.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NativeSessionTest {

    private static final int PIPE = 1 << 16;
    private static final int SIZE = (1 << 20) + 7;
    private static final byte[] PREFIX = {1, 2, 3, 4, 5};

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();
    private final PipePool pool = new PipePool(1, PIPE);

    @BeforeAll
    static void linux() throws Exception {
        Fixtures.requireLinux();
        Loopback.connect().close(); // its shared server socket is opened on first use
    }

    @AfterEach
    void tearDown() {
        pool.close();
        assertEquals(0, ChannelDescriptors.channelsInTransfer(), "every channel's O_NONBLOCK bookkeeping ended");
    }

    private TransferEngine engine(Syscalls sys) {
        return ZeroCopy.builder().threshold(0).strategies("copy").listener(recorder)
                .addFirst(new SpliceStrategy(pool, sys)).build();
    }

    private FileChannel target() throws Exception {
        FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        out.write(ByteBuffer.wrap(PREFIX));
        return out;
    }

    @Test
    void successReturnsThePipeRestoresModesAndAdvancesThePosition() throws Exception {
        byte[] data = payload(SIZE);
        try (Loopback.Connection in = Loopback.connect(); FileChannel out = target()) {
            Descriptors.Snapshot before = Descriptors.snapshot();
            CompletableFuture<Void> fed = feed(in.client, data, true);
            assertEquals(SIZE, engine(FaultySyscalls.none()).transfer(in.accepted, out));
            fed.get();
            assertEquals(PREFIX.length + SIZE, out.position());
            assertEquals("splice", recorder.last().strategy());
            assertEquals(1, pool.openPipes());
            assertEquals(1, pool.idlePipes(), "the empty pipe went back to the pool");
            assertFalse(nonBlocking(in.accepted), "O_NONBLOCK cleared again");
            before.assertOpened(2, "only the pooled pipe is new");
            byte[] all = Fixtures.read(out);
            assertSameBytes(data, Arrays.copyOfRange(all, PREFIX.length, all.length), "socket -> file");
        }
    }

    @Test
    void aFailureInjectedMidTransferReleasesEverythingAndKeepsThePositionAtTheBytesWritten() throws Exception {
        byte[] data = payload(SIZE);
        FaultySyscalls enospc = new FaultySyscalls(Errno.Syscall.SPLICE, Errno.ENOSPC).drainsOnly().from(3);
        try (Loopback.Connection in = Loopback.connect(); FileChannel out = target()) {
            Descriptors.Snapshot before = Descriptors.snapshot();
            CompletableFuture<Void> fed = feed(in.client, data, false);
            TransferException e = assertThrows(TransferException.class, () -> engine(enospc).transfer(in.accepted, out));
            assertEquals(1, enospc.failures());
            NativeIOException cause = assertInstanceOf(NativeIOException.class, e.getCause());
            assertEquals(Errno.ENOSPC, cause.errno());
            assertEquals("splice", cause.syscall());
            assertTrue(e.bytesDelivered() >= 2 && e.bytesDelivered() < SIZE, e.toString());
            assertTrue(e.bytesUndelivered() > 0 && e.bytesUndelivered() <= pool.pipeSize(), "the pipe's bytes: " + e);
            assertEquals(PREFIX.length + e.bytesDelivered(), out.position(), "position after the bytes written");
            assertEquals(0, pool.openPipes(), "the pipe holding bytes was closed, not pooled");
            assertFalse(nonBlocking(in.accepted), "O_NONBLOCK cleared again");
            before.assertOpened(0, "no descriptor outlives the failure");
            byte[] all = Fixtures.read(out);
            assertSameBytes(Arrays.copyOf(data, (int) e.bytesDelivered()), Arrays.copyOfRange(all, PREFIX.length,
                    PREFIX.length + (int) e.bytesDelivered()), "the bytes reported delivered");
            in.client.close();
            fed.handle((v, x) -> null).get();
        }
    }

    @Test
    void aTargetDescriptorRefusedReleasesTheSourceOneAndFallsBack() throws Exception {
        byte[] data = payload(SIZE);
        FaultySyscalls emfile = new FaultySyscalls(Errno.Syscall.FCNTL_DUP, Errno.EMFILE).from(2).times(1);
        try (Loopback.Connection in = Loopback.connect(); FileChannel out = target()) {
            Descriptors.Snapshot before = Descriptors.snapshot();
            CompletableFuture<Void> fed = feed(in.client, data, true);
            assertEquals(SIZE, engine(emfile).transfer(in.accepted, out));
            fed.get();
            assertEquals(1, emfile.failures());
            TransferResult r = recorder.last();
            assertEquals("copy", r.strategy(), r.toString());
            assertTrue(r.attempts().get(0).fallbackReason().contains("no descriptor"), r.toString());
            assertEquals(PREFIX.length + SIZE, out.position());
            assertEquals(0, pool.openPipes(), "no pipe was leased");
            assertFalse(nonBlocking(in.accepted), "the source's O_NONBLOCK cleared again");
            before.assertOpened(0, "the source's duplicate was closed");
            assertSameBytes(data, Arrays.copyOfRange(Files.readAllBytes(dir.resolve("dst")), PREFIX.length,
                    PREFIX.length + SIZE), "socket -> file by copy");
        }
    }

    private static boolean nonBlocking(Channel ch) {
        int flags = Native.syscalls().fcntl(ChannelDescriptors.raw(ch), Native.F_GETFL, 0);
        assertTrue(flags >= 0);
        return (flags & Native.O_NONBLOCK) != 0;
    }
}

package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.feed;
import static io.zerocopy.linux.Fixtures.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Descriptors;
import io.zerocopy.testkit.FullFileSystem;
import io.zerocopy.testkit.Loopback;

/** Real errors throw with the bytes delivered; no pipe or descriptor outlives a failure. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailureTest {

    @TempDir
    Path dir;

    private PipePool pool;
    /** The real binding, telling the tests when the transfer first waits. */
    private FaultySyscalls waits;
    private TransferEngine engine;
    private Descriptors.Snapshot before;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @BeforeEach
    void setUp() throws Exception {
        Loopback.connect().close(); // its shared server socket is opened on first use
        pool = new PipePool(4, 1 << 20);
        waits = FaultySyscalls.none();
        engine = ZeroCopy.builder().threshold(0).strategies("copy").addFirst(new SpliceStrategy(pool, waits)).build();
        before = Descriptors.snapshot();
    }

    @AfterEach
    void tearDown() {
        pool.close();
        assertEquals(0, ChannelDescriptors.channelsInTransfer(), "every channel's O_NONBLOCK bookkeeping ended");
    }

    @Test
    void receiverClosingMidTransferThrowsWithTheCountAndLeaksNothing() throws Exception {
        int size = 32 << 20;
        Path src = Fixtures.file(dir, "src", payload(size));
        TransferException e;
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            c.accepted.setOption(StandardSocketOptions.SO_LINGER, 0);
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    ByteBuffer b = ByteBuffer.allocate(1 << 20);
                    long n = 0;
                    while (n < (2 << 20)) {
                        int r = c.accepted.read(b);
                        n += r;
                        b.clear();
                    }
                    c.accepted.close();
                    return n;
                } catch (Exception x) {
                    throw new RuntimeException(x);
                }
            });
            e = assertThrows(TransferException.class, () -> engine.transfer(in, 0, size, c.client));
            long read = reader.get();
            assertTrue(e.bytesDelivered() >= read && e.bytesDelivered() < size, e.getMessage() + "; reader read " + read);
            assertEquals(0, e.bytesUndelivered(), "a file source loses nothing");
            assertEquals("splice", e.strategy());
        }
        NativeIOException cause = assertInstanceOf(NativeIOException.class, e.getCause());
        assertEquals("splice", cause.syscall());
        assertTrue(cause.errno() == Errno.EPIPE || cause.errno() == Errno.ECONNRESET, cause.toString());
        assertEquals(pool.idlePipes(), pool.openPipes(), "no pipe still leased: " + pool);
        before.assertOpened(2 * pool.idlePipes(), "after the failure only idle pipes are new");
    }

    @Test
    void aTargetFileSystemFillingMidSpliceReportsTheBytesOnDisk() throws Exception {
        try (FullFileSystem fs = FullFileSystem.mount(Files.createDirectory(dir.resolve("small")))) {
            assertEquals("splice", fs.assertFileTargetFills(engine).strategy());
            assertEquals(pool.idlePipes(), pool.openPipes(), "no pipe still leased: " + pool);
            TransferException s = fs.assertStreamTargetFills(engine);
            assertEquals("splice", s.strategy());
            assertTrue(s.bytesUndelivered() > 0, "the bytes left in the pipe are counted: " + s);
            assertEquals(pool.idlePipes(), pool.openPipes(), "no pipe still leased: " + pool);
        }
        before.assertOpened(2 * pool.idlePipes(), "only idle pipes are new");
    }

    @Test
    void aTargetFileSystemFillingMidCopyFileRangeReportsTheBytesOnDisk() throws Exception {
        TransferEngine cfr = ZeroCopy.builder().threshold(0).strategies("copyFileRange", "copy").build();
        try (FullFileSystem fs = FullFileSystem.mount(Files.createDirectory(dir.resolve("small")))) {
            assertEquals("copyFileRange", fs.assertFileTargetFills(cfr).strategy());
        }
    }

    @Test
    void streamBytesLostInAFailedPipeAreReportedUndelivered() throws Exception {
        byte[] data = payload(3 << 20);
        TransferEngine failing = ZeroCopy.builder().threshold(0).strategies("copy")
                .addFirst(new SpliceStrategy(pool, new FaultySyscalls(Errno.Syscall.SPLICE, Errno.EPIPE).drainsOnly()))
                .build();
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            CompletableFuture<Void> fed = feed(in.client, data, true);
            TransferException e = assertThrows(TransferException.class, () -> failing.transfer(in.accepted, out.client));
            assertEquals(0, e.bytesDelivered());
            assertTrue(e.bytesUndelivered() > 0 && e.bytesUndelivered() <= pool.pipeSize(), e.getMessage());
            assertEquals(Errno.EPIPE, assertInstanceOf(NativeIOException.class, e.getCause()).errno());
            in.accepted.close();
            fed.handle((v, x) -> null).get();
        }
        assertEquals(0, pool.openPipes(), "the pipe that held bytes was closed, not pooled: " + pool);
        before.assertOpened(0, "after the failure");
    }

    @Test
    void interruptClosesTheChannelsAndThrowsClosedByInterrupt() throws Exception {
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            Thread self = Thread.currentThread();
            CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
                try {
                    waits.polled.await(); // the transfer waits for its source
                } catch (InterruptedException x) {
                    throw new RuntimeException(x);
                }
                self.interrupt();
            });
            TransferException e = assertThrows(TransferException.class, () -> engine.transfer(in.accepted, out.client));
            interrupter.get();
            assertTrue(Thread.interrupted(), "the interrupt status stays set, as NIO leaves it");
            assertInstanceOf(ClosedByInterruptException.class, e.getCause());
            assertFalse(in.accepted.isOpen());
            assertFalse(out.client.isOpen());
        }
        assertEquals(pool.idlePipes(), pool.openPipes());
    }

    @Test
    void closeByAnotherThreadEndsTheTransferWithAsynchronousClose() throws Exception {
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
                try {
                    waits.polled.await(); // the transfer waits for its source
                    in.accepted.close();
                } catch (Exception x) {
                    throw new RuntimeException(x);
                }
            });
            TransferException e = assertThrows(TransferException.class, () -> engine.transfer(in.accepted, out.client));
            closer.get();
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        }
        assertEquals(pool.idlePipes(), pool.openPipes());
        before.assertOpened(2 * pool.idlePipes(), "after the close only idle pipes are new");
    }

    @Test
    void closedPoolMakesSpliceFallBack() throws Exception {
        pool.close();
        byte[] data = payload(1 << 20);
        Recorder r = new Recorder();
        Path src = Fixtures.file(dir, "src", data);
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            CompletableFuture<byte[]> got = Fixtures.drain(c.accepted);
            assertEquals(data.length, engine.withListener(r).transfer(in, 0, data.length, c.client));
            c.client.shutdownOutput();
            io.zerocopy.testkit.Payloads.assertSameBytes(data, got.get(), "after pool close");
        }
        assertEquals("copy", r.last().strategy());
        assertEquals(0, pool.openPipes());
    }
}

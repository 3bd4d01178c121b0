package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.FillsUpAfter;
import io.zerocopy.testkit.FullFileSystem;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zerocopy.spi.ChannelKind;

/**
 * Faults mid-transfer: each one ends in an exception that carries the bytes delivered (or a
 * short count where the contract says so), and the engine keeps working afterwards.
 */
class FaultTest {

    /** How long a peer holds a stream open for an interrupt to come: short of the peer timeout. */
    private static final long HOLD_SECONDS = 30;

    @TempDir
    Path dir;

    private static TransferEngine only(String strategy) {
        return ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferTo", "mmap"})
    void aReceiverThatResetsMidTransferGivesTheCount(String strategy) throws Exception {
        byte[] payload = Payloads.of(64 << 20, 31);
        Path file = dir.resolve("in");
        Files.write(file, payload);
        TransferEngine engine = only(strategy);
        try (FileChannel in = FileChannel.open(file); Loopback.Connection c = Loopback.connect()) {
            Future<Long> reader = Endpoints.peer(() -> {
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                long got = 0;
                while (got < (1 << 20)) {
                    int n = c.accepted.read(buf);
                    got += n;
                    buf.clear();
                }
                c.accepted.setOption(StandardSocketOptions.SO_LINGER, 0);
                c.accepted.close();
                return got;
            });
            if (strategy.equals("transferTo")) {
                Endpoints.nonBlocking(c.client);
            }
            TransferException e = assertThrows(TransferException.class, () -> engine.transfer(in, 0, payload.length, c.client));
            long received = Endpoints.await(reader);
            assertTrue(e.bytesDelivered() >= received && e.bytesDelivered() < payload.length,
                    "delivered " + e.bytesDelivered() + ", peer read " + received);
            assertInstanceOf(IOException.class, e.getCause());
            assertEquals(strategy, e.strategy());
        }
        assertWorksAfterwards(engine);
    }

    @Test
    void aSenderThatClosesEarlyIsAShortTransferNotAnError() throws Exception {
        byte[] payload = Payloads.of(300_000, 32);
        try (Loopback.Connection from = Loopback.connect(); Endpoints.Target to = Endpoints.target(ChannelKind.SOCKET, dir)) {
            Future<Void> sender = Endpoints.peer(() -> {
                Endpoints.writeFully(from.client, ByteBuffer.wrap(payload));
                from.client.close();
                return null;
            });
            assertEquals(payload.length, ZeroCopy.transfer(from.accepted, to.channel()));
            Endpoints.await(sender);
            Payloads.assertSameBytes(payload, to.finish(), "short socket transfer");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferTo", "mmap"})
    void aSourceTruncatedDuringTheTransferFailsCleanlyOrEndsShort(String strategy) throws Exception {
        byte[] payload = Payloads.of(32 << 20, 33);
        Path file = dir.resolve("in");
        Files.write(file, payload);
        AtomicBoolean truncated = new AtomicBoolean();
        TransferEngine engine = only(strategy).withListener(new TransferListener() {
            @Override
            public void onProgress(String s, long delivered) {
                if (delivered > 0 && truncated.compareAndSet(false, true)) {
                    try (FileChannel t = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        t.truncate(4096);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        });
        for (boolean fdTarget : new boolean[] {true, false}) {
            truncated.set(false);
            Files.write(file, payload);
            try (FileChannel in = FileChannel.open(file); Endpoints.Target out = Endpoints.target(
                    fdTarget ? ChannelKind.PIPE : ChannelKind.CHANNEL, dir)) {
                long delivered;
                try {
                    delivered = engine.transfer(in, 0, payload.length,
                            strategy.equals("transferTo") ? Endpoints.nonBlocking(out.channel()) : out.channel());
                } catch (TransferException e) {
                    delivered = e.bytesDelivered();
                }
                byte[] got = out.finish();
                assertTrue(truncated.get());
                assertEquals(delivered, got.length, "bytes reported vs received");
                assertTrue(delivered < payload.length, "a truncated source cannot deliver everything");
                byte[] expect = Arrays.copyOf(payload, got.length);
                if (got.length > 4096) {
                    // pages beyond the new end read as zeros once the file is cut: only the kept prefix is checked exactly
                    expect = Arrays.copyOf(payload, 4096);
                    got = Arrays.copyOf(got, 4096);
                }
                Payloads.assertSameBytes(expect, got, strategy + " prefix");
            }
        }
        assertWorksAfterwards(only(strategy));
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferTo", "mmap"})
    void aTargetFileSystemFillingMidTransferReportsTheBytesOnDisk(String strategy) throws Exception {
        try (FullFileSystem fs = FullFileSystem.mount(Files.createDirectory(dir.resolve("small")))) {
            assertEquals(strategy, fs.assertFileTargetFills(only(strategy)).strategy());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferFrom"})
    void aStreamIntoAFillingFileSystemReportsTheBytesOnDisk(String strategy) throws Exception {
        // copy also serves the file-to-socket check afterwards, which transferFrom does not
        TransferEngine engine = strategy.equals("copy") ? only("copy")
                : ZeroCopy.builder().providers(false).threshold(0).strategies(strategy, "copy").build();
        try (FullFileSystem fs = FullFileSystem.mount(Files.createDirectory(dir.resolve("small")))) {
            TransferException e = fs.assertStreamTargetFills(engine);
            assertEquals(strategy, e.strategy());
            if (strategy.equals("copy")) {
                assertTrue(e.bytesUndelivered() > 0, "the bytes left in the buffer are counted: " + e);
            }
        }
    }

    /** The same accounting as the tmpfs tests below, on any machine: a stream's bytes read but not written count. */
    @Test
    void aStreamIntoATargetThatFillsUpCountsEveryByteItConsumed() throws Exception {
        byte[] payload = Payloads.of(1 << 20, 38);
        java.io.ByteArrayInputStream stream = new java.io.ByteArrayInputStream(payload);
        FillsUpAfter target = new FillsUpAfter(300_001, true);
        TransferException e = assertThrows(TransferException.class,
                () -> only("copy").transfer(java.nio.channels.Channels.newChannel(stream), target));
        assertEquals(300_001, e.bytesDelivered(), e.toString());
        Payloads.assertSameBytes(Arrays.copyOf(payload, 300_001), target.taken(), "what the target took");
        long consumed = payload.length - stream.available();
        assertTrue(e.bytesUndelivered() > 0, e.toString());
        assertEquals(consumed, e.bytesDelivered() + e.bytesUndelivered(), "every byte read is counted: " + e);
    }

    /**
     * A generic channel reads whole buffers, so the file system fills exactly between two writes, and what the
     * source lost is known to the byte: delivered plus undelivered must be what it gave up.
     */
    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferFrom"})
    void aChannelIntoAFillingFileSystemCountsEveryByteItConsumed(String strategy) throws Exception {
        byte[] payload = Payloads.of((int) FullFileSystem.SIZE + (1 << 20), 37);
        java.io.ByteArrayInputStream stream = new java.io.ByteArrayInputStream(payload);
        try (FullFileSystem fs = FullFileSystem.mount(Files.createDirectory(dir.resolve("small")));
             FileChannel out = FileChannel.open(fs.root().resolve("out"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            TransferException e = assertThrows(TransferException.class,
                    () -> only(strategy).transfer(java.nio.channels.Channels.newChannel(stream), out));
            assertEquals(strategy, e.strategy());
            byte[] landed = Files.readAllBytes(fs.root().resolve("out"));
            assertEquals(landed.length, e.bytesDelivered(), "bytes reported delivered are the bytes on disk: " + e);
            Payloads.assertSameBytes(Arrays.copyOf(payload, landed.length), landed, "what landed");
            long consumed = payload.length - stream.available();
            if (strategy.equals("copy")) {
                assertEquals(consumed, e.bytesDelivered() + e.bytesUndelivered(), "every byte read is counted: " + e);
            } else {
                // a JDK call that wrote bytes returns their count, the next throws; each drops its 8 KiB buffer
                assertTrue(consumed - e.bytesDelivered() <= 2 * 8192,
                        "at most two of the JDK's buffers go uncounted; consumed " + consumed + ": " + e);
            }
        }
    }

    @Test
    void aFullTargetReportsNoSpaceWithTheCount() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "/dev/full is not available here");
        byte[] payload = Payloads.of(100_000, 34);
        Path file = dir.resolve("in");
        Files.write(file, payload);
        for (String strategy : new String[] {"copy", "transferTo", "mmap"}) {
            try (FileChannel in = FileChannel.open(file); FileChannel out = FileChannel.open(full, StandardOpenOption.WRITE)) {
                TransferException e = assertThrows(TransferException.class, () -> only(strategy).transfer(in, 0, payload.length, out));
                assertEquals(0, e.bytesDelivered(), strategy);
                assertTrue(String.valueOf(e.getCause().getMessage()).contains("No space left on device"), strategy + ": " + e);
            }
        }
    }

    /**
     * The pipe holds one chunk, and its writer keeps it open until released: once the chunk is
     * delivered, the transfer can only be blocked reading the pipe (or about to be) when another
     * thread interrupts it. Were the interrupt ignored, the writer would close the pipe after
     * {@link #HOLD_SECONDS} and the transfer would return, failing the test.
     */
    @Test
    void anInterruptClosesTheChannelAndReportsTheCount() throws Exception {
        int chunk = 10_000;
        Pipe pipe = Pipe.open();
        Endpoints.writeFully(pipe.sink(), ByteBuffer.wrap(Payloads.of(chunk, 35)));
        CountDownLatch release = new CountDownLatch(1);
        Future<Void> writer = endWhenReleased(release, pipe.sink());
        try (Endpoints.Target out = Endpoints.target(ChannelKind.FILE, dir)) {
            InterruptOnProgress interrupter = new InterruptOnProgress(Thread.currentThread());
            TransferEngine engine = ZeroCopy.builder().providers(false).listener(interrupter).build();
            TransferException e;
            try {
                e = assertThrows(TransferException.class, () -> engine.transfer(pipe.source(), out.channel()));
            } finally {
                release.countDown();
            }
            assertTrue(Thread.interrupted(), "the interrupt status stays set");
            interrupter.await();
            Endpoints.await(writer);
            assertInstanceOf(ClosedByInterruptException.class, e.getCause());
            assertFalse(pipe.source().isOpen(), "NIO closes the channel the thread was blocked on");
            assertEquals(chunk, e.bytesDelivered());
        } finally {
            pipe.source().close();
        }
    }

    /**
     * The socket holds a few bytes, and its peer keeps it open until released: once they are
     * delivered, the transfer can only be waiting for more on a selector (or entering that wait,
     * which checks the interrupt first) when another thread interrupts it.
     */
    @Test
    void anInterruptDuringANonBlockingWaitFollowsNioToo() throws Exception {
        int sent = 1_000;
        try (Loopback.Connection c = Loopback.connect(); Endpoints.Target out = Endpoints.target(ChannelKind.FILE, dir)) {
            c.accepted.configureBlocking(false);
            Endpoints.writeFully(c.client, ByteBuffer.wrap(Payloads.of(sent, 37)));
            CountDownLatch release = new CountDownLatch(1);
            Future<Void> peer = endWhenReleased(release, () -> c.client.shutdownOutput());
            InterruptOnProgress interrupter = new InterruptOnProgress(Thread.currentThread());
            TransferEngine engine = ZeroCopy.builder().providers(false).listener(interrupter).build();
            TransferException e;
            try {
                e = assertThrows(TransferException.class, () -> engine.transfer(c.accepted, out.channel()));
            } finally {
                release.countDown();
            }
            assertTrue(Thread.interrupted());
            interrupter.await();
            Endpoints.await(peer);
            assertInstanceOf(ClosedByInterruptException.class, e.getCause());
            assertFalse(c.accepted.isOpen());
            assertEquals(sent, e.bytesDelivered());
        }
    }

    /** @return a peer that ends a stream when released, or after {@link #HOLD_SECONDS} */
    private static Future<Void> endWhenReleased(CountDownLatch release, Closeable end) {
        return Endpoints.peer(() -> {
            release.await(HOLD_SECONDS, TimeUnit.SECONDS);
            end.close();
            return null;
        });
    }

    /** Interrupts a thread from a peer thread once the first bytes of its transfer reach the target. */
    private static final class InterruptOnProgress implements TransferListener {
        private final CountDownLatch moving = new CountDownLatch(1);
        private final Future<Void> interrupter;

        InterruptOnProgress(Thread thread) {
            interrupter = Endpoints.peer(() -> {
                if (moving.await(HOLD_SECONDS, TimeUnit.SECONDS)) {
                    thread.interrupt();
                }
                return null;
            });
        }

        @Override
        public void onProgress(String strategy, long delivered) {
            moving.countDown();
        }

        void await() throws Exception {
            Endpoints.await(interrupter);
        }
    }

    private void assertWorksAfterwards(TransferEngine engine) throws Exception {
        byte[] payload = Payloads.of(200_000, 36);
        try (Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.SOCKET, dir)) {
            assertEquals(payload.length, engine.transfer(src.file(), 0, payload.length, Endpoints.nonBlocking(dst.channel())));
            Payloads.assertSameBytes(payload, dst.finish(), "after a fault");
        }
    }

}

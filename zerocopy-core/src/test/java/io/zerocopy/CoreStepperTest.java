package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * The core's steppers for transferTo, mmap and transferFrom, stepped by hand on the engine's own
 * {@link TransferState} (which checks every count): a full target makes a step wait for it
 * instead of blocking, a step moves a bounded amount, no mapping outlives a step, a stream
 * source with nothing now is told from its end, a source that ends before the count makes a
 * short transfer, and ends that could block get no stepper.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoreStepperTest {

    private static final int OFFSET = 7;

    @TempDir
    Path dir;

    private final BufferPool buffers = new BufferPool(64 * 1024, 4);

    private TransferState transfer(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            WritableByteChannel target, ChannelKind targetKind) throws IOException {
        long size = sourceKind == ChannelKind.FILE ? ((FileChannel) source).size() : -1;
        return new TransferState(source, sourceKind, position, count, size, target, targetKind, buffers,
                TransferListener.NONE, null, 0);
    }

    @Test
    void transferToWaitsForAFullSocketAndDeliversAFileFromAPositionInBoundedSteps() throws Exception {
        fileToStalledSocket(new TransferToStrategy(), CopyStepper.STEP_BYTES);
    }

    @Test
    void mmapWaitsForAFullSocketWithNoWindowMappedAndDeliversAFileFromAPosition() throws Exception {
        fileToStalledSocket(new MmapStrategy(Defaults.MMAP_WINDOW), Defaults.MMAP_WINDOW);
    }

    /**
     * Steps a 6 MiB transfer into a socket nobody reads until a step waits for the target, checks
     * that the source file is not mapped meanwhile, then reads the peer while stepping to the end.
     */
    private void fileToStalledSocket(TransferStrategy strategy, long mostPerStep) throws Exception {
        byte[] data = Payloads.of((6 << 20) + 3, 31);
        Path src = Files.write(dir.resolve("src"), data);
        long count = data.length - OFFSET - 1;
        try (FileChannel in = FileChannel.open(src); Loopback.Connection c = Loopback.connect()) {
            c.client.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            c.client.configureBlocking(false);
            TransferState t = transfer(in, ChannelKind.FILE, OFFSET, count, c.client, ChannelKind.SOCKET);
            Stepper stepper = strategy.stepper(t);
            assertTrue(stepper.blocksOnFileIo(), "reads the page cache: run on the file threads");
            Step step = stepper.step();
            assertSame(Step.AWAIT_TARGET, step, "nobody reads: the step waits for the target instead of blocking");
            assertTrue(t.delivered() > 0 && t.delivered() < count, t.delivered() + " delivered");
            assertFalse(Files.readString(Path.of("/proc/self/maps")).contains(src.toString()),
                    "no mapping of the source outlives the step");
            long stalled = t.delivered();
            assertSame(Step.AWAIT_TARGET, stepper.step(), "still full");
            assertEquals(stalled, t.delivered());

            java.util.concurrent.FutureTask<byte[]> reader = new java.util.concurrent.FutureTask<>(
                    () -> AsyncChecks.readAll(c.accepted));
            new Thread(reader, "peer reader").start();
            long most = stalled;
            while (step != Step.COMPLETE) {
                long before = t.delivered();
                step = stepper.step();
                most = Math.max(most, t.delivered() - before);
                assertTrue(step == Step.COMPLETE || step == Step.AWAIT_TARGET || step == Step.YIELD, step.toString());
                if (step == Step.AWAIT_TARGET) {
                    Thread.sleep(1);
                }
            }
            stepper.close();
            c.client.shutdownOutput();
            assertEquals(count, t.delivered());
            assertEquals(OFFSET + count, t.position());
            assertEquals(0, in.position(), "the file's own position is untouched");
            assertTrue(most <= mostPerStep, "one step delivered " + most);
            Payloads.assertSameBytes(Arrays.copyOfRange(data, OFFSET, OFFSET + (int) count),
                    reader.get(30, TimeUnit.SECONDS), "received");
            t.release();
        }
    }

    /**
     * A /proc file reports size 0: mmap cannot map it and falls back having delivered nothing;
     * transferTo falls back the same way where the JDK trusts the size (17 to 21), and where it
     * does not (newer JDKs send what sendfile reads) delivers the bytes asked for.
     */
    @Test
    void aFileThatReportsSizeZeroFallsBackHavingDeliveredNothingOrIsRead() throws Exception {
        Path proc = Path.of("/proc/self/status");
        for (TransferStrategy s : new TransferStrategy[] {new TransferToStrategy(), new MmapStrategy(Defaults.MMAP_WINDOW)}) {
            try (FileChannel in = FileChannel.open(proc); Loopback.Connection c = Loopback.connect()) {
                c.client.configureBlocking(false);
                TransferState t = transfer(in, ChannelKind.FILE, 0, 100, c.client, ChannelKind.SOCKET);
                Stepper stepper = s.stepper(t);
                Step step = stepper.step();
                stepper.close();
                if (step == Step.COMPLETE) {
                    assertEquals(TransferToStrategy.NAME, s.name(), "only transferTo reads past the size");
                    assertEquals(100, t.delivered());
                    ByteBuffer got = ByteBuffer.allocate(100);
                    while (got.hasRemaining()) {
                        c.accepted.read(got);
                    }
                    assertTrue(new String(got.array(), java.nio.charset.StandardCharsets.US_ASCII).startsWith("Name:"));
                } else {
                    assertSame(TransferToStrategy.SIZELESS_FILE, step.outcome(), s.name());
                    assertEquals(0, t.delivered());
                }
            }
        }
    }

    /**
     * A bounded transfer of 5000 bytes from a pipe that gives 1000 and ends: the steps wait while
     * it has nothing, deliver what it gives at the target's position, and complete short at its end.
     */
    @Test
    void transferFromTellsASourceWithNothingNowFromItsEndAndASourceEndingBeforeTheCountMakesAShortTransfer()
            throws Exception {
        byte[] data = Payloads.of(1000, 32);
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink();
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            source.configureBlocking(false);
            out.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            TransferState t = transfer(source, ChannelKind.PIPE, -1, 5000, out, ChannelKind.FILE);
            Stepper stepper = new TransferFromStrategy().stepper(t);
            assertTrue(stepper.blocksOnFileIo(), "writes the file: run on the file threads");
            assertSame(Step.AWAIT_SOURCE, stepper.step(), "nothing to read yet");
            assertEquals(0, t.delivered());
            sink.write(ByteBuffer.wrap(data, 0, 600));
            assertSame(Step.AWAIT_SOURCE, stepper.step(), "took what there was, then nothing");
            assertEquals(600, t.delivered());
            sink.write(ByteBuffer.wrap(data, 600, 400));
            sink.close();
            assertSame(Step.COMPLETE, stepper.step(), "the end of the stream, before the count");
            stepper.close();
            assertEquals(1000, t.delivered());
            assertEquals(4000, t.remaining());
            assertEquals(3 + 1000, out.position(), "the target's position follows the bytes delivered");
            assertEquals(3 + 1000, out.size());
            ByteBuffer back = ByteBuffer.allocate(1000);
            out.read(back, 3);
            Payloads.assertSameBytes(data, back.array(), "written after the first three bytes");
            assertEquals(0, t.undeliveredBytes());
            t.release();
        }
    }

    @Test
    void transferFromDeliversAByteItReadToTellTheCasesApartAtTheTargetsPosition() throws Exception {
        byte[] data = Payloads.of(3000, 33);
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink();
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            source.configureBlocking(false);
            out.position(10); // past the end: the JDK's transferFrom moves nothing there, the one-byte read does
            sink.write(ByteBuffer.wrap(data));
            sink.close();
            TransferState t = transfer(source, ChannelKind.PIPE, -1, TransferState.UNBOUNDED, out, ChannelKind.FILE);
            Stepper stepper = new TransferFromStrategy().stepper(t);
            assertSame(Step.COMPLETE, stepper.step());
            stepper.close();
            assertEquals(3000, t.delivered());
            assertEquals(10 + 3000, out.position());
            ByteBuffer back = ByteBuffer.allocate(3000);
            out.read(back, 10);
            Payloads.assertSameBytes(data, back.array(), "every byte, the first one included, in order");
            t.release();
        }
    }

    @Test
    void endsThatCouldBlockGetNoStepper() throws Exception {
        Path src = Files.write(dir.resolve("src"), new byte[100]);
        try (FileChannel in = FileChannel.open(src); Loopback.Connection c = Loopback.connect();
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            TransferState toBlocking = transfer(in, ChannelKind.FILE, 0, 100, c.client, ChannelKind.SOCKET);
            assertNull(new TransferToStrategy().stepper(toBlocking), "a blocking socket target");
            assertNull(new MmapStrategy(Defaults.MMAP_WINDOW).stepper(toBlocking), "a blocking socket target");
            TransferState fromBlocking = transfer(c.accepted, ChannelKind.SOCKET, -1, TransferState.UNBOUNDED, out,
                    ChannelKind.FILE);
            assertNull(new TransferFromStrategy().stepper(fromBlocking), "a blocking socket source");
        }
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (FileChannel in = FileChannel.open(src); FileChannel reader = FileChannel.open(fifo, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileChannel out = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            TransferState toFifo = transfer(in, ChannelKind.FILE, 0, 100, out, ChannelKind.FILE);
            assertNull(new TransferToStrategy().stepper(toFifo), "a FIFO's file channel: its writes wait for the reader");
            assertNull(new MmapStrategy(Defaults.MMAP_WINDOW).stepper(toFifo), "a FIFO's file channel");
            assertNull(new CopyStrategy().stepper(toFifo), "a FIFO's file channel");
            assertTrue(reader.isOpen());
        }
    }

    /** A file target that takes nothing has no readiness to wait for: the step falls back instead of spinning. */
    @Test
    void aFileTargetThatTakesNothingIsAFallbackNotAWait() throws Exception {
        Path src = Files.write(dir.resolve("src"), Payloads.of(10_000, 34));
        for (TransferStrategy s : new TransferStrategy[] {new TransferToStrategy(), new MmapStrategy(Defaults.MMAP_WINDOW)}) {
            try (FileChannel in = FileChannel.open(src); FileChannel out = new TakesNothing()) {
                TransferState t = transfer(in, ChannelKind.FILE, 0, 10_000, out, ChannelKind.FILE);
                Stepper stepper = s.stepper(t);
                assertSame(TransferToStepper.FILE_TOOK_NOTHING, stepper.step().outcome(), s.name());
                assertEquals(0, t.delivered());
                stepper.close();
            }
        }
    }

    /** A file channel whose writes take nothing, with a position, as a file's. */
    private static final class TakesNothing extends FileChannel {
        @Override
        public int read(ByteBuffer dst) {
            return -1;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            return -1;
        }

        @Override
        public int write(ByteBuffer src) {
            return 0;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            return 0;
        }

        @Override
        public long position() {
            return 0;
        }

        @Override
        public FileChannel position(long newPosition) {
            return this;
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        public FileChannel truncate(long size) {
            return this;
        }

        @Override
        public void force(boolean metaData) {
            // nothing written
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            return 0;
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            return 0;
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            return -1;
        }

        @Override
        public int write(ByteBuffer src, long position) {
            return 0;
        }

        @Override
        public java.nio.MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.nio.channels.FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.nio.channels.FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() {
            // nothing held
        }
    }

    @Test
    void releasingTheBufferReturnsItToThePoolAndTheNextCallTakesOneAgain() throws Exception {
        Path src = Files.write(dir.resolve("src"), new byte[100]);
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            TransferState t = transfer(in, ChannelKind.FILE, 0, 100, out, ChannelKind.FILE);
            ByteBuffer first = t.buffer();
            assertSame(first, t.buffer(), "held until released");
            t.releaseBuffer();
            assertSame(first, buffers.acquire(), "back in the pool");
            ByteBuffer second = t.buffer();
            assertFalse(second == first, "taken again, from the pool (which lent the first out)");
            t.releaseBuffer();
            t.releaseBuffer(); // nothing held: nothing happens
            t.release();
        }
    }
}

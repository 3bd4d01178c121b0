package io.zerocopy.linux;

import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.testkit.Descriptors;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * The file-to-socket steppers (sendfile, and splice through the pool), driven step by step with
 * a selector: byte-exact delivery from a position, waits for the target, bounded steps, the
 * file's own position untouched, and exact counts with no descriptor left when closed midway.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileStepperTest {

    private static final int PIPE = 1 << 16;
    private static final int OFFSET = 5;

    @TempDir
    Path dir;

    private final PipePool pool = new PipePool(4, PIPE);

    @BeforeAll
    static void linux() throws IOException {
        Fixtures.requireLinux();
        Loopback.connect().close(); // its shared server socket is opened on first use
    }

    @AfterEach
    void tearDown() {
        pool.close();
        assertEquals(0, ChannelDescriptors.channelsInTransfer(), "every channel's O_NONBLOCK bookkeeping ended");
    }

    private TransferStrategy sendfile() {
        return new SendfileStrategy(Native.syscalls());
    }

    private TransferStrategy splice() {
        return new SpliceStrategy(pool, Native.syscalls());
    }

    @Test
    void sendfileSendsAFileFromAPositionToASlowReaderInBoundedSteps() throws Exception {
        fileToSocket(sendfile(), SendfileStepper.class, SpliceStepper.STEP_BYTES);
    }

    @Test
    void spliceThroughThePoolSendsAFileFromAPositionToASlowReaderInBoundedSteps() throws Exception {
        fileToSocket(splice(), SpliceStepper.class, SpliceStepper.STEP_BYTES + PIPE);
        assertEquals(0, pool.openPipes() - pool.idlePipes(), "the pipe went back to the pool");
    }

    private void fileToSocket(TransferStrategy strategy, Class<?> stepperType, long mostPerStep) throws Exception {
        byte[] data = Payloads.of((16 << 20) + 9, 7);
        Path src = Fixtures.file(dir, "src", data);
        try (FileChannel in = FileChannel.open(src); Loopback.Connection c = Loopback.connect();
             StepLoop loop = new StepLoop()) {
            c.client.configureBlocking(false);
            c.client.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            SteppedTransfer t = new SteppedTransfer(in, ChannelKind.FILE, OFFSET, data.length - OFFSET - 2,
                    c.client, ChannelKind.SOCKET);
            Stepper stepper = strategy.stepper(t);
            assertInstanceOf(stepperType, stepper);
            assertTrue(stepper.blocksOnFileIo());
            var reader = SlowReader.slow(c.accepted);
            StepLoop.Run run = loop.start(t, stepper);
            while (loop.round(100) > 0) {
                assertTrue(run.mostPerStep <= mostPerStep, "one step delivered " + run.mostPerStep);
            }
            stepper.close();
            t.close();
            c.client.shutdownOutput();
            assertTrue(run.outcome.isComplete(), run.outcome::toString);
            assertSameBytes(Arrays.copyOfRange(data, OFFSET, data.length - 2), reader.get(60, TimeUnit.SECONDS), "sent bytes");
            assertEquals(data.length - OFFSET - 2, t.delivered());
            assertEquals(0, t.remaining());
            assertEquals(data.length - 2, t.position());
            assertEquals(0, in.position(), "the file's own position is untouched");
            assertTrue(run.waits.contains(Step.AWAIT_TARGET), "waited for the slow reader: " + run.waits);
            assertTrue(run.mostPerStep <= mostPerStep, "one step delivered " + run.mostPerStep);
        }
    }

    @Test
    void sendfileClosedMidwayHasDeliveredExactlyWhatThePeerReadsAndLeaksNoDescriptor() throws Exception {
        closedMidway(sendfile());
    }

    @Test
    void spliceClosedMidwayHasDeliveredExactlyWhatThePeerReadsAndLeaksNoDescriptor() throws Exception {
        closedMidway(splice());
    }

    private void closedMidway(TransferStrategy strategy) throws Exception {
        byte[] data = Payloads.of(8 << 20, 8);
        Path src = Fixtures.file(dir, "src", data);
        try (FileChannel in = FileChannel.open(src); Loopback.Connection c = Loopback.connect()) {
            c.client.configureBlocking(false);
            c.client.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            Descriptors.Snapshot before = Descriptors.snapshot();
            SteppedTransfer t = new SteppedTransfer(in, ChannelKind.FILE, 0, data.length, c.client, ChannelKind.SOCKET);
            Stepper stepper = strategy.stepper(t);
            StepLoop.Run run;
            try (StepLoop loop = new StepLoop()) {
                run = loop.start(t, stepper);
                while (run.last != Step.AWAIT_TARGET) {
                    loop.round(10);
                }
            }
            assertTrue(t.delivered() > 0 && t.delivered() < data.length, t.delivered() + " delivered");
            stepper.close();
            t.close();
            pool.close();
            assertEquals(0, t.undeliveredBytes(), "a file source loses no byte: the next strategy reads it again");
            before.assertOpened(0, "descriptors opened by the stepper and the pool");
            c.client.shutdownOutput();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            while (c.accepted.read(b) >= 0) {
                got.write(b.array(), 0, b.position());
                b.clear();
            }
            assertEquals(t.delivered(), got.size(), "delivered is what the peer read");
            assertSameBytes(Arrays.copyOf(data, got.size()), got.toByteArray(), "delivered bytes");
            assertEquals(t.delivered(), t.position());
        }
    }

    @Test
    void spliceCopiesFileToFileInSteps() throws Exception {
        long most = fileToFile(splice(), SpliceStepper.STEP_BYTES + PIPE);
        assertTrue(most > 0);
        assertEquals(0, pool.openPipes() - pool.idlePipes(), "the pipe went back to the pool");
    }

    @Test
    void copyFileRangeCopiesFileToFileInChunksOfAtMost8MiB() throws Exception {
        assertEquals(FileToFileStrategy.STEP_BYTES, fileToFile(new CopyFileRangeStrategy(Native.syscalls()),
                FileToFileStrategy.STEP_BYTES), "full chunks");
    }

    /**
     * Copies a 20 MiB file from {@link #OFFSET} into a target positioned at 3, stepping until
     * done: every step yields (a file never waits) and moves at most {@code mostPerStep}.
     *
     * @return the most one step delivered
     */
    private long fileToFile(TransferStrategy strategy, long mostPerStep) throws Exception {
        byte[] data = Payloads.of((20 << 20) + 11, 12);
        Path src = Fixtures.file(dir, "src", data);
        int count = data.length - OFFSET - 1;
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            out.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            SteppedTransfer t = new SteppedTransfer(in, ChannelKind.FILE, OFFSET, count, out, ChannelKind.FILE);
            Stepper stepper = strategy.stepper(t);
            assertTrue(stepper.blocksOnFileIo(), "file steps run on the file threads");
            long most = 0;
            int steps = 0;
            Step step;
            do {
                long before = t.delivered();
                step = stepper.step();
                steps++;
                most = Math.max(most, t.delivered() - before);
                assertTrue(step == Step.YIELD || step == Step.COMPLETE, "step " + steps + ": " + step);
            } while (step != Step.COMPLETE);
            stepper.close();
            t.close();
            assertTrue(most <= mostPerStep, "one step delivered " + most);
            assertTrue(steps > 1, "in " + steps + " steps");
            assertEquals(count, t.delivered());
            assertEquals(3 + count, out.position(), "the target's position follows the bytes delivered");
            assertEquals(0, in.position(), "the source's own position is untouched");
            byte[] got = Fixtures.read(out);
            assertSameBytes(Arrays.copyOfRange(data, OFFSET, OFFSET + count), Arrays.copyOfRange(got, 3, got.length),
                    "copied bytes");
            return most;
        }
    }

    @Test
    void reflinkIsOneStepThatSharesAllOrFallsBackHavingMovedNothing() throws Exception {
        Path src = Fixtures.file(dir, "src", Payloads.of(100_000, 9));
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            SteppedTransfer t = new SteppedTransfer(in, ChannelKind.FILE, 0, 100_000, out, ChannelKind.FILE);
            Stepper stepper = new ReflinkStrategy(Native.syscalls()).stepper(t);
            assertTrue(stepper.blocksOnFileIo());
            Step step = stepper.step();
            assertFalse(step.isWaiting(), "one step ends the strategy: " + step);
            assertEquals(step == Step.COMPLETE ? 100_000 : 0, t.delivered(), step.toString());
            stepper.close();
            t.close();
        }
    }
}

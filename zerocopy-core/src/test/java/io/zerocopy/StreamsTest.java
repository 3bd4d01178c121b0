package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import io.zerocopy.testkit.StreamEndpoints;
import io.zerocopy.testkit.StreamEndpoints.Kind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stream forms: every pair of stream kinds byte for byte, the strategy that served, the
 * positions they leave, argument checks and failures that carry the count.
 */
class StreamsTest {

    @TempDir
    Path dir;

    final RecordingListener rec = new RecordingListener();
    final TransferEngine engine = ZeroCopy.builder().providers(false).build().withListener(rec);


    @Nested
    class EveryPair {

        @ParameterizedTest(name = "{0} -> {1}, {2} bytes")
        @MethodSource("io.zerocopy.testkit.StreamEndpoints#pairs")
        void movesTheBytesExactly(Kind source, Kind target, int size) throws Exception {
            StreamEndpoints.moveAndCheck(engine, rec, source, target, size, dir);
        }

        @Test
        void fileStreamsTakeTheChannelPath() throws Exception {
            int size = 1 << 20;
            String strategy = StreamEndpoints.moveAndCheck(engine, rec, Kind.FILE, Kind.FILE, size, dir);
            assertTrue(!strategy.equals("copy"), "file to file was copied through the buffer: " + strategy);
        }
    }

    @Nested
    class Positions {

        @Test
        void aFileInputStreamIsReadFromItsPositionAndLeftAtTheEnd() throws Exception {
            byte[] content = Payloads.of(50_000, 1);
            Path file = Files.write(dir.resolve("in"), content);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                in.skipNBytes(12_345);
                assertEquals(50_000 - 12_345, engine.transfer(in, out));
                assertEquals(50_000, in.getChannel().position());
                assertEquals(-1, in.read());
                assertEquals(0, engine.transfer(in, out), "a stream at its end moves nothing");
            }
            assertArrayEquals(Arrays.copyOfRange(content, 12_345, 50_000), out.toByteArray());
        }

        @Test
        void aFileOutputStreamInAppendModeAppends() throws Exception {
            byte[] payload = Payloads.of(100_000, 2);
            Path src = Files.write(dir.resolve("in"), payload);
            Path dst = Files.write(dir.resolve("out"), new byte[] {1, 2, 3});
            try (FileInputStream in = new FileInputStream(src.toFile());
                 FileOutputStream out = new FileOutputStream(dst.toFile(), true)) {
                assertEquals(100_000, engine.transfer(in, out));
                out.write(9);
            }
            byte[] all = Files.readAllBytes(dst);
            assertEquals(100_004, all.length);
            assertArrayEquals(payload, Arrays.copyOfRange(all, 3, 100_003));
            assertEquals(9, all[100_003]);
        }

        @Test
        void bytesABufferedInputStreamHoldsAreMovedNotSkipped() throws Exception {
            byte[] content = Payloads.of(30_000, 3);
            Path file = Files.write(dir.resolve("in"), content);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = new java.io.BufferedInputStream(new FileInputStream(file.toFile()), 16_384)) {
                assertEquals(10, in.read(new byte[10]), "the buffer now holds bytes 10 to 16383");
                assertEquals(29_990, engine.transfer(in, out));
            }
            assertArrayEquals(Arrays.copyOfRange(content, 10, 30_000), out.toByteArray());
            assertEquals("copy", rec.last().strategy());
        }

        @Test
        void aFileRegionLeavesTheChannelPositionAlone() throws Exception {
            byte[] content = Payloads.of(200_000, 4);
            Path file = Files.write(dir.resolve("in"), content);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (FileChannel in = FileChannel.open(file)) {
                in.position(7);
                assertEquals(150_000, engine.transfer(in, 1_000, 150_000, out));
                assertEquals(engine.strategies(ChannelKind.FILE, ChannelKind.CHANNEL, 150_000).get(0),
                        rec.last().strategy());
                assertEquals(49_000, engine.transfer(in, 151_000, 1_000_000, out), "a short file gives what exists");
                assertEquals(7, in.position());
            }
            assertArrayEquals(Arrays.copyOfRange(content, 1_000, 200_000), out.toByteArray());
        }

        @Test
        void aFileRegionToAFileOutputStreamIsWrittenAtItsPosition() throws Exception {
            byte[] content = Payloads.of(300_000, 5);
            Path src = Files.write(dir.resolve("in"), content);
            Path dst = dir.resolve("out");
            try (FileChannel in = FileChannel.open(src); FileOutputStream out = new FileOutputStream(dst.toFile())) {
                out.write(new byte[] {1, 2});
                assertEquals(100_000, ZeroCopy.transfer(in, 50_000, 100_000, out));
                assertEquals(100_002, out.getChannel().position());
            }
            byte[] all = Files.readAllBytes(dst);
            assertArrayEquals(Arrays.copyOfRange(content, 50_000, 150_000), Arrays.copyOfRange(all, 2, all.length));
        }

        @Test
        void aPathGoesWholeToAStreamOrAChannel() throws Exception {
            byte[] content = Payloads.of(100_003, 6);
            Path file = Files.write(dir.resolve("in"), content);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(100_003, engine.transfer(file, out));
            assertEquals(engine.strategies(ChannelKind.FILE, ChannelKind.CHANNEL, 100_003).get(0),
                    rec.last().strategy());
            assertArrayEquals(content, out.toByteArray());
            try (Endpoints.Target target = Endpoints.target(ChannelKind.SOCKET, dir)) {
                assertEquals(100_003, ZeroCopy.transfer(file, target.channel()));
                assertArrayEquals(content, target.finish());
            }
        }
    }

    @Nested
    class ArgumentChecks {

        @Test
        void nullsAreRefusedByName() throws Exception {
            InputStream in = new ByteArrayInputStream(new byte[1]);
            OutputStream out = new ByteArrayOutputStream();
            Path file = Files.write(dir.resolve("f"), new byte[1]);
            WritableByteChannel ch = Channels.newChannel(out);
            try (FileChannel fc = FileChannel.open(file)) {
                assertEquals("source", assertThrows(NullPointerException.class,
                        () -> engine.transfer((InputStream) null, out)).getMessage());
                assertEquals("target", assertThrows(NullPointerException.class,
                        () -> engine.transfer(in, (OutputStream) null)).getMessage());
                assertEquals("source", assertThrows(NullPointerException.class,
                        () -> engine.transfer((FileChannel) null, 0, 1, out)).getMessage());
                assertEquals("target", assertThrows(NullPointerException.class,
                        () -> engine.transfer(fc, 0, 1, (OutputStream) null)).getMessage());
                assertEquals("source", assertThrows(NullPointerException.class,
                        () -> engine.transfer((Path) null, out)).getMessage());
                assertEquals("target", assertThrows(NullPointerException.class,
                        () -> engine.transfer(file, (OutputStream) null)).getMessage());
                assertEquals("source", assertThrows(NullPointerException.class,
                        () -> engine.transfer((Path) null, ch)).getMessage());
                assertEquals("target", assertThrows(NullPointerException.class,
                        () -> engine.transfer(file, (WritableByteChannel) null)).getMessage());
                assertThrows(IllegalArgumentException.class, () -> engine.transfer(fc, -1, 1, out));
            }
            assertThrows(IllegalArgumentException.class, () -> engine.transfer(dir, out));
            assertEquals(1, in.available(), "nothing was read");
        }

        @Test
        void aClosedFileStreamIsAClosedChannel() throws Exception {
            Path file = Files.write(dir.resolve("f"), new byte[100]);
            FileInputStream in = new FileInputStream(file.toFile());
            in.close();
            assertThrows(ClosedChannelException.class, () -> engine.transfer(in, new ByteArrayOutputStream()));
        }

        @Test
        void neitherStreamIsClosed() throws Exception {
            Path file = Files.write(dir.resolve("f"), Payloads.of(100_000, 7));
            Path copy = dir.resolve("g");
            try (FileInputStream in = new FileInputStream(file.toFile());
                 FileOutputStream out = new FileOutputStream(copy.toFile())) {
                engine.transfer(in, out);
                assertTrue(in.getChannel().isOpen() && out.getChannel().isOpen());
                out.write(1);
            }
            ClosingAware out = new ClosingAware(Long.MAX_VALUE);
            engine.transfer(new ByteArrayInputStream(new byte[100]), out);
            assertTrue(!out.closed);
        }
    }

    @Nested
    class Failures {

        @Test
        void aFailingStreamEndsWithTheCountFromMemory() throws Exception {
            ClosingAware out = new ClosingAware(100_000);
            TransferException e = assertThrows(TransferException.class,
                    () -> engine.transfer(new ByteArrayInputStream(Payloads.of(300_000, 8)), out));
            assertEquals(out.accepted, e.bytesDelivered());
            assertTrue(e.bytesDelivered() > 0 && e.bytesDelivered() <= 100_000, e.getMessage());
            assertEquals("full", e.getCause().getMessage());
            assertEquals(1, rec.failures.size());
            assertTrue(!out.closed);
        }

        @Test
        void aFailingStreamLeavesTheFileStreamAfterTheBytesDelivered() throws Exception {
            byte[] content = Payloads.of(1 << 20, 9);
            Path file = Files.write(dir.resolve("in"), content);
            ClosingAware out = new ClosingAware(100_000);
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                in.skipNBytes(3);
                TransferException e = assertThrows(TransferException.class, () -> engine.transfer(in, out));
                assertEquals(out.accepted, e.bytesDelivered());
                assertTrue(e.bytesDelivered() > 0, e.getMessage());
                assertEquals(3 + e.bytesDelivered(), in.getChannel().position());
                assertEquals(content[3 + (int) e.bytesDelivered()], (byte) in.read(), "the next byte is the first not delivered");
            }
        }
    }

    /** Accepts {@code limit} bytes (whole writes only), then throws; records a close. */
    static final class ClosingAware extends OutputStream {
        final long limit;
        long accepted;
        boolean closed;

        ClosingAware(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (accepted + len > limit) {
                throw new IOException("full");
            }
            accepted += len;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}

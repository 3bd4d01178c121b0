package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zerocopy.spi.ChannelKind;

/** Regions that end past the file, and regions larger than one sendfile call. */
class RegionTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferTo", "mmap"})
    void aShortSourceDeliversWhatExists(String strategy) throws Exception {
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).build();
        byte[] payload = Payloads.of(100_000, 9);
        Path file = dir.resolve("short");
        Files.write(file, payload);
        try (FileChannel in = FileChannel.open(file);
             Endpoints.Target out = Endpoints.target(ChannelKind.SOCKET, dir)) {
            if (strategy.equals("transferTo")) {
                Endpoints.nonBlocking(out.channel());
            }
            assertEquals(100_000 - 40_000, engine.transfer(in, 40_000, 1_000_000, out.channel()));
            assertEquals(0, engine.transfer(in, 100_000, 10, out.channel()), "at end of file");
            assertEquals(0, engine.transfer(in, 500_000, 10, out.channel()), "past end of file");
            Payloads.assertSameBytes(java.util.Arrays.copyOfRange(payload, 40_000, 100_000), out.finish(), strategy);
        }
    }

    /**
     * A sparse file just over 2 GiB, sent to a loopback reader that checks every byte: zeros
     * except marker bytes around the 2 GiB and sendfile-cap boundaries.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transferTo", "mmap"})
    void aRegionOverTwoGibibytesTransfersCompletely(String strategy) throws Exception {
        long size = (2L << 30) + 4099;
        long[] markers = {0, 0x7ffff000L - 1, 0x7ffff000L, (1L << 31) - 1, 1L << 31, size - 1};
        Path file = dir.resolve("sparse");
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            for (int i = 0; i < markers.length; i++) {
                fc.write(ByteBuffer.wrap(new byte[] {(byte) (i + 1)}), markers[i]);
            }
        }
        assertEquals(size, Files.size(file));
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().providers(false).strategies(strategy).listener(rec).build();
        try (FileChannel in = FileChannel.open(file); Loopback.Connection c = Loopback.connect()) {
            Future<Long> checker = Endpoints.peer(() -> checkSparse(c.accepted, markers));
            long moved = engine.transfer(in, 0, size, strategy.equals("transferTo") ? Endpoints.nonBlocking(c.client) : c.client);
            c.client.shutdownOutput();
            assertEquals(size, moved);
            assertEquals(size, (long) Endpoints.await(checker), "bytes received and checked");
        }
        assertEquals(strategy, rec.last().strategy());
        Files.delete(file);
    }

    private static long checkSparse(SocketChannel in, long[] markers) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long at = 0;
        int next = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            int i = 0;
            while (i < n) {
                long pos = at + i;
                if (next < markers.length && pos == markers[next]) {
                    if (buf.get(i) != (byte) (next + 1)) {
                        throw new AssertionError("marker " + next + " at " + pos + " is " + buf.get(i));
                    }
                    next++;
                    i++;
                } else if (i + 8 <= n && (next >= markers.length || markers[next] >= pos + 8)) {
                    if (buf.getLong(i) != 0) {
                        throw new AssertionError("non-zero bytes near " + pos);
                    }
                    i += 8;
                } else {
                    if (buf.get(i) != 0) {
                        throw new AssertionError("non-zero byte at " + pos);
                    }
                    i++;
                }
            }
            at += n;
            buf.clear();
        }
        if (next != markers.length) {
            throw new AssertionError("only " + next + " markers seen in " + at + " bytes");
        }
        return at;
    }

    @Test
    void aFileThatReportsSizeZeroIsReadToItsEnd() throws Exception {
        Path proc = Path.of("/proc/self/status");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(proc), "needs /proc");
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).listener(rec).build();
        try (FileChannel in = FileChannel.open(proc); Endpoints.Target out = Endpoints.target(ChannelKind.PIPE, dir)) {
            assertEquals(0, in.size());
            long n = engine.transfer(in, 0, 1 << 20, out.channel());
            byte[] got = out.finish();
            assertEquals(n, got.length);
            org.junit.jupiter.api.Assertions.assertTrue(new String(got, java.nio.charset.StandardCharsets.US_ASCII)
                    .contains("VmRSS"), "content of a /proc file");
        }
        // JDK 17's transferTo moves nothing from a size-0 file, so the engine falls back to the
        // copy loop; newer JDKs' transferTo reads such files itself. Either way every byte arrives.
        String ran = rec.last().strategy();
        org.junit.jupiter.api.Assertions.assertTrue(ran.equals("copy") || ran.equals("transferTo"), rec.last().toString());
    }

    @Test
    void pathTransferCreatesAndTruncatesTheTarget() throws Exception {
        byte[] payload = Payloads.of(300_000, 4);
        Path in = dir.resolve("in");
        Path out = dir.resolve("out");
        Files.write(in, payload);
        assertEquals(payload.length, ZeroCopy.transfer(in, out));
        Payloads.assertSameBytes(payload, Files.readAllBytes(out), "created");
        Files.write(out, new byte[1_000_000]);
        assertEquals(payload.length, ZeroCopy.transfer(in, out));
        Payloads.assertSameBytes(payload, Files.readAllBytes(out), "truncated");
        Files.write(in, new byte[0]);
        assertEquals(0, ZeroCopy.transfer(in, out));
        assertEquals(0, Files.size(out));
    }
}

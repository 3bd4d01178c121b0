package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import io.zerocopy.testkit.StreamEndpoints;
import io.zerocopy.testkit.StreamEndpoints.Kind;

/**
 * The stream forms with the Linux strategies: every stream pair byte for byte, and the native
 * paths that serve file streams and files sent whole.
 */
class StreamsTest {

    /** The paths that keep a file's bytes in the kernel (or share its extents). */
    private static final Set<String> FILE_TO_FILE = Set.of(ReflinkStrategy.NAME, CopyFileRangeStrategy.NAME,
            SpliceStrategy.NAME, SendfileStrategy.NAME);

    @TempDir
    Path dir;

    final RecordingListener rec = new RecordingListener();
    final TransferEngine engine = ZeroCopy.defaultEngine().withListener(rec);

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @ParameterizedTest(name = "{0} -> {1}, {2} bytes")
    @MethodSource("io.zerocopy.testkit.StreamEndpoints#pairs")
    void everyPairMovesTheBytesExactly(Kind source, Kind target, int size) throws Exception {
        StreamEndpoints.moveAndCheck(engine, rec, source, target, size, dir);
    }

    @Test
    void fileStreamToFileStreamSharesOrCopiesInTheKernel() throws Exception {
        List<String> plan = engine.strategies(ChannelKind.FILE, ChannelKind.FILE, 1 << 20);
        assertTrue(plan.stream().anyMatch(FILE_TO_FILE::contains), "plan " + plan);
        String strategy = StreamEndpoints.moveAndCheck(engine, rec, Kind.FILE, Kind.FILE, 1 << 20, dir);
        assertTrue(FILE_TO_FILE.contains(strategy), strategy + " after " + rec.last().attempts());
    }

    @Test
    void aFileRegionToAFileOutputStreamIsCopiedInTheKernel() throws Exception {
        byte[] content = Payloads.of(3 << 20, 21);
        Path src = Files.write(dir.resolve("in"), content);
        Path dst = dir.resolve("out");
        try (FileChannel in = FileChannel.open(src); FileOutputStream out = new FileOutputStream(dst.toFile())) {
            out.write(new byte[] {1, 2, 3});
            assertEquals(2 << 20, engine.transfer(in, 4096, 2 << 20, out));
            assertEquals(3 + (2 << 20), out.getChannel().position());
            assertEquals(0, in.position());
        }
        assertTrue(FILE_TO_FILE.contains(rec.last().strategy()), rec.last().toString());
        byte[] all = Files.readAllBytes(dst);
        assertArrayEquals(Arrays.copyOfRange(content, 4096, 4096 + (2 << 20)), Arrays.copyOfRange(all, 3, all.length));
    }

    @Test
    void aPathToASocketTakesTheFileToSocketPlan() throws Exception {
        int size = 1 << 20;
        byte[] content = Payloads.of(size, 22);
        Path file = Files.write(dir.resolve("in"), content);
        try (Endpoints.Target target = Endpoints.target(ChannelKind.SOCKET, dir)) {
            assertEquals(size, engine.transfer(file, target.channel()));
            assertArrayEquals(content, target.finish());
        }
        assertEquals(engine.strategies(ChannelKind.FILE, ChannelKind.SOCKET, size).get(0), rec.last().strategy());
    }

    @Test
    void aFileInputStreamToAnAppendingFileOutputStreamAppends() throws Exception {
        byte[] payload = Payloads.of(1 << 20, 23);
        Path src = Files.write(dir.resolve("in"), payload);
        Path dst = Files.write(dir.resolve("out"), new byte[] {7});
        try (FileInputStream in = new FileInputStream(src.toFile());
             FileOutputStream out = new FileOutputStream(dst.toFile(), true)) {
            assertEquals(1 << 20, engine.transfer(in, out));
        }
        byte[] all = Files.readAllBytes(dst);
        assertEquals(1 + (1 << 20), all.length);
        assertArrayEquals(payload, Arrays.copyOfRange(all, 1, all.length));
    }
}

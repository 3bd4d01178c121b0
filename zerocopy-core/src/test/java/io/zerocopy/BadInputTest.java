package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.spi.ChannelKind;

/** Bad arguments fail before any byte moves, with a message naming the argument. */
class BadInputTest {

    @TempDir
    Path dir;
    Path file;
    ByteArrayOutputStream sink;
    WritableByteChannel target;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("in");
        Files.write(file, new byte[1000]);
        sink = new ByteArrayOutputStream();
        target = Channels.newChannel(sink);
    }

    private static void assertMessage(Exception e, String expected) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    @Test
    void nullArgumentsAreNamed() throws Exception {
        try (FileChannel fc = FileChannel.open(file)) {
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.transfer((Path) null, file)), "source");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.transfer(file, (Path) null)), "target");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.transfer((ReadableByteChannel) null, target)), "source");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.transfer(fc, null)), "target");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.transfer(null, 0, 1, target)), "source");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.transfer(fc, 0, 1, (WritableByteChannel) null)), "target");
        }
        assertEquals(0, sink.size());
    }

    @Test
    void negativeAndOverflowingRegionsAreRejected() throws Exception {
        try (FileChannel fc = FileChannel.open(file)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(fc, -1, 10, target)), "position < 0: -1");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(fc, 0, -5, target)), "count < 0: -5");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(fc, 10, Long.MAX_VALUE, target)),
                    "position + count overflows");
        }
        assertEquals(0, sink.size());
    }

    @Test
    void directoriesAndTheSameFileAreRejected() throws Exception {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(dir, dir.resolve("x"))), "source is a directory");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(file, dir)), "target is a directory");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(file, file)), "same file");
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, file);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(link, file)), "same file");
        assertEquals(1000, Files.size(file), "the source must be untouched");
        try (FileChannel rw = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(rw, rw)), "same channel");
        }
    }

    @Test
    void closedChannelsFailAsNioDoes() throws Exception {
        FileChannel closed = FileChannel.open(file);
        closed.close();
        assertThrows(ClosedChannelException.class, () -> ZeroCopy.transfer(closed, target));
        assertThrows(ClosedChannelException.class, () -> ZeroCopy.transfer(closed, 0, 10, target));
        target.close();
        try (FileChannel fc = FileChannel.open(file)) {
            assertThrows(ClosedChannelException.class, () -> ZeroCopy.transfer(fc, target));
            assertEquals(0, fc.position());
        }
    }

    @Test
    void missingSourceFileIsNoSuchFile() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ZeroCopy.transfer(dir.resolve("absent"), dir.resolve("out")));
        assertTrue(Files.notExists(dir.resolve("out")), "no target is created when the source is missing");
    }

    @Test
    void builderRejectsBadSettings() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.builder().threshold(-1)), "threshold < 0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.builder().chunkSize(10)), "chunkSize");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.builder().strategies("nope").build()),
                "unknown strategy: nope");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new BufferCoalescer(target, 0)), "threshold < 1");
        assertThrows(NullPointerException.class, () -> new BufferCoalescer(null));
        assertThrows(NullPointerException.class, () -> new BufferCoalescer(target).write((ByteBuffer) null));
    }

    /** An engine with no strategy, or a name given twice, is refused where it is asked for, not later. */
    @Test
    void strategyNamesAreCheckedAtTheCall() {
        TransferEngine.Builder b = ZeroCopy.builder().providers(false);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.strategies()), "no strategy names given");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.strategies("copy", "mmap", "copy")),
                "strategy copy named twice");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> b.prefer(ChannelKind.FILE, ChannelKind.SOCKET, "mmap", "mmap")), "strategy mmap named twice");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> b.prefer(ChannelKind.FILE, ChannelKind.SOCKET, 4096, "copy", "copy")), "strategy copy named twice");
        assertMessage(assertThrows(NullPointerException.class, () -> b.strategies("copy", null)), "strategy name");
        assertMessage(assertThrows(NullPointerException.class,
                () -> b.prefer(ChannelKind.FILE, ChannelKind.SOCKET, (String) null)), "strategy name");
        TransferEngine engine = b.prefer(ChannelKind.FILE, ChannelKind.FILE).strategies("copy").build();
        assertEquals(java.util.List.of("copy"), engine.strategies(), "the refused calls left nothing behind");
    }
}

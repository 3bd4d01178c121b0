package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.drain;
import static io.zerocopy.linux.Fixtures.feed;
import static io.zerocopy.linux.Fixtures.payload;
import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Loopback;

/** Where the kernel refuses, the next strategy continues from the exact byte reached. */
class FallbackTest {

    private static final int SIZE = (3 << 20) + 5;

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    private TransferEngine engine(String... names) {
        return ZeroCopy.builder().threshold(0).strategies(names).listener(recorder).build();
    }

    @Test
    void spliceIntoAnAppendFileFallsBackBeforeConsumingAByte() throws Exception {
        byte[] data = payload(SIZE);
        Path dst = Fixtures.file(dir, "dst", new byte[] {9, 9, 9});
        try (Loopback.Connection c = Loopback.connect();
             FileChannel out = FileChannel.open(dst, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            CompletableFuture<Void> fed = feed(c.client, data, true);
            assertEquals(SIZE, engine("splice", "copy").transfer(c.accepted, out));
            fed.get();
        }
        byte[] all = Files.readAllBytes(dst);
        assertSameBytes(data, Arrays.copyOfRange(all, 3, all.length), "socket -> APPEND file");
        assertEquals(3 + SIZE, all.length);
        assertFellBack("splice", "APPEND", "copy");
    }

    @Test
    void copyFileRangeIntoAnAppendFileFallsBack() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        Path dst = Fixtures.file(dir, "dst", new byte[] {9});
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dst, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            assertEquals(SIZE, engine("copyFileRange", "copy").transfer(in, 0, SIZE, out));
        }
        byte[] all = Files.readAllBytes(dst);
        assertSameBytes(data, Arrays.copyOfRange(all, 1, all.length), "file -> APPEND file");
        assertFellBack("copyFileRange", "APPEND", "copy");
    }

    @Test
    void copyFileRangeIntoDevNullFallsBackWithEinval() throws Exception {
        Path src = Fixtures.file(dir, "src", payload(SIZE));
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE)) {
            assertEquals(SIZE, engine("copyFileRange", "copy").transfer(in, 0, SIZE, out));
        }
        assertFellBack("copyFileRange", "errno 22", "copy");
    }

    @Test
    void copyFileRangeAcrossFileSystemsDeliversEveryByteOnce() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "needs a writable /dev/shm");
        assumeTrue(!Files.getAttribute(shm, "unix:dev").equals(Files.getAttribute(dir, "unix:dev")),
                "/dev/shm and the temp dir are on the same file system");
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        Path dst = Files.createTempFile(shm, "zerocopy-linux-test", ".bin");
        try {
            assertEquals(SIZE, engine("copyFileRange", "copy").transfer(src, dst));
            assertSameBytes(data, Files.readAllBytes(dst), "cross-device copy");
            TransferResult r = recorder.last();
            long sum = r.attempts().stream().mapToLong(TransferResult.Attempt::bytes).sum();
            assertEquals(SIZE, sum, r.toString());
            if (r.fellBack()) {
                assertTrue(r.attempts().get(0).fallbackReason().contains("errno 18"), r.toString());
            }
        } finally {
            Files.delete(dst);
        }
    }

    @Test
    void procFileThatReportsNoSizeFallsBackAndIsCopiedWhole() throws Exception {
        byte[] expected = Files.readAllBytes(Path.of("/proc/version"));
        Path dst = dir.resolve("dst");
        try (FileChannel in = FileChannel.open(Path.of("/proc/version"));
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            assertEquals(expected.length, engine("copyFileRange", "splice", "copy").transfer(in, 0, 1 << 20, out));
        }
        assertSameBytes(expected, Files.readAllBytes(dst), "/proc/version");
        TransferResult r = recorder.last();
        assertEquals("copyFileRange", r.attempts().get(0).strategy(), r.toString());
        assertTrue(r.fellBack(), r.toString());
    }

    @Test
    void targetRefusingWithBytesInThePipeGetsThemThroughItsOwnWrite() throws Exception {
        byte[] data = payload(SIZE);
        try (PipePool pool = new PipePool(2, 1 << 16);
             Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            TransferEngine e = ZeroCopy.builder().threshold(0).strategies("copy").listener(recorder)
                    .addFirst(new SpliceStrategy(pool, refusingDrains())).build();
            CompletableFuture<Void> fed = feed(in.client, data, true);
            CompletableFuture<byte[]> got = drain(out.accepted);
            assertEquals(SIZE, e.transfer(in.accepted, out.client));
            out.client.shutdownOutput();
            fed.get();
            assertSameBytes(data, got.get(), "socket -> socket after a drain refusal");
            assertEquals(1, pool.openPipes());
            assertEquals(1, pool.idlePipes());
        }
        TransferResult r = recorder.last();
        assertEquals("copy", r.strategy(), r.toString());
        assertTrue(r.attempts().get(0).bytes() > 0, "the pipe's bytes were delivered by splice: " + r);
    }

    @Test
    void targetFileRefusingWithBytesInThePipeKeepsPositionsRight() throws Exception {
        byte[] data = payload(SIZE);
        Path dst = dir.resolve("dst");
        try (PipePool pool = new PipePool(2, 1 << 16);
             Loopback.Connection in = Loopback.connect();
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(new byte[] {7, 7}));
            TransferEngine e = ZeroCopy.builder().threshold(0).strategies("copy").listener(recorder)
                    .addFirst(new SpliceStrategy(pool, refusingDrains())).build();
            CompletableFuture<Void> fed = feed(in.client, data, true);
            assertEquals(SIZE, e.transfer(in.accepted, out));
            fed.get();
            assertEquals(2 + SIZE, out.position());
        }
        byte[] all = Files.readAllBytes(dst);
        assertSameBytes(data, Arrays.copyOfRange(all, 2, all.length), "socket -> file after a drain refusal");
    }

    @Test
    void fileSourceRefusedMidwayIsReReadByTheNextStrategy() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        try (PipePool pool = new PipePool(2, 1 << 16);
             Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            TransferEngine e = ZeroCopy.builder().threshold(0).strategies("copy").listener(recorder)
                    .addFirst(new SpliceStrategy(pool, refusingDrains())).build();
            CompletableFuture<byte[]> got = drain(c.accepted);
            assertEquals(SIZE, e.transfer(in, 0, SIZE, c.client));
            c.client.shutdownOutput();
            assertSameBytes(data, got.get(), "file -> socket after a drain refusal");
            assertEquals(0, pool.openPipes(), "a pipe holding bytes is discarded, not pooled");
        }
        TransferResult r = recorder.last();
        assertEquals(0, r.attempts().get(0).bytes(), r.toString());
    }

    @Test
    void fileChannelOnAFifoHasNoPositionSoTheNativePathsStepAside() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
            try (FileChannel r = FileChannel.open(fifo, StandardOpenOption.READ)) {
                return Fixtures.drain(r).get();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (FileChannel in = FileChannel.open(src); FileChannel out = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            assertEquals(SIZE, engine("copyFileRange", "splice", "copy").transfer(in, 0, SIZE, out));
        }
        assertSameBytes(data, got.get(), "file -> FIFO");
        TransferResult r = recorder.last();
        assertEquals("copy", r.strategy(), r.toString());
        assertTrue(r.attempts().get(1).fallbackReason().contains("not seekable"), r.toString());
    }

    @Test
    void fileChannelWithoutADescriptorTakesThePortablePath() throws Exception {
        byte[] data = payload(SIZE);
        Path zip = dir.resolve("z.zip");
        try (java.nio.file.FileSystem zfs = java.nio.file.FileSystems.newFileSystem(zip,
                java.util.Map.of("create", "true"))) {
            Files.write(zfs.getPath("/payload"), data);
        }
        Path dst = dir.resolve("dst");
        try (java.nio.file.FileSystem zfs = java.nio.file.FileSystems.newFileSystem(zip);
             FileChannel in = FileChannel.open(zfs.getPath("/payload"));
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            assertEquals(SIZE, engine("copyFileRange", "splice", "copy").transfer(in, 0, SIZE, out));
        }
        assertSameBytes(data, Files.readAllBytes(dst), "zipfs file -> file");
        TransferResult r = recorder.last();
        assertEquals("copy", r.strategy(), r.toString());
        assertTrue(r.attempts().get(1).fallbackReason().contains("no descriptor"), r.toString());
    }

    @Test
    void epermFromCopyFileRangeFallsBackForThatTransferOnly() throws Exception {
        TransferResult second = copyFileRangeFailingOnce(Errno.EPERM);
        assertEquals("copyFileRange", second.strategy(), "tried again on the next transfer: " + second);
        assertFalse(second.fellBack(), second.toString());
    }

    @Test
    void enosysFromCopyFileRangeFallsBackForTheWholeEngine() throws Exception {
        TransferResult second = copyFileRangeFailingOnce(Errno.ENOSYS);
        assertEquals("copy", second.strategy(), "not tried again in this engine: " + second);
        assertEquals(1, second.attempts().size(), second.toString());
    }

    /**
     * Copies a file twice through copyFileRange, then copy, with the first copy_file_range call
     * failing with {@code errno}; checks the first transfer fell back with it.
     *
     * @return the second transfer's result
     */
    private TransferResult copyFileRangeFailingOnce(int errno) throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        Path dst = dir.resolve("dst");
        FaultySyscalls faulty = new FaultySyscalls(Errno.Syscall.COPY_FILE_RANGE, errno).times(1);
        TransferEngine e = ZeroCopy.builder().threshold(0).strategies("copy").listener(recorder)
                .addFirst(new CopyFileRangeStrategy(faulty)).build();
        assertEquals(SIZE, e.transfer(src, dst));
        assertFellBack("copyFileRange", "errno " + errno + ")", "copy");
        assertEquals(SIZE, e.transfer(src, dst));
        assertEquals(1, faulty.failures());
        assertSameBytes(data, Files.readAllBytes(dst), "file -> file");
        return recorder.last();
    }

    /** The target refuses the first splice out of the pipe (and every later one) with EINVAL. */
    private static Syscalls refusingDrains() {
        return new FaultySyscalls(Errno.Syscall.SPLICE, Errno.EINVAL).drainsOnly();
    }

    private void assertFellBack(String from, String reasonPart, String to) {
        TransferResult r = recorder.last();
        assertEquals(to, r.strategy(), r.toString());
        TransferResult.Attempt first = r.attempts().get(0);
        assertEquals(from, first.strategy(), r.toString());
        assertTrue(first.fallbackReason() != null && first.fallbackReason().contains(reasonPart), r.toString());
        assertNull(r.attempts().get(r.attempts().size() - 1).fallbackReason(), r.toString());
    }
}

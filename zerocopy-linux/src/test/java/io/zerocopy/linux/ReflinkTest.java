package io.zerocopy.linux;

import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.LoopFileSystem;
import io.zerocopy.testkit.Payloads;

/**
 * {@code reflink} shares extents on XFS ({@code reflink=1}) and Btrfs, each made in a loop-mounted
 * image (root only, else skipped with the reason): copies are byte-exact, fast and take no space. A
 * range off block boundaries falls back without being remembered; a file system that refuses
 * (the working directory's, or two different ones) is asked once and then remembered. Every copy is
 * compared byte for byte.
 */
class ReflinkTest {

    private static final int SIZE = 64 << 20;
    private static final long IMAGE = 512L << 20;
    private static final int COPIES = 3;
    private static final long MAX_COPY_MILLIS = 50;

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();
    private final TransferEngine engine = ZeroCopy.builder().listener(recorder).build();
    /** Counts FICLONERANGE calls without failing any. */
    private final FaultySyscalls counting = new FaultySyscalls(Errno.Syscall.IOCTL_FICLONE, 0).from(Integer.MAX_VALUE);
    private final TransferEngine counted = ZeroCopy.builder().providers(false).listener(recorder)
            .addFirst(new ReflinkStrategy(counting)).build();

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void xfsSharesExtents() throws Exception {
        try (LoopFileSystem fs = LoopFileSystem.mount(dir, "xfs", IMAGE, "-q", "-m", "reflink=1")) {
            checkFileSystem(fs);
        }
    }

    @Test
    void btrfsSharesExtents() throws Exception {
        try (LoopFileSystem fs = LoopFileSystem.mount(dir, "btrfs", IMAGE, "-q")) {
            checkFileSystem(fs);
        }
    }

    private void checkFileSystem(LoopFileSystem fs) throws Exception {
        byte[] data = Payloads.of(SIZE, 121);
        Path src = fs.root().resolve("src");
        Files.write(src, data);
        assertEquals(SIZE, engine.transfer(src, fs.root().resolve("warm-up"))); // first use in this JVM: not timed
        fs.sync(); // the clone would otherwise write the source's dirty pages back first
        long free = Files.getFileStore(src).getUsableSpace();
        for (int i = 0; i < COPIES; i++) {
            long start = System.nanoTime();
            assertEquals(SIZE, engine.transfer(src, fs.root().resolve("copy" + i)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            TransferResult r = recorder.last();
            assertEquals(ReflinkStrategy.NAME, r.strategy(), r.toString());
            assertFalse(r.fellBack(), r.toString());
            assertTrue(millis < MAX_COPY_MILLIS, "copy " + i + " of " + SIZE + " bytes took " + millis + " ms");
        }
        fs.sync();
        long used = free - Files.getFileStore(src).getUsableSpace();
        assertTrue(used < (long) COPIES * SIZE / 100, COPIES + " copies took " + used + " bytes of new space");
        for (int i = 0; i < COPIES; i++) {
            assertSameBytes(data, Files.readAllBytes(fs.root().resolve("copy" + i)), "copy " + i);
        }
        regionOffBlockBoundariesFallsBackAndIsNotRemembered(fs, src, data);
        otherFileSystemIsAskedOnce(fs, src, data);
        asynchronousCloneIsOneStepOnAFileThread(fs, src, data);
    }

    /** {@code transferAsync}: the clone is one step, run on the driver's file threads, not a blocking thread. */
    private void asynchronousCloneIsOneStepOnAFileThread(LoopFileSystem fs, Path src, byte[] data) throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        TransferEngine async = ZeroCopy.builder().listener(new TransferListener() {
            @Override
            public void onProgress(String strategy, long delivered) {
                threads.add(Thread.currentThread().getName());
            }
        }).build();
        Path dst = fs.root().resolve("async");
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            TransferResult r = async.transferAsync(in, 0, SIZE, out).get(30, TimeUnit.SECONDS);
            assertEquals(ReflinkStrategy.NAME, r.strategy(), r.toString());
            assertFalse(r.fellBack(), r.toString());
            assertEquals(SIZE, out.position());
        }
        AsyncChecks.assertStepped(threads, SIZE);
        assertEquals(1, threads.size(), "one step: " + threads);
        assertSameBytes(data, Files.readAllBytes(dst), "asynchronous clone");
    }

    private void regionOffBlockBoundariesFallsBackAndIsNotRemembered(LoopFileSystem fs, Path src, byte[] data)
            throws Exception {
        int from = 1000;
        int count = SIZE / 4;
        Path dst = fs.root().resolve("region");
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertEquals(count, engine.transfer(in, from, count, out));
            assertEquals(count, out.position());
        }
        TransferResult r = recorder.last();
        assertEquals(ReflinkStrategy.NAME, r.attempts().get(0).strategy(), r.toString());
        assertTrue(r.attempts().get(0).fallbackReason().contains("errno " + Errno.EINVAL), r.toString());
        assertNotEquals(ReflinkStrategy.NAME, r.strategy(), r.toString());
        assertSameBytes(Arrays.copyOfRange(data, from, from + count), Files.readAllBytes(dst), "unaligned region");

        // Aligned source range, aligned target position past the target's start: shared, not remembered as refused.
        int at = 64 << 10;
        int into = 8 << 10;
        Path aligned = fs.root().resolve("aligned");
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(aligned, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.position(into);
            assertEquals(count, engine.transfer(in, at, count, out));
            assertEquals(into + count, out.position());
        }
        r = recorder.last();
        assertEquals(ReflinkStrategy.NAME, r.strategy(), r.toString());
        assertFalse(r.fellBack(), r.toString());
        byte[] got = Files.readAllBytes(aligned);
        assertEquals(into + count, got.length);
        assertSameBytes(new byte[into], Arrays.copyOf(got, into), "the hole before the target position");
        assertSameBytes(Arrays.copyOfRange(data, at, at + count), Arrays.copyOfRange(got, into, got.length), "aligned region");
    }

    /** Source on the loop file system, target in the working directory: EXDEV once, then remembered. */
    private void otherFileSystemIsAskedOnce(LoopFileSystem fs, Path src, byte[] data) throws Exception {
        for (int i = 0; i < 2; i++) {
            Path dst = dir.resolve("across" + i);
            assertEquals(SIZE, counted.transfer(src, dst));
            assertSameBytes(data, Files.readAllBytes(dst), "across file systems " + i);
            Files.delete(dst);
            TransferResult r = recorder.last();
            assertEquals(ReflinkStrategy.NAME, r.attempts().get(0).strategy(), r.toString());
            assertTrue(r.attempts().get(0).fallbackReason().contains(i == 0 ? "errno " + Errno.EXDEV : "refused before"),
                    r.toString());
        }
        assertEquals(1, counting.calls(), "FICLONERANGE calls across two file systems");
    }

    @Test
    void refusingFileSystemIsAskedOnceThenRemembered() throws Exception {
        byte[] data = Fixtures.payload((1 << 20) + 3);
        Path src = Fixtures.file(dir, "src", data);
        for (int i = 0; i < 2; i++) {
            Path dst = dir.resolve("dst" + i);
            assertEquals(data.length, counted.transfer(src, dst));
            assertSameBytes(data, Files.readAllBytes(dst), "copy " + i);
            TransferResult r = recorder.last();
            assumeFalse(i == 0 && ReflinkStrategy.NAME.equals(r.strategy()),
                    () -> "the working directory " + dir + " shares extents: nothing here refuses");
            assertEquals(ReflinkStrategy.NAME, r.attempts().get(0).strategy(), r.toString());
            String reason = r.attempts().get(0).fallbackReason();
            assertTrue(i == 0 ? reason.contains("errno " + Errno.EOPNOTSUPP) || reason.contains("errno " + Errno.ENOTTY)
                    : reason.contains("refused before"), r.toString());
            assertNotEquals(ReflinkStrategy.NAME, r.strategy(), r.toString());
        }
        assertEquals(1, counting.calls(), "FICLONERANGE calls on a file system that refused");
    }

    @Test
    void realErrorFailsWithNothingDeliveredAndMissingCallIsEngineWide() throws Exception {
        byte[] data = Fixtures.payload(1 << 20);
        Path src = Fixtures.file(dir, "src", data);
        TransferEngine failing = ZeroCopy.builder().providers(false)
                .addFirst(new ReflinkStrategy(new FaultySyscalls(Errno.Syscall.IOCTL_FICLONE, Errno.ENOSPC))).build();
        TransferException e = assertThrows(TransferException.class, () -> failing.transfer(src, dir.resolve("full")));
        assertEquals(0, e.bytesDelivered(), e.toString());
        assertTrue(e.getCause() instanceof NativeIOException, e.toString());
        assertEquals(Errno.ENOSPC, ((NativeIOException) e.getCause()).errno());

        TransferEngine missing = ZeroCopy.builder().providers(false).listener(recorder)
                .addFirst(new ReflinkStrategy(new FaultySyscalls(Errno.Syscall.IOCTL_FICLONE, Errno.ENOSYS))).build();
        for (int i = 0; i < 2; i++) {
            Path dst = dir.resolve("dst" + i);
            assertEquals(data.length, missing.transfer(src, dst));
            assertSameBytes(data, Files.readAllBytes(dst), "copy " + i);
        }
        // Remembered by the engine: the second transfer does not try reflink at all.
        assertEquals(ReflinkStrategy.NAME, recorder.results.get(0).attempts().get(0).strategy());
        assertFalse(recorder.last().fellBack(), recorder.last().toString());
    }
}

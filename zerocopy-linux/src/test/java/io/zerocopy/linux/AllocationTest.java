package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/**
 * The per-chunk path allocates nothing: sixteen times the chunks cost no more heap. Counted after
 * {@link #WARM_UP} rounds (class loading, first-use set-up), in the best of the rounds that follow, up to
 * {@link #ROUNDS} in all: until the JIT has compiled the loop, code it would optimise may still
 * allocate, and on a loaded machine that can take several rounds. A real per-chunk allocation shows in every one.
 * The java.lang.foreign binding needs more: its downcalls allocate until C2 has compiled the
 * call site (about 10,000 calls; a round makes 128 per call site), then nothing.
 */
class AllocationTest {

    private static final int WARM_UP = 4;
    private static final int ROUNDS = 150;

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void spliceAllocatesPerTransferNotPerChunk() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counting unsupported");
        int size = 16 << 20;
        Path src = Fixtures.file(dir, "src", payload(size));
        try (PipePool pool = new PipePool(1, 4096);
             FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            TransferEngine engine = ZeroCopy.builder().threshold(0).strategies("copy").addFirst(new SpliceStrategy(pool, Native.syscalls())).build();
            long chunks = size / pool.pipeSize();
            String seen = "";
            long least = Long.MAX_VALUE;
            for (int round = 0; round < ROUNDS && least >= chunks / 4; round++) {
                long small = allocated(threads, engine, in, out, size / 16);
                long large = allocated(threads, engine, in, out, size);
                if (round >= WARM_UP) {
                    least = Math.min(least, large - small);
                }
                seen += " " + small + "/" + large;
            }
            assertTrue(least < chunks / 4, "bytes allocated for " + chunks / 16 + "/" + chunks + " chunks, by round:" + seen);
        }
    }

    private static long allocated(com.sun.management.ThreadMXBean threads, TransferEngine engine, FileChannel in,
            FileChannel out, int count) throws Exception {
        out.position(0);
        long before = threads.getCurrentThreadAllocatedBytes();
        assertEquals(count, engine.transfer(in, 0, count, out));
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void teeAndVmspliceAllocatePerCallNotPerChunk() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counting unsupported");
        int size = 32 << 20;
        Path src = Fixtures.file(dir, "src", payload(size));
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(size);
        TransferEngine engine = ZeroCopy.builder().addFirst(Linux.vmsplice()).build();
        long chunks = size / Linux.sharedPipePool().pipeSize();
        try (FileChannel in = FileChannel.open(src);
             FileChannel a = FileChannel.open(dir.resolve("a"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel b = FileChannel.open(dir.resolve("b"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            java.util.List<FileChannel> targets = java.util.List.of(a, b);
            long[] tee = new long[2];
            long[] vm = new long[2];
            long teeLeast = Long.MAX_VALUE;
            long vmLeast = Long.MAX_VALUE;
            String seen = "";
            for (int round = 0; round < ROUNDS && (teeLeast >= chunks / 4 || vmLeast >= chunks / 4); round++) {
                for (int k = 0; k < 2; k++) {
                    int count = k == 0 ? size / 16 : size;
                    a.position(0);
                    b.position(0);
                    long before = threads.getCurrentThreadAllocatedBytes();
                    assertEquals("tee", engine.broadcast(in, 0, count, targets).strategy());
                    tee[k] = threads.getCurrentThreadAllocatedBytes() - before;
                    a.position(0);
                    direct.clear().limit(count);
                    before = threads.getCurrentThreadAllocatedBytes();
                    assertEquals(count, engine.send(new java.nio.ByteBuffer[] {direct}, a));
                    vm[k] = threads.getCurrentThreadAllocatedBytes() - before;
                }
                if (round >= WARM_UP) {
                    teeLeast = Math.min(teeLeast, tee[1] - tee[0]);
                    vmLeast = Math.min(vmLeast, vm[1] - vm[0]);
                }
                seen += " tee " + tee[0] + "/" + tee[1] + " vmsplice " + vm[0] + "/" + vm[1] + ";";
            }
            String what = "bytes allocated for " + chunks / 16 + "/" + chunks + " chunks, by round:" + seen;
            assertTrue(teeLeast < chunks / 4, "tee " + what);
            assertTrue(vmLeast < chunks / 4, "vmsplice " + what);
        }
    }
}

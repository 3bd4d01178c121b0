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

/** The per-chunk path allocates nothing: sixteen times the chunks cost no more heap. */
class AllocationTest {

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
        try (PipePool pool = Linux.newPipePool(1, 4096);
             FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            TransferEngine engine = ZeroCopy.builder().threshold(0).strategies("copy").addFirst(Linux.splice(pool)).build();
            long small = 0;
            long large = 0;
            for (int round = 0; round < 5; round++) { // the last round counts, after warm-up
                small = allocated(threads, engine, in, out, size / 16);
                large = allocated(threads, engine, in, out, size);
            }
            long chunks = size / pool.pipeSize();
            assertTrue(large - small < chunks / 4, "bytes allocated: " + small + " for " + chunks / 16 + " chunks, "
                    + large + " for " + chunks + " chunks");
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
            for (int round = 0; round < 5; round++) {
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
            }
            assertTrue(tee[1] - tee[0] < chunks / 4, "tee bytes allocated: " + tee[0] + " for " + chunks / 16
                    + " chunks, " + tee[1] + " for " + chunks + " chunks");
            assertTrue(vm[1] - vm[0] < chunks / 4, "vmsplice bytes allocated: " + vm[0] + " for " + chunks / 16
                    + " chunks, " + vm[1] + " for " + chunks + " chunks");
        }
    }
}

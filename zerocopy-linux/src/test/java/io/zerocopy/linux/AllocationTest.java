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
}

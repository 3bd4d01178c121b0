package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zerocopy.testkit.Descriptors;

/** The pool's bound, sizing, ownership rules and close. */
class PipePoolTest {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void pipesAreSizedToTheRequestCappedAtPipeMaxSize() throws Exception {
        int max = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/pipe-max-size")).get(0).trim());
        try (PipePool big = new PipePool(1, 64 << 20); PipePool small = new PipePool(1, 65536)) {
            assertEquals(max, big.pipeSize());
            PooledPipe p = big.acquire();
            assertEquals(max, p.size, "F_GETPIPE_SZ of a pipe sized to pipe-max-size");
            assertEquals(max, Native.syscalls().fcntl(p.readFd, Native.F_GETPIPE_SZ, 0));
            big.release(p);
            PooledPipe q = small.acquire();
            assertEquals(65536, q.size);
            small.release(q);
        }
    }

    @Test
    void sharedPoolTakesAtMostAQuarterOfTheUsersPipePages() throws Exception {
        PipePool shared = Linux.sharedPipePool();
        assertEquals(PipePool.Sizing.forThisSystem(0, 0), new PipePool.Sizing(shared.maxPipes(), shared.pipeSize()),
                "no property set in this JVM");
        long soft = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/pipe-user-pages-soft")).get(0).trim());
        long pages = shared.maxPipes() * PipePool.Sizing.pages(shared.pipeSize(), Native.pageSize());
        assertTrue(soft == 0 || pages <= soft / 4, shared + " holds " + pages + " pages at most, soft limit " + soft);
        try (PipePool pool = new PipePool(shared.maxPipes(), shared.pipeSize())) {
            List<PooledPipe> leased = new ArrayList<>();
            long held = 0;
            for (PooledPipe p; (p = pool.acquire()) != null; ) {
                leased.add(p);
                held += PipePool.Sizing.pages(p.size, Native.pageSize());
            }
            assertEquals(shared.maxPipes(), leased.size(), "leases up to the bound, not beyond");
            assertTrue(soft == 0 || held <= soft / 4, "kernel pages held by a full pool: " + held + ", soft limit " + soft);
            leased.forEach(pool::release);
        }
    }

    @Test
    void sizingTakesAQuarterOfTheLimitShrinkingPipesBeforeTheirCount() {
        int mib = 1 << 20;
        int kib = 1 << 10;
        // The kernel's defaults: 16384 pages soft, no hard limit, pipe-max-size 1 MiB, 4 KiB pages.
        assertEquals(new PipePool.Sizing(64, 256 * kib), PipePool.Sizing.of(16384, 0, mib, 4096, 0, 0));
        assertEquals(new PipePool.Sizing(64, mib), PipePool.Sizing.of(0, 0, mib, 4096, 0, 0), "no limit: as before");
        assertEquals(new PipePool.Sizing(64, 128 * kib), PipePool.Sizing.of(16384, 8192, mib, 4096, 0, 0), "the smaller limit");
        assertEquals(new PipePool.Sizing(64, 64 * kib), PipePool.Sizing.of(4096, 0, mib, 4096, 0, 0));
        assertEquals(new PipePool.Sizing(16, 64 * kib), PipePool.Sizing.of(1024, 0, mib, 4096, 0, 0), "pipes of 16 pages, then fewer");
        assertEquals(new PipePool.Sizing(1, 64 * kib), PipePool.Sizing.of(16, 0, mib, 4096, 0, 0), "at least one pipe");
        assertEquals(new PipePool.Sizing(64, 256 * kib), PipePool.Sizing.of(16384, 0, 256 * kib, 4096, 0, 0), "pipe-max-size");
        assertEquals(new PipePool.Sizing(64, 16 * kib), PipePool.Sizing.of(16384, 0, 16 * kib, 4096, 0, 0));
        assertEquals(new PipePool.Sizing(64, mib), PipePool.Sizing.of(16384, 0, mib, 65536, 0, 0), "64 KiB pages: 1 MiB fits");
        assertEquals(new PipePool.Sizing(16, mib), PipePool.Sizing.of(16384, 0, mib, 4096, 0, mib), "size given: count fitted");
        assertEquals(new PipePool.Sizing(128, 128 * kib), PipePool.Sizing.of(16384, 0, mib, 4096, 128, 0), "count given: size fitted");
        assertEquals(new PipePool.Sizing(32, 512 * kib), PipePool.Sizing.of(16384, 0, mib, 4096, 32, 0));
        assertEquals(new PipePool.Sizing(8, mib), PipePool.Sizing.of(16384, 0, mib, 4096, 8, 0), "few pipes: 1 MiB fits");
        assertEquals(new PipePool.Sizing(100, 4 * mib), PipePool.Sizing.of(16384, 0, 4 * mib, 4096, 100, 8 * mib), "both given");
        assertEquals(256, PipePool.Sizing.pages(mib, 4096));
        assertEquals(64, PipePool.Sizing.pages(200 * kib, 4096), "rounded up to a power of two");
        assertEquals(1, PipePool.Sizing.pages(100, 4096));
    }

    @Test
    void aRefusedResizeClosesTheNewPipeAndLeasesNothing() throws Exception {
        Descriptors.Snapshot before = Descriptors.snapshot();
        FaultySyscalls refusing = new FaultySyscalls(Errno.Syscall.FCNTL, Errno.EPERM).times(1);
        try (PipePool pool = new PipePool(refusing, 2, 1 << 16)) {
            assertNull(pool.acquire(), "over pipe-user-pages-soft the kernel refuses F_SETPIPE_SZ: no small pipe is kept");
            assertEquals(1, refusing.failures());
            assertEquals(0, pool.openPipes());
            before.assertOpened(0, "the refused pipe is closed");
            PooledPipe p = pool.acquire();
            assertNotNull(p, "the next lease tries again");
            assertEquals(1 << 16, p.size);
            pool.release(p);
        }
        before.assertOpened(0, "pool closed");
    }

    @Test
    void boundCountsLeasedAndIdlePipes() throws Exception {
        Descriptors.Snapshot before = Descriptors.snapshot();
        PipePool pool = new PipePool(2, 1 << 16);
        PooledPipe a = pool.acquire();
        PooledPipe b = pool.acquire();
        assertNotNull(a);
        assertNotNull(b);
        assertNull(pool.acquire(), "beyond the bound a lease is refused, not waited for");
        String pipeA = assertOnePipe(a);
        String pipeB = assertOnePipe(b);
        before.assertOpened(4, "two leased pipes");
        pool.release(a);
        assertSame(a, pool.acquire(), "an idle pipe is reused");
        pool.discard(a);
        assertEquals(1, pool.openPipes());
        assertClosed(a, pipeA);
        before.assertOpened(2, "one pipe discarded");
        pool.release(b);
        pool.close();
        assertEquals(0, pool.openPipes());
        assertClosed(b, pipeB);
        before.assertOpened(0, "pool closed");
        assertNull(pool.acquire(), "a closed pool leases nothing");
        pool.close();
    }

    @Test
    void pipeLeasedWhenThePoolClosesIsClosedOnReturn() throws Exception {
        Descriptors.Snapshot before = Descriptors.snapshot();
        PipePool pool = new PipePool(2, 1 << 16);
        PooledPipe a = pool.acquire();
        String pipeA = assertOnePipe(a);
        pool.close();
        assertTrue(pool.isClosed());
        assertEquals(pipeA, Descriptors.target(a.readFd), "a leased pipe belongs to its transfer until returned");
        assertEquals(pipeA, Descriptors.target(a.writeFd));
        pool.release(a);
        assertClosed(a, pipeA);
        before.assertOpened(0, "leased pipe returned to a closed pool");
    }

    @Test
    void argumentsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new PipePool(0, 1 << 16));
        assertThrows(IllegalArgumentException.class, () -> new PipePool(1, 100));
    }

    /** Asserts both ends of {@code p} are open on one pipe; returns that pipe's {@code pipe:[inode]}. */
    private static String assertOnePipe(PooledPipe p) {
        String read = Descriptors.target(p.readFd);
        assertNotNull(read, "read end open");
        assertTrue(read.startsWith("pipe:"), read);
        assertEquals(read, Descriptors.target(p.writeFd), "both ends of one pipe");
        return read;
    }

    /** Asserts neither end of {@code p} still refers to {@code pipe} (the numbers may be reused by then). */
    private static void assertClosed(PooledPipe p, String pipe) {
        assertNotEquals(pipe, Descriptors.target(p.readFd), "read end closed");
        assertNotEquals(pipe, Descriptors.target(p.writeFd), "write end closed");
    }
}

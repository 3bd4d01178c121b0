package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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
        try (PipePool big = Linux.newPipePool(1, 64 << 20); PipePool small = Linux.newPipePool(1, 65536)) {
            assertEquals(max, big.pipeSize());
            PooledPipe p = big.acquire();
            assertEquals(max, p.size, "F_GETPIPE_SZ of a pipe sized to pipe-max-size");
            assertEquals(max, Native.libc().fcntl(p.readFd, Native.F_GETPIPE_SZ, 0));
            big.release(p);
            PooledPipe q = small.acquire();
            assertEquals(65536, q.size);
            small.release(q);
        }
    }

    @Test
    void sharedPoolFollowsItsDefaults() {
        PipePool shared = Linux.sharedPipePool();
        assertEquals(Integer.getInteger(PipePool.MAX_PIPES_PROPERTY, PipePool.DEFAULT_MAX_PIPES), shared.maxPipes());
        assertEquals(Math.min(PipePool.DEFAULT_PIPE_SIZE, PipePool.pipeMaxSize()), shared.pipeSize());
    }

    @Test
    void boundCountsLeasedAndIdlePipes() throws Exception {
        int baseline = Descriptors.open();
        PipePool pool = Linux.newPipePool(2, 1 << 16);
        PooledPipe a = pool.acquire();
        PooledPipe b = pool.acquire();
        assertNotNull(a);
        assertNotNull(b);
        assertNull(pool.acquire(), "beyond the bound a lease is refused, not waited for");
        assertDescriptors(baseline + 4);
        pool.release(a);
        assertSame(a, pool.acquire(), "an idle pipe is reused");
        pool.discard(a);
        assertEquals(1, pool.openPipes());
        assertDescriptors(baseline + 2);
        pool.release(b);
        pool.close();
        assertEquals(0, pool.openPipes());
        assertDescriptors(baseline);
        assertNull(pool.acquire(), "a closed pool leases nothing");
        pool.close();
    }

    @Test
    void pipeLeasedWhenThePoolClosesIsClosedOnReturn() throws Exception {
        int baseline = Descriptors.open();
        PipePool pool = Linux.newPipePool(2, 1 << 16);
        PooledPipe a = pool.acquire();
        pool.close();
        assertTrue(pool.isClosed());
        assertEquals(baseline + 2, Descriptors.open(), "a leased pipe belongs to its transfer until returned");
        pool.release(a);
        assertDescriptors(baseline);
    }

    @Test
    void argumentsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Linux.newPipePool(0, 1 << 16));
        assertThrows(IllegalArgumentException.class, () -> Linux.newPipePool(1, 100));
    }

    /** Exact count, giving descriptors that earlier tests' background threads hold for a moment 2 s to go. */
    private static void assertDescriptors(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        int n;
        while ((n = Descriptors.open()) != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, n, "descriptors open");
    }
}

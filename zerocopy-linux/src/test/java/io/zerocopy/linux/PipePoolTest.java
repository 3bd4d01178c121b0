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
    void sharedPoolFollowsItsDefaults() {
        PipePool shared = Linux.sharedPipePool();
        assertEquals(Integer.getInteger(Linux.MAX_PIPES_PROPERTY, PipePool.DEFAULT_MAX_PIPES), shared.maxPipes());
        assertEquals(Math.min(PipePool.DEFAULT_PIPE_SIZE, PipePool.pipeMaxSize()), shared.pipeSize());
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

package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.zerocopy.testkit.Descriptors;
import io.zerocopy.testkit.Loopback;

/**
 * The io_uring ring ({@link IoUring}) and its start-up probe ({@link IoUringProbe}): round trips
 * of NOP, POLL_ADD and ASYNC_CANCEL, a stress run checking every user_data comes back exactly
 * once through SQ wrap-around and CQ overflow, flag fallback and denials. Runs where io_uring
 * serves (JDK 22+ on the {@code java.lang.foreign} binding, kernel 6.0+); skipped with the
 * probe's cause elsewhere, and fails if the probe failed in an unexpected way.
 */
class IoUringTest {

    private Syscalls sys;

    /** Per test, so that each reports the reason it was skipped. */
    @BeforeEach
    void ioUring() {
        sys = requireIoUring();
    }

    /** @return the binding, once io_uring is known to serve; skips (expected absence) or fails (unexpected probe failure) */
    static Syscalls requireIoUring() {
        Fixtures.requireLinux();
        Throwable cause = Linux.ioUringUnavailabilityCause();
        if (cause != null && !IoUringProbe.expected(cause)) {
            fail("io_uring probe failed unexpectedly", cause);
        }
        assumeTrue(cause == null, () -> "io_uring unavailable here (" + Linux.binding() + " binding, JDK "
                + Runtime.version().feature() + "): " + cause);
        return Native.syscalls();
    }

    /** Reaps until {@code count} completions came, waiting 100 ms at a time, 5 s at most. */
    private static List<long[]> reap(IoUring ring, int count) throws IOException {
        List<long[]> got = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got.size() < count && System.nanoTime() < deadline) {
            if (ring.reap((u, res, flags) -> got.add(new long[] {u, res, flags})) == 0) {
                ring.await(100);
            }
        }
        assertEquals(count, got.size(), "completions");
        return got;
    }

    @Test
    void nopsComeBackWithTheirUserData() throws IOException {
        try (IoUring ring = IoUring.open(sys, 8)) {
            assertEquals(8, ring.sqEntries());
            assertEquals(IoUring.REQUIRED_FEATURES, ring.features() & IoUring.REQUIRED_FEATURES);
            for (long u = 1; u <= 3; u++) {
                assertTrue(ring.nop(u << 40));
            }
            assertEquals(3, ring.submit());
            List<long[]> got = reap(ring, 3);
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(new long[] {(k + 1L) << 40, 0, 0}, got.get(k), "NOP " + k);
            }
            assertEquals(0, ring.ready());
        }
    }

    @Test
    void fullSubmissionQueueRefusesUntilSubmitted() throws IOException {
        try (IoUring ring = IoUring.open(sys, 4)) {
            for (int k = 0; k < 4; k++) {
                assertTrue(ring.nop(k));
            }
            assertFalse(ring.nop(99), "4 SQEs prepared, none consumed");
            assertEquals(4, ring.submit());
            assertTrue(ring.nop(4), "the kernel consumed them: the slots are free again");
            ring.submit();
            reap(ring, 5);
        }
    }

    @Test
    void pollAddCompletesWhenTheSocketBecomesReadableAndCancelEndsAnotherPoll() throws IOException {
        try (Loopback.Connection c = Loopback.connect()) {
            int fd = ChannelDescriptors.open(sys, c.accepted);
            try (IoUring ring = IoUring.open(sys, 8)) {
                assertTrue(ring.pollAdd(fd, Native.POLLIN, 7));
                ring.submit();
                assertEquals(0, ring.await(50), "nothing to read yet");
                c.client.write(ByteBuffer.wrap(new byte[] {1}));
                long[] poll = reap(ring, 1).get(0);
                assertEquals(7, poll[0]);
                assertEquals(Native.POLLIN, poll[1] & Native.POLLIN, "res is revents");

                c.accepted.read(ByteBuffer.allocate(1));
                assertTrue(ring.pollAdd(fd, Native.POLLIN, 8));
                ring.submit();
                assertEquals(0, ring.await(20));
                assertTrue(ring.cancel(8, 9));
                ring.submit();
                List<long[]> got = reap(ring, 2);
                got.sort((a, b) -> Long.compare(a[0], b[0]));
                assertArrayEquals(new long[] {8, -Errno.ECANCELED, 0}, got.get(0), "the poll, cancelled");
                assertArrayEquals(new long[] {9, 0, 0}, got.get(1), "the cancel found it");
            } finally {
                ChannelDescriptors.release(sys, c.accepted, fd);
            }
        }
    }

    /** IORING_OP_SPLICE round trip: socket to pipe, then pipe to socket, byte-exact, the counts in the completions. */
    @Test
    void spliceMovesBytesThroughAPipeByteExact() throws IOException {
        byte[] payload = io.zerocopy.testkit.Payloads.of(48 * 1024, 30);
        int[] pipe = new int[2];
        assertEquals(0, sys.pipe2(pipe, 0));
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            in.client.write(ByteBuffer.wrap(payload)); // within the pipe's 64 KiB
            int src = ChannelDescriptors.open(sys, in.accepted);
            int dst = ChannelDescriptors.open(sys, out.client);
            try (IoUring ring = IoUring.open(sys, 8)) {
                int moved = 0;
                while (moved < payload.length) {
                    assertTrue(ring.splice(src, -1, pipe[1], -1, payload.length - moved, 0, 1));
                    ring.submit();
                    long[] in1 = reap(ring, 1).get(0);
                    assertEquals(1, in1[0]);
                    assertTrue(in1[1] > 0, "socket to pipe: " + in1[1]);
                    int left = (int) in1[1];
                    while (left > 0) {
                        assertTrue(ring.splice(pipe[0], -1, dst, -1, left, 0, 2));
                        ring.submit();
                        long[] out1 = reap(ring, 1).get(0);
                        assertEquals(2, out1[0]);
                        assertTrue(out1[1] > 0, "pipe to socket: " + out1[1]);
                        left -= (int) out1[1];
                    }
                    moved += (int) in1[1];
                }
            } finally {
                ChannelDescriptors.release(sys, in.accepted, src);
                ChannelDescriptors.release(sys, out.client, dst);
            }
            out.client.shutdownOutput();
            io.zerocopy.testkit.Payloads.assertSameBytes(payload, io.zerocopy.testkit.AsyncChecks.readAll(out.accepted), "spliced");
        } finally {
            sys.close(pipe[0]);
            sys.close(pipe[1]);
        }
    }

    /**
     * The ordering code under load: 1,000,000 NOPs through an 8-entry ring in batches of random
     * size (the SQ and CQ indexes wrap 125,000 times), every third batch submitted before the
     * previous ones were reaped so that the 16-entry CQ overflows into the kernel's backlog;
     * every user_data must come back exactly once. On x86-64 this catches logic and compiler
     * reordering, not hardware reordering (which x86 does not do for these accesses).
     */
    @Test
    void everyUserDataComesBackExactlyOnceThroughWrapAroundAndOverflow() throws IOException {
        int total = 1_000_000;
        BitSet seen = new BitSet(total);
        int[] duplicates = {0};
        int[] reaped = {0};
        IoUring.Completion check = (u, res, flags) -> {
            assertEquals(0, res);
            if (seen.get((int) u)) {
                duplicates[0]++;
            }
            seen.set((int) u);
            reaped[0]++;
        };
        SplittableRandom random = new SplittableRandom(16);
        boolean overflowSeen = false;
        try (IoUring ring = IoUring.open(sys, 8)) {
            int next = 0;
            int batch = 0;
            while (next < total) {
                int n = Math.min(total - next, 1 + random.nextInt(8));
                for (int k = 0; k < n; k++) {
                    assertTrue(ring.nop(next++));
                }
                while (ring.unsubmitted() > 0) {
                    if (ring.submit() == 0) {
                        ring.reap(check); // the kernel asks for room first (EBUSY)
                    }
                }
                if (++batch % 3 != 0) {
                    continue; // leave these completions for later
                }
                overflowSeen |= ring.overflowed();
                while (reaped[0] < next) {
                    if (ring.reap(check) == 0) {
                        ring.await(100); // also flushes the kernel's overflow backlog
                    }
                }
            }
            while (reaped[0] < next) {
                if (ring.reap(check) == 0) {
                    ring.await(100);
                }
            }
        }
        assertEquals(0, duplicates[0]);
        assertEquals(total, seen.cardinality());
        assertEquals(total, reaped[0]);
        assertTrue(overflowSeen, "3 batches of up to 8 into a 16-entry CQ overflow at times");
    }

    @Test
    void setupFallsBackToFewerFlagsWhenTheKernelRefusesOne() throws IOException {
        FaultySyscalls einvalOnce = new FaultySyscalls(Errno.Syscall.IO_URING_SETUP, Errno.EINVAL).times(1);
        try (IoUring ring = IoUring.open(einvalOnce, 8)) {
            assertEquals(IoUring.SETUP_FLAGS[1], ring.setupFlags());
            assertTrue(ring.nop(1));
            ring.submit();
            reap(ring, 1);
        }
        assertEquals(2, einvalOnce.calls());
        NativeIOException e = assertThrows(NativeIOException.class,
                () -> IoUring.open(new FaultySyscalls(Errno.Syscall.IO_URING_SETUP, Errno.EINVAL), 8));
        assertEquals(Errno.EINVAL, e.errno(), "every flag set refused: the last errno");
    }

    @Test
    void probeServesHereAndIsDeniedByTheProperty() {
        assertNull(IoUringProbe.probe(sys, null));
        assertNull(IoUringProbe.probe(sys, "true"));

        Throwable denied = IoUringProbe.probe(sys, "deny");
        NativeIOException e = assertInstanceOf(NativeIOException.class, denied);
        assertEquals(Errno.EPERM, e.errno());
        assertEquals("io_uring_setup", e.syscall());
        assertTrue(e.getMessage().contains("-Dio.zerocopy.linux.ioUring=deny"), e.getMessage());
        assertTrue(IoUringProbe.expected(denied), "a denial is expected, logged at DEBUG");

        Throwable off = IoUringProbe.probe(sys, "false");
        assertInstanceOf(UnsupportedOperationException.class, off);
        assertTrue(off.getMessage().contains("-D" + Linux.IO_URING_PROPERTY + "=false"), off.getMessage());

        assertInstanceOf(IllegalArgumentException.class, IoUringProbe.probe(sys, "maybe"));
        assertFalse(IoUringProbe.expected(IoUringProbe.probe(sys, "maybe")));
    }

    @Test
    void deniedErrnosMakeIoUringUnavailableWithTheirCause() {
        for (int errno : new int[] {Errno.EPERM, Errno.ENOSYS, Errno.EACCES}) {
            Throwable cause = IoUringProbe.probe(new FaultySyscalls(Errno.Syscall.IO_URING_SETUP, errno), null);
            assertEquals(errno, assertInstanceOf(NativeIOException.class, cause).errno());
            assertTrue(IoUringProbe.expected(cause), cause.toString());
        }
        Throwable unexpected = IoUringProbe.probe(new FaultySyscalls(Errno.Syscall.IO_URING_ENTER, Errno.EFAULT), null);
        assertEquals(Errno.EFAULT, assertInstanceOf(NativeIOException.class, unexpected).errno());
        assertFalse(IoUringProbe.expected(unexpected), "a failing enter is not a denial: WARNING");
    }

    @Test
    void thePublicAnswerIsTheProbesAndMentionsNoCauseWhenAvailable() {
        assertTrue(Linux.ioUringAvailable());
        assertNull(Linux.ioUringUnavailabilityCause());
        assertEquals(SendZcStrategy.NAME, Linux.sendZc().name());
    }

    @Test
    void ringsLeaveNoDescriptorOrMappingBehind() throws IOException {
        try (IoUring warm = IoUring.open(sys, 8)) {
            assertNotEquals(-1, warm.fd());
        }
        Descriptors.Snapshot before = Descriptors.snapshot();
        long maps = mappings();
        for (int i = 0; i < 1000; i++) {
            try (IoUring ring = IoUring.open(sys, 8)) {
                assertTrue(ring.nop(i));
                ring.submit();
                reap(ring, 1);
            }
        }
        before.assertOpened(0, "after 1000 rings opened and closed");
        long after = mappings();
        assertTrue(after <= maps + 4, "memory mappings before " + maps + ", after " + after);
    }

    static long mappings() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.count();
        }
    }
}

package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.payload;
import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.TransferTimeoutException;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.StalledTransfer;

/**
 * File to a blocking socket whose reader stops, through each native strategy: an idle timeout,
 * an interrupt and a close from another thread each end the transfer within a bound on every
 * JDK, and the count is exact (for a close, a lower bound) against what the peer then reads.
 */
class FileToSocketCancellationTest {

    private static final int SIZE = 64 << 20;
    /** The point is that the call ends; generous on a loaded 2-core machine. */
    private static final long LATEST_MILLIS = 1_000;

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sendfile", "splice"})
    void anIdleTimeoutGivesTheExactCountAndLeavesTheSocketOpen(String strategy) throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        TransferEngine engine = ZeroCopy.builder().threshold(0).strategies(strategy)
                .idleTimeout(Duration.ofMillis(300)).build();
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            TransferTimeoutException e = assertThrows(TransferTimeoutException.class,
                    () -> engine.transfer(in, 0, data.length, c.client));
            assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
            assertEquals(strategy, e.strategy());
            assertTrue(c.client.isOpen() && c.client.isBlocking(), "the socket is the caller's again, blocking");
            c.client.close();
            byte[] got = Endpoints.drain(c.accepted);
            assertEquals(got.length, e.bytesDelivered(), "bytesDelivered() is what the peer received");
            assertSameBytes(Arrays.copyOf(data, got.length), got, "the prefix");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sendfile", "splice"})
    void anInterruptGivesTheExactCount(String strategy) throws Exception {
        TransferException e = stallThen(strategy, (stalled, c) -> stalled.interrupt());
        assertInstanceOf(ClosedByInterruptException.class, e.getCause());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sendfile", "splice"})
    void aCloseFromAnotherThreadEndsTheTransfer(String strategy) throws Exception {
        TransferException e = stallThen(strategy, (stalled, c) -> {
            stalled.cancelling();
            c.client.close();
        });
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
    }

    /** What the test thread does to the stalled transfer. */
    interface Cancel {
        void act(StalledTransfer stalled, Loopback.Connection c) throws Exception;
    }

    /**
     * Stalls a transfer on a reader that never reads, cancels it, then checks that it ended in
     * time and what it reports against what the peer reads afterwards: the native strategies
     * count only bytes the socket accepted, so even after a close the count is exact.
     */
    private TransferException stallThen(String strategy, Cancel cancel) throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        TransferEngine engine = ZeroCopy.builder().threshold(0).strategies(strategy).build();
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            StalledTransfer stalled = StalledTransfer.start(() -> engine.transfer(in, 0, data.length, c.client));
            cancel.act(stalled, c);
            TransferException e = stalled.failsWithin(LATEST_MILLIS, strategy);
            assertEquals(strategy, e.strategy());
            assertFalse(c.client.isOpen(), "an interrupt or a close leaves the socket closed");
            byte[] got = Endpoints.drain(c.accepted);
            assertTrue(got.length > 0, "the peer got the first bytes");
            assertEquals(got.length, e.bytesDelivered(), "bytesDelivered() is what the peer received");
            assertSameBytes(Arrays.copyOf(data, got.length), got, "the prefix");
            return e;
        }
    }
}

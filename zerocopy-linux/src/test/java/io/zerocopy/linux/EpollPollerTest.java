package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The readiness poller on platform threads: an armed descriptor that becomes ready unparks its
 * waiter; {@code forget} before close leaves no registration, and closing a duplicate without
 * it does leave one (why sessions forget first); close stops the poller thread.
 */
class EpollPollerTest {

    private static final String NAME = "zerocopy-linux-poller-test";

    private final Syscalls sys = Native.syscalls();
    private final ByteBuffer event = ChannelDescriptors.scratch(Native.EPOLL_EVENT_SIZE);
    private EpollPoller poller;
    private Pipe pipe;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @BeforeEach
    void start() throws Exception {
        poller = EpollPoller.start(sys, NAME);
        pipe = Pipe.open();
    }

    @AfterEach
    void stop() throws Exception {
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            poller.close();
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(NAME)),
                "the poller thread ended");
    }

    @Test
    void readinessUnparksTheArmedThread() throws Exception {
        int fd = ChannelDescriptors.dup(sys, pipe.source());
        try {
            AtomicLong parkedNanos = new AtomicLong(-1);
            Thread waiter = new Thread(() -> {
                try {
                    poller.arm(fd, Native.EPOLLIN, event, ChannelDescriptors.address(event), false);
                    long start = System.nanoTime();
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(30));
                    parkedNanos.set(System.nanoTime() - start);
                    poller.disarm(fd);
                } catch (NativeIOException e) {
                    throw new AssertionError(e);
                }
            }, "waiter");
            waiter.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(List.of(fd), Fixtures.epollTargets(poller.epollFd()));
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            waiter.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(waiter.isAlive(), "the waiter was unparked");
            assertTrue(parkedNanos.get() < TimeUnit.SECONDS.toNanos(10), "parked " + parkedNanos + " ns");
            poller.forget(fd);
            assertEquals(List.of(), Fixtures.epollTargets(poller.epollFd()));
        } finally {
            sys.close(fd);
        }
    }

    @Test
    void forgetBeforeCloseLeavesNoRegistrationBehind() throws Exception {
        int fd = ChannelDescriptors.dup(sys, pipe.source());
        poller.arm(fd, Native.EPOLLIN, event, ChannelDescriptors.address(event), false);
        poller.disarm(fd);
        poller.arm(fd, Native.EPOLLIN, event, ChannelDescriptors.address(event), true); // MOD re-arms
        poller.disarm(fd);
        poller.forget(fd);
        poller.forget(fd); // ENOENT: nothing left to do
        assertEquals(0, sys.close(fd));
        assertEquals(List.of(), Fixtures.epollTargets(poller.epollFd()));

        int dup = ChannelDescriptors.dup(sys, pipe.source());
        poller.arm(dup, Native.EPOLLIN, event, ChannelDescriptors.address(event), true); // ENOENT on MOD: ADD
        poller.disarm(dup);
        assertEquals(0, sys.close(dup));
        assertEquals(List.of(dup), Fixtures.epollTargets(poller.epollFd()),
                "closing a duplicate does not unregister it while the channel keeps the file open");
        pipe.source().close();
        assertEquals(List.of(), Fixtures.epollTargets(poller.epollFd()), "gone with the last descriptor of the file");
    }
}

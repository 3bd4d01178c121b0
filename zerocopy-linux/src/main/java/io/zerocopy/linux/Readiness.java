package io.zerocopy.linux;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.zerocopy.internal.Waiter;

/**
 * One session's readiness wait on its {@code pollfd} entries: the {@link Waiter.Poll} a
 * {@link NativeSession} waits through. Internal: not API.
 *
 * <p>A platform thread waits in poll(2) with the timeout: blocked, it costs no CPU. A virtual
 * thread must never block its carrier in a native call: it polls with timeout 0, and if nothing
 * is ready {@link EpollPoller#arm arms} the shared poller for every entry and parks for the
 * timeout at most, then polls with timeout 0 again to answer. A spurious wake-up only makes the
 * caller retry its call. If epoll is unusable ({@link EpollPoller#shared()} null), a virtual
 * thread waits as a platform thread does.
 *
 * <p>Every descriptor armed stays in the poller's epoll set until {@link #close()}, which the
 * session calls before it closes its descriptors or returns its pipes to their pool. Not
 * thread-safe: one per session; a platform thread's wait allocates nothing.
 */
final class Readiness implements Waiter.Poll {

    /** {@code Thread.isVirtual()}, JDK 19+; null on JDK 17, which has no virtual threads. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private final Syscalls sys;
    private final ByteBuffer scratch;
    /** Native address of {@code scratch}'s element 0. */
    private final long scratchAddress;
    private final int pollfds;
    private final int eventSlot;
    private int count;
    /** Set on the first arm: a view of the session's scratch at {@code eventSlot}. */
    private ByteBuffer event;
    private EpollPoller poller;
    /** Descriptors armed, to forget on close. */
    private int[] armed = new int[0];
    private int armedCount;

    /**
     * @param sys the binding
     * @param scratch the session's native scratch memory
     * @param pollfds offset in {@code scratch} of the {@code pollfd} entries
     * @param eventSlot offset in {@code scratch} of {@link Native#EPOLL_EVENT_SIZE} bytes free during a wait
     */
    Readiness(Syscalls sys, ByteBuffer scratch, int pollfds, int eventSlot) {
        this.sys = sys;
        this.scratch = scratch;
        this.scratchAddress = ChannelDescriptors.address(scratch);
        this.pollfds = pollfds;
        this.eventSlot = eventSlot;
    }

    /** @return this, waiting on the first {@code entries} {@code pollfd} entries */
    Readiness entries(int entries) {
        this.count = entries;
        return this;
    }

    @Override
    public boolean poll(int timeoutMillis) throws IOException {
        EpollPoller p = isVirtual(Thread.currentThread()) ? EpollPoller.shared() : null;
        if (p == null) {
            return pollNow(timeoutMillis);
        }
        if (pollNow(0)) {
            return true;
        }
        if (event == null) {
            event = scratch.slice(eventSlot, Native.EPOLL_EVENT_SIZE).order(ByteOrder.nativeOrder());
            poller = p;
        }
        try {
            for (int k = 0; k < count; k++) {
                int at = pollfds + Native.POLLFD_SIZE * k;
                int fd = scratch.getInt(at);
                p.arm(fd, scratch.getShort(at + 4), event, scratchAddress + eventSlot, !remember(fd));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        } finally {
            for (int k = 0; k < count; k++) {
                p.disarm(scratch.getInt(pollfds + Native.POLLFD_SIZE * k));
            }
        }
        return pollNow(0);
    }

    /** @return true if {@code fd} was not armed by this session before (it is remembered now) */
    private boolean remember(int fd) {
        for (int k = 0; k < armedCount; k++) {
            if (armed[k] == fd) {
                return false;
            }
        }
        if (armedCount == armed.length) {
            armed = Arrays.copyOf(armed, Math.max(4, 2 * armedCount));
        }
        armed[armedCount++] = fd;
        return true;
    }

    /**
     * poll(2) on the entries with this timeout, on any thread (a virtual thread's carrier is
     * held for the timeout: 0 there).
     *
     * @return true if an entry is ready, or in error or hung up
     * @throws NativeIOException if poll(2) fails
     */
    boolean pollNow(int timeoutMillis) throws NativeIOException {
        int r = sys.poll(scratchAddress + pollfds, count, timeoutMillis);
        if (r >= 0) {
            return r > 0; // ready, or POLLERR/POLLHUP: the next call reports it
        }
        if (Errno.action(Errno.Syscall.POLL, -r, false) == Errno.Action.RETRY) {
            return false;
        }
        throw Errno.exception(Errno.Syscall.POLL, -r);
    }

    /**
     * Removes every descriptor this session armed from the poller's epoll set; they must all
     * still be open. Each is tried; the first failure is thrown, later ones suppressed.
     *
     * @throws NativeIOException if epoll_ctl fails
     */
    void close() throws NativeIOException {
        NativeIOException failure = null;
        for (int k = 0; k < armedCount; k++) {
            try {
                poller.forget(armed[k]);
            } catch (NativeIOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        armedCount = 0;
        if (failure != null) {
            throw failure;
        }
    }

    /** @return whether {@code t} is a virtual thread (never on JDK 17) */
    static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            throw new AssertionError("Thread.isVirtual() failed", e);
        }
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}

package io.zerocopy.linux;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * How a virtual thread waits on a descriptor without holding its carrier, as the JDK's
 * {@code sun.nio.ch.Poller} does: one epoll instance and one daemon platform thread blocked in
 * {@code epoll_wait(-1)}. A waiter {@link #arm arms} a one-shot interest in each descriptor it
 * waits on, which maps the descriptor to its thread, parks, and {@link #disarm disarms}; the
 * poller thread unparks the thread mapped to each descriptor the kernel reports ready.
 * Internal: not API.
 *
 * <p>Registrations are {@code EPOLLONESHOT}: one fires once, then stays in the epoll set,
 * disabled, until the next arm ({@code EPOLL_CTL_MOD}; {@code ADD} the first time). A
 * registration outlives the close of its descriptor while the open file description lives on,
 * and this module's descriptors are duplicates sharing it with a channel: so whoever arms a
 * descriptor {@link #forget}s it ({@code EPOLL_CTL_DEL}) before closing it or handing it on
 * (a pooled pipe). A descriptor is waited on by one thread at a time (a session owns its
 * descriptors and leased pipes). An event that finds no waiter is dropped; one that finds a
 * waiter which has moved on is a spurious unpark: waiters check readiness again after parking.
 *
 * <p>{@link #shared()} starts the one instance on first use; if epoll is unusable it is null,
 * the cause logged once, and waits keep blocking in poll(2).
 */
final class EpollPoller implements Closeable {

    static final String THREAD_NAME = "zerocopy-linux-poller";
    private static final int MAX_EVENTS = 64;

    private final Syscalls sys;
    private final int epfd;
    /** Descriptor → the thread waiting for it. */
    private final ConcurrentHashMap<Integer, Thread> waiters = new ConcurrentHashMap<>();
    /** The poller thread's {@code struct epoll_event} array; no other thread touches it. */
    private final ByteBuffer events = ChannelDescriptors.scratch(MAX_EVENTS * Native.EPOLL_EVENT_SIZE);
    private final Thread thread;
    private volatile boolean closed;

    private EpollPoller(Syscalls sys, int epfd, String name) {
        this.sys = sys;
        this.epfd = epfd;
        this.thread = new Thread(null, this::run, name, 0, false);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param sys the binding
     * @param name the poller thread's name
     * @return a started poller, owned by the caller (see {@link #close()})
     * @throws NativeIOException if epoll_create1 fails
     */
    static EpollPoller start(Syscalls sys, String name) throws NativeIOException {
        int epfd;
        while ((epfd = sys.epollCreate1(Native.O_CLOEXEC)) < 0) {
            if (Errno.action(Errno.Syscall.EPOLL_CREATE1, -epfd, false) != Errno.Action.RETRY) {
                throw Errno.exception(Errno.Syscall.EPOLL_CREATE1, -epfd);
            }
        }
        return new EpollPoller(sys, epfd, name);
    }

    /** @return the process's poller, started on first call; null if epoll is unusable (logged once) */
    static EpollPoller shared() {
        return Shared.POLLER;
    }

    /** @return the epoll descriptor (for tests) */
    int epollFd() {
        return epfd;
    }

    /**
     * Maps {@code fd} to the current thread and arms a one-shot interest in it; the thread then
     * parks, and {@link #disarm}s once it stops waiting.
     *
     * @param fd a descriptor this thread waits on (not a regular file: poll(2) reports those ready)
     * @param interest {@link Native#EPOLLIN} and/or {@link Native#EPOLLOUT}
     * @param event a native-order direct buffer of {@link Native#EPOLL_EVENT_SIZE} bytes the call may use
     * @param eventAddress its native address
     * @param registered whether {@code fd} may already be in the epoll set (armed before, not forgotten)
     * @throws NativeIOException if epoll_ctl fails
     */
    void arm(int fd, int interest, ByteBuffer event, long eventAddress, boolean registered) throws NativeIOException {
        waiters.put(fd, Thread.currentThread());
        event.putInt(0, interest | Native.EPOLLONESHOT);
        event.putLong(Native.EPOLL_DATA_OFFSET, fd);
        int op = registered ? Native.EPOLL_CTL_MOD : Native.EPOLL_CTL_ADD;
        int r = ctl(op, fd, eventAddress);
        if (r < 0 && Errno.action(Errno.Syscall.EPOLL_CTL, -r, false) == Errno.Action.SWITCH_OP) {
            r = ctl(op == Native.EPOLL_CTL_ADD ? Native.EPOLL_CTL_MOD : Native.EPOLL_CTL_ADD, fd, eventAddress);
        }
        if (r < 0) {
            disarm(fd);
            throw Errno.exception(Errno.Syscall.EPOLL_CTL, -r);
        }
    }

    /** The current thread no longer waits for {@code fd}; its registration stays, disabled once fired. */
    void disarm(int fd) {
        waiters.remove(fd, Thread.currentThread());
    }

    /**
     * Removes {@code fd} from the epoll set; call it before closing {@code fd} or handing it on.
     *
     * @param fd a descriptor armed before (absent is fine)
     * @throws NativeIOException if epoll_ctl fails otherwise
     */
    void forget(int fd) throws NativeIOException {
        int r = ctl(Native.EPOLL_CTL_DEL, fd, 0);
        if (r < 0 && Errno.action(Errno.Syscall.EPOLL_CTL, -r, false) != Errno.Action.SWITCH_OP) {
            throw Errno.exception(Errno.Syscall.EPOLL_CTL, -r);
        }
    }

    /** @return 0, or -errno of a failure not to retry */
    private int ctl(int op, int fd, long event) {
        int r;
        do {
            r = sys.epollCtl(epfd, op, fd, event);
        } while (r < 0 && Errno.action(Errno.Syscall.EPOLL_CTL, -r, false) == Errno.Action.RETRY);
        return r;
    }

    private void run() {
        long base = ChannelDescriptors.address(events);
        while (!closed) {
            int r = sys.epollWait(epfd, base, MAX_EVENTS, -1);
            if (r < 0 && Errno.action(Errno.Syscall.EPOLL_WAIT, -r, false) != Errno.Action.RETRY) {
                // Waiters still wake when their park times out: at most one Waiter slice late.
                log(Level.WARNING, "zerocopy-linux: poller stopped: " + Errno.exception(Errno.Syscall.EPOLL_WAIT, -r));
                return;
            }
            for (int i = 0; i < r; i++) {
                Thread waiter = waiters.get((int) events.getLong(i * Native.EPOLL_EVENT_SIZE + Native.EPOLL_DATA_OFFSET));
                if (waiter != null) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }

    /**
     * Stops the poller thread (woken by a pipe's write end, always ready) and closes the epoll
     * descriptor. The shared poller is never closed.
     *
     * @throws IOException if waking the thread fails, or the wait for it is interrupted
     */
    @Override
    public void close() throws IOException {
        closed = true;
        int[] wake = new int[2];
        int r = sys.pipe2(wake, Native.O_CLOEXEC);
        if (r < 0) {
            throw Errno.exception(Errno.Syscall.PIPE2, -r);
        }
        try {
            ByteBuffer event = ChannelDescriptors.scratch(Native.EPOLL_EVENT_SIZE);
            event.putInt(0, Native.EPOLLOUT);
            event.putLong(Native.EPOLL_DATA_OFFSET, -1);
            r = ctl(Native.EPOLL_CTL_ADD, wake[1], ChannelDescriptors.address(event));
            if (r < 0) {
                throw Errno.exception(Errno.Syscall.EPOLL_CTL, -r);
            }
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping " + thread.getName());
        } finally {
            sys.close(wake[0]);
            sys.close(wake[1]);
            sys.close(epfd);
        }
    }

    private static void log(Level level, String message) {
        System.getLogger(EpollPoller.class.getPackageName()).log(level, message);
    }

    @Override
    public String toString() {
        return "EpollPoller[" + thread.getName() + ", epoll fd " + epfd + ", " + waiters.size() + " waiting]";
    }

    /** The shared poller, started when a virtual thread first waits. */
    private static final class Shared {

        static final EpollPoller POLLER;

        static {
            EpollPoller poller = null;
            Throwable cause = Native.epollUnavailabilityCause();
            if (cause == null) {
                try {
                    poller = start(Native.syscalls(), THREAD_NAME);
                } catch (IOException | RuntimeException e) {
                    cause = e;
                }
            }
            POLLER = poller;
            if (cause != null) {
                log(Level.WARNING, "zerocopy-linux: epoll unusable, so a virtual thread waiting on a descriptor"
                        + " blocks its carrier in poll(2): " + cause);
            }
        }
    }
}

package io.zerocopy.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import io.zerocopy.Transfer;
import jnr.ffi.Pointer;

/**
 * What both native strategies do around their system calls: take descriptors from channels,
 * wait for readiness with poll(2), and honour NIO's interrupt and asynchronous-close contracts.
 * Internal: not API.
 */
final class Endpoints {

    /** poll(2) timeout: how often a waiting transfer looks at interrupts and closed channels. */
    static final int POLL_MILLIS = 100;
    /** Back-off when poll reports ready but the call keeps saying EAGAIN. */
    private static final long SPIN_PARK_NANOS = 1_000_000;

    private Endpoints() { }

    /**
     * Selectable channels in transfer: how many transfers use each, and whether the first one
     * set O_NONBLOCK (which the last one then clears). Keyed by identity (JDK channels do not
     * override equals).
     */
    private static final ConcurrentHashMap<Channel, int[]> NON_BLOCKING = new ConcurrentHashMap<>();

    /**
     * Duplicates a channel's descriptor for a transfer. For a selectable channel it also puts
     * the open file description (shared with the channel) in non-blocking mode until
     * {@link #release}: splice(2) and poll(2) then never block where an interrupt or a close
     * could not wake the thread. The JDK's blocking channels tolerate this meanwhile (they retry
     * EAGAIN with poll, as they do for virtual threads).
     *
     * @param channel the channel
     * @return a descriptor the caller passes to {@link #release}, or -1 if the channel has none
     * @throws IOException if the channel is closed or the descriptor cannot be prepared
     */
    static int open(Channel channel) throws IOException {
        int fd = ChannelDescriptors.dup(channel);
        if (fd >= 0 && channel instanceof SelectableChannel) {
            try {
                NON_BLOCKING.compute(channel, (ch, users) -> {
                    if (users != null) {
                        users[0]++;
                        return users;
                    }
                    int flags = fcntl(fd, Native.F_GETFL, 0);
                    if ((flags & Native.O_NONBLOCK) == 0) {
                        fcntl(fd, Native.F_SETFL, flags | Native.O_NONBLOCK);
                        return new int[] {1, 1};
                    }
                    return new int[] {1, 0};
                });
            } catch (UncheckedIOException e) {
                close(fd, e.getCause());
                throw e.getCause();
            }
        }
        return fd;
    }

    /**
     * Ends a transfer's use of a descriptor from {@link #open}: the last transfer on a channel
     * clears the O_NONBLOCK the first one set, unless the channel has meanwhile become
     * non-blocking (its mode, or the JDK's for virtual threads), then the descriptor is closed.
     * A failure is added to {@code primary} if there is one.
     *
     * @param channel the channel
     * @param fd the descriptor, or -1 (nothing to do)
     * @param primary the exception the transfer is throwing, or null
     * @throws IOException if restoring or closing fails and there is no primary exception
     */
    static void release(Channel channel, int fd, Throwable primary) throws IOException {
        if (fd < 0) {
            return;
        }
        IOException failure = null;
        if (channel instanceof SelectableChannel) {
            try {
                NON_BLOCKING.computeIfPresent(channel, (ch, users) -> {
                    if (--users[0] > 0) {
                        return users;
                    }
                    if (users[1] == 1 && ch.isOpen() && ((SelectableChannel) ch).isBlocking()
                            && !ChannelDescriptors.forcedNonBlocking(ch)) {
                        int flags = fcntl(fd, Native.F_GETFL, 0);
                        fcntl(fd, Native.F_SETFL, flags & ~Native.O_NONBLOCK);
                    }
                    return null;
                });
            } catch (UncheckedIOException e) {
                failure = e.getCause();
            }
        }
        if (Native.libc().close(fd) != 0 && failure == null) {
            failure = Errors.exception("close", Native.errno());
        }
        if (failure != null) {
            if (primary == null) {
                throw failure;
            }
            primary.addSuppressed(failure);
        }
    }

    /** @return channels currently in a transfer that may have set O_NONBLOCK (for tests) */
    static int channelsInTransfer() {
        return NON_BLOCKING.size();
    }

    private static int fcntl(int fd, int cmd, int arg) {
        int r = Native.libc().fcntl(fd, cmd, arg);
        if (r < 0) {
            throw new UncheckedIOException(Errors.exception("fcntl", Native.errno()));
        }
        return r;
    }

    /**
     * @param file a file target
     * @return its channel position, or -1 if it has none (a FileChannel on a FIFO or tty)
     */
    static long targetPosition(java.nio.channels.FileChannel file) {
        try {
            return file.position();
        } catch (IOException e) {
            return -1;
        }
    }

    /** @return whether the descriptor's file was opened with O_APPEND (positional writes refused) */
    static boolean isAppend(int fd) throws IOException {
        int flags = Native.libc().fcntl(fd, Native.F_GETFL, 0);
        if (flags < 0) {
            throw Errors.exception("fcntl(F_GETFL)", Native.errno());
        }
        return (flags & Native.O_APPEND) != 0;
    }

    /**
     * Closes a descriptor this module owns; a failure is added to {@code primary} if there is
     * one (the descriptor is released by the kernel either way).
     */
    static void close(int fd, Throwable primary) {
        if (fd < 0) {
            return;
        }
        if (Native.libc().close(fd) != 0 && primary != null) {
            primary.addSuppressed(Errors.exception("close", Native.errno()));
        }
    }

    /**
     * Waits with poll(2) until {@code fd} is ready for {@code events}, looking every
     * {@value #POLL_MILLIS} ms at the thread's interrupt status and the channels.
     *
     * @param pollfd 8 bytes of native scratch memory
     * @param spins consecutive waits without progress; above 2, parks 1 ms before polling
     * @throws ClosedByInterruptException if interrupted (both channels are then closed)
     * @throws AsynchronousCloseException if either channel was closed by another thread
     */
    static void await(Pointer pollfd, int fd, short events, int spins, Transfer t) throws IOException {
        if (spins > 2) {
            LockSupport.parkNanos(SPIN_PARK_NANOS);
        }
        Native.LibC c = Native.libc();
        while (true) {
            checkLive(t);
            pollfd.putInt(0, fd);
            pollfd.putShort(4, events);
            pollfd.putShort(6, (short) 0);
            int r = c.poll(pollfd, 1, POLL_MILLIS);
            if (r > 0) {
                return; // ready, or POLLERR/POLLHUP: the retried call reports it
            }
            if (r < 0) {
                int errno = Native.errno();
                if (Errors.classify("poll", errno, false) != Errors.Action.RETRY) {
                    throw Errors.exception("poll", errno);
                }
            }
        }
    }

    /**
     * NIO's contract between calls: an interrupted thread closes the channels and throws
     * {@link ClosedByInterruptException}; a channel closed by another thread ends the transfer
     * with {@link AsynchronousCloseException}.
     */
    static void checkLive(Transfer t) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            ClosedByInterruptException e = new ClosedByInterruptException();
            closeChannel(t.source(), e);
            closeChannel(t.target(), e);
            throw e;
        }
        if (!t.source().isOpen() || !t.target().isOpen()) {
            throw new AsynchronousCloseException();
        }
    }

    private static void closeChannel(Channel ch, Throwable primary) {
        try {
            ch.close();
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}

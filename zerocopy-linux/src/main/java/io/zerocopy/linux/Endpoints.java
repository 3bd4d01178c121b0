package io.zerocopy.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import io.zerocopy.spi.Transfer;
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

    /** @return an ENGINE-scoped unsupported outcome if the native binding is unavailable, else null */
    static io.zerocopy.spi.Outcome unavailable() {
        return Native.libc() != null ? null : io.zerocopy.spi.Outcome.unsupported(io.zerocopy.spi.Outcome.Scope.ENGINE,
                "zerocopy-linux unavailable: " + Native.unavailabilityCause());
    }

    /** @return the TRANSFER-scoped outcome for a channel whose descriptor cannot be had */
    static io.zerocopy.spi.Outcome noDescriptor(Channel channel) {
        return io.zerocopy.spi.Outcome.unsupported(io.zerocopy.spi.Outcome.Scope.TRANSFER,
                "no descriptor for " + channel.getClass().getName());
    }

    /**
     * Sets a file target's channel position after the bytes delivered through an {@code loff_t},
     * if the channel is still open; a failure is added to {@code primary} if there is one.
     *
     * @throws IOException if setting fails and there is no primary exception
     */
    static void restorePosition(Channel file, long at, Throwable primary) throws IOException {
        try {
            if (file.isOpen()) {
                ((java.nio.channels.FileChannel) file).position(at);
            }
        } catch (IOException e) {
            if (primary == null) {
                throw e;
            }
            primary.addSuppressed(e);
        }
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
            backOff();
        }
        while (true) {
            checkLive(t);
            pollfd.putInt(0, fd);
            pollfd.putShort(4, events);
            pollfd.putShort(6, (short) 0);
            if (poll(pollfd, 1, POLL_MILLIS) > 0) {
                return; // ready, or POLLERR/POLLHUP: the retried call reports it
            }
        }
    }

    /**
     * One poll(2) call; EINTR counts as a timeout.
     *
     * @param pollfds {@code nfds} filled {@code struct pollfd}
     * @return descriptors ready (0 on timeout or EINTR)
     * @throws NativeIOException if poll fails otherwise
     */
    static int poll(Pointer pollfds, int nfds, int timeoutMillis) throws NativeIOException {
        int r = Native.libc().poll(pollfds, nfds, timeoutMillis);
        if (r < 0) {
            int errno = Native.errno();
            if (Errors.classify("poll", errno, false) != Errors.Action.RETRY) {
                throw Errors.exception("poll", errno);
            }
            return 0;
        }
        return r;
    }

    /** Parks briefly: poll said ready but the call keeps saying EAGAIN. */
    static void backOff() {
        LockSupport.parkNanos(SPIN_PARK_NANOS);
    }

    /**
     * NIO's contract between calls: an interrupted thread closes the channels and throws
     * {@link ClosedByInterruptException}; a channel closed by another thread ends the transfer
     * with {@link AsynchronousCloseException}.
     */
    static void checkLive(Transfer t) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(t.source(), t.target());
        }
        if (!t.source().isOpen() || !t.target().isOpen()) {
            throw new AsynchronousCloseException();
        }
    }

    /** @return the exception for an interrupted thread, after closing {@code a} and {@code b} (either may be null) */
    static ClosedByInterruptException interrupted(Channel a, Channel b) {
        ClosedByInterruptException e = new ClosedByInterruptException();
        closeChannel(a, e);
        closeChannel(b, e);
        return e;
    }

    /** Closes a channel, adding a failure to {@code primary}; null is ignored. */
    static void closeChannel(Channel ch, Throwable primary) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}

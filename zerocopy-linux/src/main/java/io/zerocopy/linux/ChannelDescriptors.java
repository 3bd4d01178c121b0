package io.zerocopy.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Descriptors of JDK channels: read without {@code --add-opens}, duplicated safely, put in
 * non-blocking mode for the length of a transfer; and the native address of a direct buffer.
 * Internal: not API.
 *
 * <p>How ({@link ChannelFields}, chosen once): method handles on {@code sun.nio.ch}
 * ({@link MethodHandleFields}) where {@code java.base} opens that package to this module
 * ({@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, or the manifest line
 * {@code Add-Opens: java.base/sun.nio.ch} of an executable jar); else {@code sun.misc.Unsafe}
 * ({@link UnsafeFields}) while the JDK allows it and {@value #UNSAFE_PROPERTY} is not
 * {@code false}. On JDK 24+ the Unsafe route prints the JDK's one-time warning; the opened
 * route prints nothing. A channel of any other class (another provider, a wrapper) has no
 * descriptor here and takes the portable path, as does every class if a future JDK renames
 * the fields; nothing fails.
 *
 * <p>Availability ({@link #unavailabilityCause()}) is decided once, when this class is
 * initialised, which never throws. When neither route works the cause names both: the option
 * that would open {@code sun.nio.ch}, and the exception Unsafe threw (module
 * {@code jdk.unsupported} absent, or {@code --sun-misc-unsafe-memory-access=deny}), kept as
 * the cause; no read is attempted mid-transfer, each route having read a descriptor once.
 *
 * <p>Close race: a raw descriptor number may be closed and reused by another thread at any
 * time. {@link #dup} duplicates it and then checks {@link Channel#isOpen()}: a channel is
 * marked closed before its descriptor is closed, so a channel still open after the dup proves
 * that the duplicate refers to the channel's own file. The caller owns and closes the duplicate.
 */
final class ChannelDescriptors {

    /**
     * System property: {@code false} never falls back to {@code sun.misc.Unsafe} (descriptors
     * are then read only where {@code sun.nio.ch} is open to this module).
     */
    static final String UNSAFE_PROPERTY = "io.zerocopy.linux.unsafe";
    private static final boolean UNSAFE_ALLOWED = !"false".equalsIgnoreCase(System.getProperty(UNSAFE_PROPERTY));

    /** How descriptors are read, or null. */
    private static final ChannelFields FIELDS;
    /** Why descriptors cannot be read, or null. */
    private static final Throwable CAUSE;

    static {
        ChannelFields fields = null;
        Throwable cause = null;
        try {
            fields = MethodHandleFields.open();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError opened) {
            if (!UNSAFE_ALLOWED) {
                cause = new IllegalStateException("channel descriptors unreadable: " + opened.getMessage()
                        + "; sun.misc.Unsafe not tried (-D" + UNSAFE_PROPERTY + "=false)", opened);
            } else {
                UnsafeFields unsafe;
                try {
                    unsafe = UnsafeFields.of(UnsafeMemory.open());
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    // NoClassDefFoundError for sun/misc/Unsafe where module jdk.unsupported is absent.
                    unsafe = UnsafeFields.unavailable(e);
                }
                if (unsafe.cause == null) {
                    fields = unsafe;
                } else {
                    cause = new IllegalStateException("channel descriptors unreadable: " + opened.getMessage()
                            + "; and through sun.misc.Unsafe: " + unsafe.cause, unsafe.cause);
                    cause.addSuppressed(opened);
                }
            }
        }
        FIELDS = fields;
        CAUSE = cause;
    }

    private ChannelDescriptors() { }

    /** @return why no descriptor can be read on this JVM, or null if descriptors are readable */
    static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /** @return how descriptors are read ({@code "method handles on sun.nio.ch"}, {@code "sun.misc.Unsafe"}), or {@code "none"} */
    static String route() {
        return FIELDS != null ? FIELDS.toString() : "none";
    }

    /**
     * Selectable channels in transfer: how many transfers use each, and whether the first one
     * set O_NONBLOCK (which the last one then clears). Keyed by identity (JDK channels do not
     * override equals).
     */
    private static final ConcurrentHashMap<Channel, int[]> NON_BLOCKING = new ConcurrentHashMap<>();

    /**
     * Duplicates a channel's descriptor ({@code F_DUPFD_CLOEXEC}).
     *
     * @param sys the binding
     * @param channel a channel
     * @return a new descriptor owned by the caller, who must close it; or -1 if this channel's
     *     class has no readable descriptor, or {@link Errno} says the dup falls back (EMFILE)
     * @throws ClosedChannelException if the channel is closed (or closes during the call)
     * @throws NativeIOException if the duplication fails otherwise
     */
    static int dup(Syscalls sys, Channel channel) throws IOException {
        int raw = raw(channel);
        if (raw == -2) {
            return -1;
        }
        if (raw < 0) {
            throw new ClosedChannelException();
        }
        int fd;
        while ((fd = sys.fcntl(raw, Native.F_DUPFD_CLOEXEC, 0)) < 0) {
            if (!channel.isOpen()) {
                throw new AsynchronousCloseException();
            }
            Errno.Action action = Errno.action(Errno.Syscall.FCNTL_DUP, -fd, true);
            if (action.isFallback()) {
                return -1;
            }
            if (action != Errno.Action.RETRY) {
                throw Errno.exception(Errno.Syscall.FCNTL_DUP, -fd);
            }
        }
        if (!channel.isOpen()) {
            sys.close(fd);
            throw new AsynchronousCloseException();
        }
        return fd;
    }

    /**
     * Duplicates a channel's descriptor for a transfer ({@link #dup}). For a selectable channel
     * it also puts the open file description (shared with the channel) in non-blocking mode
     * until {@link #release}: splice(2) and poll(2) then never block where an interrupt or a
     * close could not wake the thread. The JDK's blocking channels tolerate this meanwhile (they
     * retry EAGAIN with poll, as they do for virtual threads).
     *
     * @param sys the binding
     * @param channel the channel
     * @return a descriptor the caller passes to {@link #release}, or -1 if the channel has none
     * @throws IOException if the channel is closed or the descriptor cannot be prepared
     */
    static int open(Syscalls sys, Channel channel) throws IOException {
        int fd = dup(sys, channel);
        if (fd >= 0 && channel instanceof SelectableChannel) {
            try {
                NON_BLOCKING.compute(channel, (ch, users) -> {
                    if (users != null) {
                        users[0]++;
                        return users;
                    }
                    int flags = fcntl(sys, fd, Native.F_GETFL, 0);
                    if ((flags & Native.O_NONBLOCK) == 0) {
                        fcntl(sys, fd, Native.F_SETFL, flags | Native.O_NONBLOCK);
                        return new int[] {1, 1};
                    }
                    return new int[] {1, 0};
                });
            } catch (UncheckedIOException e) {
                sys.close(fd);
                throw e.getCause();
            }
        }
        return fd;
    }

    /**
     * Ends a transfer's use of a descriptor from {@link #open}: the last transfer on a channel
     * clears the O_NONBLOCK the first one set, unless the channel has meanwhile become
     * non-blocking (its mode, or the JDK's for virtual threads), then the descriptor is closed.
     *
     * @param sys the binding
     * @param channel the channel
     * @param fd the descriptor, or -1 (nothing to do)
     * @throws IOException if restoring or closing fails (the descriptor is closed either way)
     */
    static void release(Syscalls sys, Channel channel, int fd) throws IOException {
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
                    if (users[1] == 1 && ch.isOpen() && ((SelectableChannel) ch).isBlocking() && !forcedNonBlocking(ch)) {
                        int flags = fcntl(sys, fd, Native.F_GETFL, 0);
                        fcntl(sys, fd, Native.F_SETFL, flags & ~Native.O_NONBLOCK);
                    }
                    return null;
                });
            } catch (UncheckedIOException e) {
                failure = e.getCause();
            }
        }
        int r = sys.close(fd);
        if (r < 0) {
            NativeIOException e = Errno.exception(Errno.Syscall.CLOSE, -r);
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** @return channels currently in a transfer that may have set O_NONBLOCK (for tests) */
    static int channelsInTransfer() {
        return NON_BLOCKING.size();
    }

    /**
     * @param fd a descriptor
     * @return whether its file was opened with O_APPEND (positional writes refused)
     * @throws NativeIOException if F_GETFL fails
     */
    static boolean isAppend(Syscalls sys, int fd) throws NativeIOException {
        int flags;
        while ((flags = sys.fcntl(fd, Native.F_GETFL, 0)) < 0) {
            if (Errno.action(Errno.Syscall.FCNTL, -flags, true) != Errno.Action.RETRY) {
                throw Errno.exception(Errno.Syscall.FCNTL, -flags);
            }
        }
        return (flags & Native.O_APPEND) != 0;
    }

    private static int fcntl(Syscalls sys, int fd, int cmd, int arg) {
        int r;
        while ((r = sys.fcntl(fd, cmd, arg)) < 0) {
            if (Errno.action(Errno.Syscall.FCNTL, -r, true) != Errno.Action.RETRY) {
                throw new UncheckedIOException(Errno.exception(Errno.Syscall.FCNTL, -r));
            }
        }
        return r;
    }

    /** @return the raw descriptor number, -1 if closed, -2 if this class has none readable */
    static int raw(Channel channel) {
        ChannelFields f = FIELDS;
        return f == null ? -2 : f.raw(channel);
    }

    /**
     * @param channel a socket or pipe channel
     * @return true if the JDK has put the channel's descriptor in non-blocking mode for good
     *     (virtual threads, JDK 19+), so it must stay non-blocking
     */
    static boolean forcedNonBlocking(Channel channel) {
        ChannelFields f = FIELDS;
        return f != null && f.forcedNonBlocking(channel);
    }

    /**
     * @param direct a direct buffer
     * @return the native address of its element 0 (not of its position), or 0 if the binding
     *     is unavailable
     */
    static long address(ByteBuffer direct) {
        assert direct.isDirect();
        return Native.address(direct);
    }

    /**
     * @param bytes a size
     * @return zeroed native memory in the platform's byte order, for structures passed to the
     *     kernel by {@link #address}; valid while the buffer is reachable
     */
    static ByteBuffer scratch(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    /** @return whether {@link #dup} can give a descriptor for channels of this class */
    static boolean readable(Class<?> type) {
        ChannelFields f = FIELDS;
        return f != null && f.readable(type);
    }
}

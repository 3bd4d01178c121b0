package io.zerocopy.linux;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentHashMap;

import sun.misc.Unsafe;

/**
 * Descriptors of JDK channels: read without {@code --add-opens}, duplicated safely, put in
 * non-blocking mode for the length of a transfer; and the native address of a direct buffer.
 * Internal: not API.
 *
 * <p>How: {@code Class.getDeclaredField} is allowed on the non-exported {@code sun.nio.ch}
 * classes; {@code sun.misc.Unsafe} (exported by {@code jdk.unsupported}) reads the field at
 * {@code objectFieldOffset}. Fields read (identical on JDK 17 and 25):
 * {@code FileChannelImpl.fd} (a {@link FileDescriptor}) and then {@code FileDescriptor.fd};
 * {@code SocketChannelImpl.fdVal}, {@code SourceChannelImpl.fdVal}, {@code SinkChannelImpl.fdVal};
 * and, where present (JDK 19+), their {@code boolean forcedNonBlocking}.
 * A channel of any other class (another provider, a wrapper) has no descriptor here and takes
 * the portable path. If a future JDK renames a field, the affected channel class takes the
 * portable path; nothing fails.
 *
 * <p>On JDK 24+ the first use of an Unsafe memory-access method prints a one-time JDK warning.
 * Initialising this class first initialises the native binding, whose jffi backend uses
 * Unsafe itself, so this class never causes a warning of its own.
 *
 * <p>Close race: a raw descriptor number may be closed and reused by another thread at any
 * time. {@link #dup} duplicates it and then checks {@link Channel#isOpen()}: a channel is
 * marked closed before its descriptor is closed, so a channel still open after the dup proves
 * that the duplicate refers to the channel's own file. The caller owns and closes the duplicate.
 */
final class ChannelDescriptors {

    private static final Unsafe UNSAFE;
    private static final Class<?> FILE_CHANNEL;
    private static final Class<?> SOCKET_CHANNEL;
    private static final Class<?> SOURCE_CHANNEL;
    private static final Class<?> SINK_CHANNEL;
    private static final long FILE_CHANNEL_FD;
    private static final long FILE_DESCRIPTOR_FD;
    private static final long SOCKET_FD_VAL;
    private static final long SOURCE_FD_VAL;
    private static final long SINK_FD_VAL;
    private static final long SOCKET_FORCED;
    private static final long SOURCE_FORCED;
    private static final long SINK_FORCED;
    private static final long BUFFER_ADDRESS;
    private static final Throwable CAUSE;

    static {
        // The binding first: jffi's own Unsafe use then accounts for the JDK 24+ warning.
        Native.syscalls();
        Unsafe unsafe = null;
        Throwable cause = null;
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = (Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            cause = e;
        }
        UNSAFE = unsafe;
        FILE_DESCRIPTOR_FD = offset(FileDescriptor.class, "fd");
        FILE_CHANNEL = type("sun.nio.ch.FileChannelImpl");
        FILE_CHANNEL_FD = offset(FILE_CHANNEL, "fd", FileDescriptor.class);
        SOCKET_CHANNEL = type("sun.nio.ch.SocketChannelImpl");
        SOCKET_FD_VAL = offset(SOCKET_CHANNEL, "fdVal");
        SOURCE_CHANNEL = type("sun.nio.ch.SourceChannelImpl");
        SOURCE_FD_VAL = offset(SOURCE_CHANNEL, "fdVal");
        SINK_CHANNEL = type("sun.nio.ch.SinkChannelImpl");
        SINK_FD_VAL = offset(SINK_CHANNEL, "fdVal");
        // JDK 19+: set when a virtual thread made the descriptor non-blocking for good.
        SOCKET_FORCED = offset(SOCKET_CHANNEL, "forcedNonBlocking", boolean.class);
        SOURCE_FORCED = offset(SOURCE_CHANNEL, "forcedNonBlocking", boolean.class);
        SINK_FORCED = offset(SINK_CHANNEL, "forcedNonBlocking", boolean.class);
        BUFFER_ADDRESS = offset(java.nio.Buffer.class, "address", long.class);
        if (cause == null && FILE_DESCRIPTOR_FD < 0) {
            cause = new NoSuchFieldException("java.io.FileDescriptor.fd (int)");
        }
        if (cause == null && BUFFER_ADDRESS < 0) {
            cause = new NoSuchFieldException("java.nio.Buffer.address (long)");
        }
        CAUSE = cause;
    }

    private ChannelDescriptors() { }

    /** @return why no descriptor can be read on this JVM, or null if descriptors are readable */
    static Throwable unavailabilityCause() {
        return CAUSE;
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
        if (CAUSE != null) {
            return -2;
        }
        Class<?> type = channel.getClass();
        if (type == FILE_CHANNEL && FILE_CHANNEL_FD >= 0) {
            Object fd = UNSAFE.getObject(channel, FILE_CHANNEL_FD);
            return fd == null ? -1 : UNSAFE.getInt(fd, FILE_DESCRIPTOR_FD);
        }
        long offset = type == SOCKET_CHANNEL ? SOCKET_FD_VAL
                : type == SOURCE_CHANNEL ? SOURCE_FD_VAL
                : type == SINK_CHANNEL ? SINK_FD_VAL
                : -1;
        if (offset < 0) {
            return -2;
        }
        return channel.isOpen() ? UNSAFE.getInt(channel, offset) : -1;
    }

    /**
     * @param channel a socket or pipe channel
     * @return true if the JDK has put the channel's descriptor in non-blocking mode for good
     *     (virtual threads, JDK 19+), so it must stay non-blocking
     */
    static boolean forcedNonBlocking(Channel channel) {
        if (CAUSE != null) {
            return false;
        }
        Class<?> type = channel.getClass();
        long offset = type == SOCKET_CHANNEL ? SOCKET_FORCED
                : type == SOURCE_CHANNEL ? SOURCE_FORCED
                : type == SINK_CHANNEL ? SINK_FORCED
                : -1;
        return offset >= 0 && UNSAFE.getBooleanVolatile(channel, offset);
    }

    /**
     * @param direct a direct buffer
     * @return the native address of its element 0, or 0 if it cannot be read on this JVM
     */
    static long address(ByteBuffer direct) {
        assert direct.isDirect();
        return BUFFER_ADDRESS < 0 ? 0 : UNSAFE.getLong(direct, BUFFER_ADDRESS);
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
        return CAUSE == null && type != null
                && (type == FILE_CHANNEL && FILE_CHANNEL_FD >= 0
                    || type == SOCKET_CHANNEL && SOCKET_FD_VAL >= 0
                    || type == SOURCE_CHANNEL && SOURCE_FD_VAL >= 0
                    || type == SINK_CHANNEL && SINK_FD_VAL >= 0);
    }

    private static Class<?> type(String name) {
        try {
            return Class.forName(name, false, ClassLoader.getPlatformClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static long offset(Class<?> type, String field) {
        return offset(type, field, int.class);
    }

    /** @return the field's offset, or -1 if the class, the field or its expected type is missing */
    private static long offset(Class<?> type, String field, Class<?> fieldType) {
        if (UNSAFE == null || type == null) {
            return -1;
        }
        try {
            Field f = type.getDeclaredField(field);
            if (f.getType() != fieldType || java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                return -1;
            }
            return UNSAFE.objectFieldOffset(f);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }
}

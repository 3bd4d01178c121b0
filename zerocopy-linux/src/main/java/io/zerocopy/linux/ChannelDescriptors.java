package io.zerocopy.linux;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;

import sun.misc.Unsafe;

/**
 * Reads the file descriptor of a JDK channel without {@code --add-opens}, and duplicates it
 * safely. Internal: not API.
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
        Native.libc();
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
        CAUSE = cause;
    }

    private ChannelDescriptors() { }

    /** @return why no descriptor can be read on this JVM, or null if descriptors are readable */
    static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /**
     * Duplicates a channel's descriptor ({@code F_DUPFD_CLOEXEC}).
     *
     * @param channel a channel
     * @return a new descriptor owned by the caller, who must close it; or -1 if this channel's
     *     class has no readable descriptor, or the process is out of descriptors (EMFILE)
     * @throws ClosedChannelException if the channel is closed (or closes during the call)
     * @throws NativeIOException if the duplication fails otherwise
     */
    static int dup(Channel channel) throws IOException {
        int raw = raw(channel);
        if (raw == -2) {
            return -1;
        }
        if (raw < 0) {
            throw new ClosedChannelException();
        }
        Native.LibC c = Native.libc();
        int fd;
        while ((fd = c.fcntl(raw, Native.F_DUPFD_CLOEXEC, 0)) < 0) {
            int errno = Native.errno();
            if (!channel.isOpen()) {
                throw new AsynchronousCloseException();
            }
            Errors.Action action = Errors.classify("fcntl", errno, false);
            if (action == Errors.Action.FALLBACK) {
                return -1;
            }
            if (action != Errors.Action.RETRY) {
                throw Errors.exception("fcntl(F_DUPFD_CLOEXEC)", errno);
            }
        }
        if (!channel.isOpen()) {
            c.close(fd);
            throw new AsynchronousCloseException();
        }
        return fd;
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
    static long address(java.nio.ByteBuffer direct) {
        assert direct.isDirect();
        return BUFFER_ADDRESS < 0 ? 0 : UNSAFE.getLong(direct, BUFFER_ADDRESS);
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

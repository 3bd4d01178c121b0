package io.zerocopy.linux;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
 * <p>How: {@code Class.getDeclaredField} is allowed on the non-exported {@code sun.nio.ch}
 * classes; {@code sun.misc.Unsafe} (exported by {@code jdk.unsupported}; {@link UnsafeMemory})
 * reads the field at {@code objectFieldOffset}. Fields read (identical on JDK 17 and 25):
 * {@code FileChannelImpl.fd} (a {@link FileDescriptor}) and then {@code FileDescriptor.fd};
 * {@code SocketChannelImpl.fdVal}, {@code SourceChannelImpl.fdVal}, {@code SinkChannelImpl.fdVal};
 * and, where present (JDK 19+), their {@code boolean forcedNonBlocking}.
 * A channel of any other class (another provider, a wrapper) has no descriptor here and takes
 * the portable path. If a future JDK renames a field, the affected channel class takes the
 * portable path; nothing fails.
 *
 * <p>Availability ({@link #unavailabilityCause()}) is decided once, when this class is
 * initialised, which never throws. Where {@code jdk.unsupported} is absent, or Unsafe refuses
 * ({@code objectFieldOffset} or a read throwing, as {@code --sun-misc-unsafe-memory-access=deny}
 * makes every memory-access method do), the exception itself is the cause, and no read is
 * attempted mid-transfer: the {@link Layout} has read each kind of field once.
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

    /** Reads fields of objects at their offsets: {@link UnsafeMemory}, or a test's stand-in. */
    interface Memory {
        long objectFieldOffset(Field f);

        int getInt(Object o, long offset);

        long getLong(Object o, long offset);

        Object getObject(Object o, long offset);

        boolean getBooleanVolatile(Object o, long offset);
    }

    private static final Layout LAYOUT;

    static {
        // The binding first: jffi's own Unsafe use then accounts for the JDK 24+ warning.
        Native.syscalls();
        Layout layout;
        try {
            layout = Layout.of(UnsafeMemory.open());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // NoClassDefFoundError for sun/misc/Unsafe where module jdk.unsupported is absent.
            layout = Layout.unavailable(e);
        }
        LAYOUT = layout;
    }

    private ChannelDescriptors() { }

    /** @return why no descriptor can be read on this JVM, or null if descriptors are readable */
    static Throwable unavailabilityCause() {
        return LAYOUT.cause;
    }

    /**
     * Where the fields are, found once through a {@link Memory}; with a {@link #cause} if
     * descriptors cannot be read. Making it reads a descriptor and a buffer address once, so a
     * JDK that refuses reads is found here, not in a transfer.
     */
    static final class Layout {
        final Memory memory;
        final Class<?> fileChannel;
        final Class<?> socketChannel;
        final Class<?> sourceChannel;
        final Class<?> sinkChannel;
        final long fileChannelFd;
        final long fileDescriptorFd;
        final long socketFdVal;
        final long sourceFdVal;
        final long sinkFdVal;
        final long socketForced;
        final long sourceForced;
        final long sinkForced;
        final long bufferAddress;
        /** Why descriptors cannot be read, or null; the memory's own exception when it refused. */
        final Throwable cause;
        /** The first exception the memory threw while this layout was made. */
        private Throwable refused;

        private Layout(Throwable cause) {
            this.memory = null;
            this.fileChannel = null;
            this.socketChannel = null;
            this.sourceChannel = null;
            this.sinkChannel = null;
            this.fileChannelFd = -1;
            this.fileDescriptorFd = -1;
            this.socketFdVal = -1;
            this.sourceFdVal = -1;
            this.sinkFdVal = -1;
            this.socketForced = -1;
            this.sourceForced = -1;
            this.sinkForced = -1;
            this.bufferAddress = -1;
            this.cause = cause;
        }

        private Layout(Memory memory) {
            this.memory = memory;
            fileDescriptorFd = offset(FileDescriptor.class, "fd", int.class);
            fileChannel = type("sun.nio.ch.FileChannelImpl");
            fileChannelFd = offset(fileChannel, "fd", FileDescriptor.class);
            socketChannel = type("sun.nio.ch.SocketChannelImpl");
            socketFdVal = offset(socketChannel, "fdVal", int.class);
            sourceChannel = type("sun.nio.ch.SourceChannelImpl");
            sourceFdVal = offset(sourceChannel, "fdVal", int.class);
            sinkChannel = type("sun.nio.ch.SinkChannelImpl");
            sinkFdVal = offset(sinkChannel, "fdVal", int.class);
            // JDK 19+: set when a virtual thread made the descriptor non-blocking for good.
            socketForced = offset(socketChannel, "forcedNonBlocking", boolean.class);
            sourceForced = offset(sourceChannel, "forcedNonBlocking", boolean.class);
            sinkForced = offset(sinkChannel, "forcedNonBlocking", boolean.class);
            bufferAddress = offset(java.nio.Buffer.class, "address", long.class);
            Throwable why = refused;
            if (why == null && fileDescriptorFd < 0) {
                why = new NoSuchFieldException("java.io.FileDescriptor.fd (int)");
            }
            if (why == null && bufferAddress < 0) {
                why = new NoSuchFieldException("java.nio.Buffer.address (long)");
            }
            this.cause = why != null ? why : readOnce();
        }

        /**
         * @param memory how to read fields
         * @return the layout; its {@link #cause} is set if {@code memory} cannot read descriptors
         */
        static Layout of(Memory memory) {
            return new Layout(memory);
        }

        /**
         * @param cause why no memory to read fields with could be had
         * @return a layout that reads nothing
         */
        static Layout unavailable(Throwable cause) {
            return new Layout(cause);
        }

        /**
         * Reads descriptor 0 from {@code FileDescriptor.in} and a direct buffer's address (the
         * JDK allows or denies every Unsafe memory-access method alike).
         *
         * @return why that failed, or null
         */
        private Throwable readOnce() {
            try {
                int in = memory.getInt(FileDescriptor.in, fileDescriptorFd);
                if (in != 0) {
                    return new IllegalStateException("FileDescriptor.in reads as descriptor " + in + " through " + memory);
                }
                if (memory.getLong(ByteBuffer.allocateDirect(1), bufferAddress) == 0) {
                    return new IllegalStateException("a direct buffer's address reads as 0 through " + memory);
                }
                return null;
            } catch (RuntimeException | LinkageError e) {
                return e;
            }
        }

        /**
         * @return the field's offset; -1 if the class, the field or its expected type is
         *     missing, or if the memory throws (that exception is then kept as the cause)
         */
        private long offset(Class<?> type, String field, Class<?> fieldType) {
            if (type == null || refused != null) {
                return -1;
            }
            Field f;
            try {
                f = type.getDeclaredField(field);
            } catch (NoSuchFieldException | RuntimeException e) {
                return -1;
            }
            if (f.getType() != fieldType || Modifier.isStatic(f.getModifiers())) {
                return -1;
            }
            try {
                return memory.objectFieldOffset(f);
            } catch (RuntimeException | LinkageError e) {
                refused = e;
                return -1;
            }
        }

        private static Class<?> type(String name) {
            try {
                return Class.forName(name, false, ClassLoader.getPlatformClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }
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
        Layout l = LAYOUT;
        if (l.cause != null) {
            return -2;
        }
        Class<?> type = channel.getClass();
        if (type == l.fileChannel && l.fileChannelFd >= 0) {
            Object fd = l.memory.getObject(channel, l.fileChannelFd);
            return fd == null ? -1 : l.memory.getInt(fd, l.fileDescriptorFd);
        }
        long offset = type == l.socketChannel ? l.socketFdVal
                : type == l.sourceChannel ? l.sourceFdVal
                : type == l.sinkChannel ? l.sinkFdVal
                : -1;
        if (offset < 0) {
            return -2;
        }
        return channel.isOpen() ? l.memory.getInt(channel, offset) : -1;
    }

    /**
     * @param channel a socket or pipe channel
     * @return true if the JDK has put the channel's descriptor in non-blocking mode for good
     *     (virtual threads, JDK 19+), so it must stay non-blocking
     */
    static boolean forcedNonBlocking(Channel channel) {
        Layout l = LAYOUT;
        if (l.cause != null) {
            return false;
        }
        Class<?> type = channel.getClass();
        long offset = type == l.socketChannel ? l.socketForced
                : type == l.sourceChannel ? l.sourceForced
                : type == l.sinkChannel ? l.sinkForced
                : -1;
        return offset >= 0 && l.memory.getBooleanVolatile(channel, offset);
    }

    /**
     * @param direct a direct buffer
     * @return the native address of its element 0, or 0 if it cannot be read on this JVM
     */
    static long address(ByteBuffer direct) {
        assert direct.isDirect();
        Layout l = LAYOUT;
        return l.cause != null ? 0 : l.memory.getLong(direct, l.bufferAddress);
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
        Layout l = LAYOUT;
        return l.cause == null && type != null
                && (type == l.fileChannel && l.fileChannelFd >= 0
                    || type == l.socketChannel && l.socketFdVal >= 0
                    || type == l.sourceChannel && l.sourceFdVal >= 0
                    || type == l.sinkChannel && l.sinkFdVal >= 0);
    }
}

package io.zerocopy.linux;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.channels.Channel;

/**
 * {@link ChannelFields} through {@code sun.misc.Unsafe} ({@link UnsafeMemory}): the fallback
 * while the JDK allows it, where {@code sun.nio.ch} is not open to this module. Fields read
 * (identical on JDK 17 and 25): {@code FileChannelImpl.fd} (a {@link FileDescriptor}) and then
 * {@code FileDescriptor.fd}; {@code fdVal} and (JDK 19+) {@code forcedNonBlocking} of
 * {@code SocketChannelImpl}, {@code SourceChannelImpl} and {@code SinkChannelImpl}. On JDK 24+
 * the first read prints the JDK's one-time Unsafe warning; with
 * {@code --sun-misc-unsafe-memory-access=deny} every read throws, which {@link #of} finds and
 * keeps as the {@link #cause}. Internal: not API.
 */
final class UnsafeFields implements ChannelFields {

    /** Reads fields of objects at their offsets: {@link UnsafeMemory}, or a test's stand-in. */
    interface Memory {
        long objectFieldOffset(Field f);

        int getInt(Object o, long offset);

        Object getObject(Object o, long offset);

        boolean getBooleanVolatile(Object o, long offset);
    }

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
    /** Why descriptors cannot be read, or null; the memory's own exception when it refused. */
    final Throwable cause;
    /** The first exception the memory threw while this layout was made. */
    private Throwable refused;

    private UnsafeFields(Throwable cause) {
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
        this.cause = cause;
    }

    private UnsafeFields(Memory memory) {
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
        Throwable why = refused;
        if (why == null && fileDescriptorFd < 0) {
            why = new NoSuchFieldException("java.io.FileDescriptor.fd (int)");
        }
        this.cause = why != null ? why : readOnce();
    }

    /**
     * @param memory how to read fields
     * @return the fields; its {@link #cause} is set if {@code memory} cannot read descriptors
     */
    static UnsafeFields of(Memory memory) {
        return new UnsafeFields(memory);
    }

    /**
     * @param cause why no memory to read fields with could be had
     * @return fields that read nothing
     */
    static UnsafeFields unavailable(Throwable cause) {
        return new UnsafeFields(cause);
    }

    /**
     * Reads descriptor 0 from {@code FileDescriptor.in} (the JDK allows or denies every Unsafe
     * memory-access method alike).
     *
     * @return why that failed, or null
     */
    private Throwable readOnce() {
        try {
            int in = memory.getInt(FileDescriptor.in, fileDescriptorFd);
            if (in != 0) {
                return new IllegalStateException("FileDescriptor.in reads as descriptor " + in + " through " + memory);
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

    @Override
    public int raw(Channel channel) {
        Class<?> type = channel.getClass();
        if (type == fileChannel && fileChannelFd >= 0) {
            Object fd = memory.getObject(channel, fileChannelFd);
            return fd == null ? -1 : memory.getInt(fd, fileDescriptorFd);
        }
        long offset = type == socketChannel ? socketFdVal
                : type == sourceChannel ? sourceFdVal
                : type == sinkChannel ? sinkFdVal
                : -1;
        if (offset < 0) {
            return -2;
        }
        return channel.isOpen() ? memory.getInt(channel, offset) : -1;
    }

    @Override
    public boolean forcedNonBlocking(Channel channel) {
        Class<?> type = channel.getClass();
        long offset = type == socketChannel ? socketForced
                : type == sourceChannel ? sourceForced
                : type == sinkChannel ? sinkForced
                : -1;
        return offset >= 0 && memory.getBooleanVolatile(channel, offset);
    }

    @Override
    public boolean readable(Class<?> type) {
        return cause == null && type != null
                && (type == fileChannel && fileChannelFd >= 0
                    || type == socketChannel && socketFdVal >= 0
                    || type == sourceChannel && sourceFdVal >= 0
                    || type == sinkChannel && sinkFdVal >= 0);
    }

    @Override
    public String toString() {
        return String.valueOf(memory);
    }
}

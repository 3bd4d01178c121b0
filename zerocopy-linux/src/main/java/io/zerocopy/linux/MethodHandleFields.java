package io.zerocopy.linux;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.channels.Channel;

/**
 * {@link ChannelFields} through method handles on {@code sun.nio.ch}, which needs that package
 * open to this module: {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} (or
 * {@code =io.zerocopy.linux} on the module path), or an executable jar's manifest line
 * {@code Add-Opens: java.base/sun.nio.ch}. The supported route: no {@code sun.misc.Unsafe}, no
 * warning on any JDK. Read: {@code FileChannelImpl.fd} through {@code IOUtil.fdVal}, and
 * {@code fdVal} and (JDK 19+) {@code forcedNonBlocking} of {@code SocketChannelImpl},
 * {@code SourceChannelImpl} and {@code SinkChannelImpl}. Internal: not API.
 */
final class MethodHandleFields implements ChannelFields {

    private static final String PACKAGE = "sun.nio.ch";

    private final Class<?> fileChannel;
    private final Class<?> socketChannel;
    private final Class<?> sourceChannel;
    private final Class<?> sinkChannel;
    private final VarHandle fileChannelFd;
    private final MethodHandle fdVal;
    private final VarHandle socketFdVal;
    private final VarHandle sourceFdVal;
    private final VarHandle sinkFdVal;
    private final VarHandle socketForced;
    private final VarHandle sourceForced;
    private final VarHandle sinkForced;

    private MethodHandleFields() throws ReflectiveOperationException {
        fileChannel = type("FileChannelImpl");
        socketChannel = type("SocketChannelImpl");
        sourceChannel = type("SourceChannelImpl");
        sinkChannel = type("SinkChannelImpl");
        fileChannelFd = lookup(fileChannel).findVarHandle(fileChannel, "fd", FileDescriptor.class);
        Class<?> ioUtil = type("IOUtil");
        fdVal = lookup(ioUtil).findStatic(ioUtil, "fdVal", MethodType.methodType(int.class, FileDescriptor.class));
        socketFdVal = lookup(socketChannel).findVarHandle(socketChannel, "fdVal", int.class);
        sourceFdVal = lookup(sourceChannel).findVarHandle(sourceChannel, "fdVal", int.class);
        sinkFdVal = lookup(sinkChannel).findVarHandle(sinkChannel, "fdVal", int.class);
        socketForced = optional(socketChannel);
        sourceForced = optional(sourceChannel);
        sinkForced = optional(sinkChannel);
    }

    /**
     * @return the fields, having read descriptor 0 of {@code FileDescriptor.in} once
     * @throws IllegalAccessException if {@code java.base} does not open {@code sun.nio.ch} to
     *     this module (the message says which option opens it)
     * @throws ReflectiveOperationException if a class, field or method is missing
     */
    static MethodHandleFields open() throws ReflectiveOperationException {
        Module base = Object.class.getModule();
        Module self = MethodHandleFields.class.getModule();
        if (!base.isOpen(PACKAGE, self)) {
            throw new IllegalAccessException("java.base does not open " + PACKAGE + " to " + self
                    + " (--add-opens java.base/" + PACKAGE + "=" + (self.isNamed() ? self.getName() : "ALL-UNNAMED")
                    + ", or Add-Opens: java.base/" + PACKAGE + " in an executable jar's manifest)");
        }
        MethodHandleFields fields = new MethodHandleFields();
        int in = fields.fd(FileDescriptor.in);
        if (in != 0) {
            throw new IllegalStateException("FileDescriptor.in reads as descriptor " + in + " through IOUtil.fdVal");
        }
        return fields;
    }

    @Override
    public int raw(Channel channel) {
        Class<?> type = channel.getClass();
        if (type == fileChannel) {
            Object fd = fileChannelFd.get(channel);
            return fd == null ? -1 : fd((FileDescriptor) fd);
        }
        VarHandle h = type == socketChannel ? socketFdVal
                : type == sourceChannel ? sourceFdVal
                : type == sinkChannel ? sinkFdVal
                : null;
        if (h == null) {
            return -2;
        }
        return channel.isOpen() ? (int) h.get(channel) : -1;
    }

    @Override
    public boolean forcedNonBlocking(Channel channel) {
        Class<?> type = channel.getClass();
        VarHandle h = type == socketChannel ? socketForced
                : type == sourceChannel ? sourceForced
                : type == sinkChannel ? sinkForced
                : null;
        return h != null && (boolean) h.getVolatile(channel);
    }

    @Override
    public boolean readable(Class<?> type) {
        return type != null && (type == fileChannel || type == socketChannel || type == sourceChannel || type == sinkChannel);
    }

    private int fd(FileDescriptor fd) {
        try {
            return (int) fdVal.invokeExact(fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static Class<?> type(String simpleName) throws ClassNotFoundException {
        return Class.forName(PACKAGE + "." + simpleName, false, ClassLoader.getPlatformClassLoader());
    }

    private static MethodHandles.Lookup lookup(Class<?> type) throws IllegalAccessException {
        return MethodHandles.privateLookupIn(type, MethodHandles.lookup());
    }

    /** @return a handle on {@code boolean forcedNonBlocking} (JDK 19+), or null before */
    private static VarHandle optional(Class<?> type) throws IllegalAccessException {
        try {
            return lookup(type).findVarHandle(type, "forcedNonBlocking", boolean.class);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "method handles on " + PACKAGE;
    }
}

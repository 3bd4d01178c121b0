package io.zerocopy.bench.timing.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/**
 * What the child JVMs ({@link FileServerMain}, {@link ProxyMain}) share: the engine named on
 * their command line and the threads they start per connection.
 */
final class Children {

    private Children() { }

    /**
     * @param name {@code default} (the shared default engine), {@code copy} (the copy loop
     *     only), {@code sendfile} or {@code splice} (that strategy, then the copy loop)
     * @return the engine
     */
    static TransferEngine engine(String name) {
        switch (name) {
            case "default":
                return ZeroCopy.defaultEngine();
            case "copy":
                return ZeroCopy.builder().strategies("copy").build();
            case "sendfile":
            case "splice":
                return ZeroCopy.builder().strategies(name, "copy").build();
            default:
                throw new IllegalArgumentException("unknown engine: " + name + " (default, copy, sendfile, splice)");
        }
    }

    /** How a body of a file goes to a socket. */
    interface FileSender {
        /** @return the bytes sent, all of {@code size} unless the file is shorter */
        long send(FileChannel file, long size, SocketChannel socket) throws IOException;
    }

    /**
     * @param name an engine name for {@link #engine}, or {@code jdk}: {@code FileChannel.transferTo}
     *     in a loop, the JDK alone
     * @return the sender
     */
    static FileSender fileSender(String name) {
        if (name.equals("jdk")) {
            return (file, size, socket) -> {
                long done = 0;
                while (done < size) {
                    long n = file.transferTo(done, size - done, socket);
                    if (n == 0 && done >= file.size()) {
                        break;
                    }
                    done += n;
                }
                return done;
            };
        }
        TransferEngine engine = engine(name);
        return (file, size, socket) -> engine.transfer(file, 0, size, socket);
    }

    /** Starts one thread per task. */
    interface Starter {
        Thread start(Runnable task);
    }

    /**
     * @param kind {@code platform}, or {@code virtual} (JDK 21 and later; found by reflection,
     *     since the bench compiles for 17)
     * @return the starter
     */
    static Starter threads(String kind) {
        if (kind.equals("platform")) {
            AtomicInteger n = new AtomicInteger();
            return task -> {
                Thread t = new Thread(task, "conn-" + n.incrementAndGet());
                t.start();
                return t;
            };
        }
        if (!kind.equals("virtual")) {
            throw new IllegalArgumentException("unknown threads: " + kind + " (platform, virtual)");
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
            return task -> {
                try {
                    return (Thread) start.invoke(builder, task);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                } catch (InvocationTargetException e) {
                    throw new UncheckedIOException(new IOException("cannot start a virtual thread", e.getCause()));
                }
            };
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("virtual threads need JDK 21 or later: " + e);
        }
    }

    /** Closes without throwing; for the end of a connection. */
    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // the connection is over either way
        }
    }
}

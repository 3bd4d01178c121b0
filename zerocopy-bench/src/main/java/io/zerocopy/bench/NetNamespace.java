package io.zerocopy.bench;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import jnr.ffi.LibraryLoader;

/**
 * A named network namespace (one that {@code ip netns add} created, bound at
 * {@code /var/run/netns/<name>}) and a way to create sockets inside it without a process of
 * its own: {@link #call} runs a task on a fresh thread that has joined the namespace with
 * {@code setns(2)}. {@code setns} moves only the calling thread, and a socket keeps the
 * namespace it was created in, so a listening socket opened by the task can afterwards be used
 * by any thread of the JVM. No thread other than the task's ever enters the namespace, and
 * that thread ends with the task.
 *
 * <p>The C library binding ({@link LibC}) is loaded on first use; {@link #bindingFailure()}
 * says whether it can be.
 */
final class NetNamespace {

    /** Where {@code ip netns} keeps the namespaces it names. */
    static final String DIR = "/var/run/netns";

    final String name;

    NetNamespace(String name) {
        this.name = name;
    }

    /**
     * Runs {@code task} on a new thread inside this namespace and returns its result.
     *
     * @param task what to run, e.g. opening and binding a server socket
     * @param <T> the task's result
     * @return the task's result
     * @throws IOException if the namespace cannot be joined (with errno's text), or the task's
     *     own exception
     */
    <T> T call(Callable<T> task) throws IOException {
        FutureTask<T> f = new FutureTask<>(() -> {
            join();
            return task.call();
        });
        Thread t = new Thread(f, "zc-bench-netns-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in network namespace " + name, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) {
                throw (IOException) c;
            }
            throw new IOException("in network namespace " + name + ": " + c, c);
        }
    }

    /** Moves the calling thread into this namespace, for good. */
    private void join() throws IOException {
        LibC c = Holder.LIBC;
        if (c == null) {
            throw new IOException("cannot join network namespace " + name + ": " + Holder.FAILURE);
        }
        String path = DIR + "/" + name;
        int fd = c.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("open(" + path + "): " + lastError(c));
        }
        try {
            if (c.setns(fd, LibC.CLONE_NEWNET) != 0) {
                throw new IOException("setns(" + path + ", CLONE_NEWNET): " + lastError(c));
            }
        } finally {
            c.close(fd);
        }
    }

    private static String lastError(LibC c) {
        int errno = jnr.ffi.Runtime.getRuntime(c).getLastError();
        return c.strerror(errno) + " (errno " + errno + ")";
    }

    /** @return why namespaces cannot be joined from this JVM, or null if they can */
    static String bindingFailure() {
        return Holder.LIBC == null ? Holder.FAILURE : null;
    }

    @Override
    public String toString() {
        return name;
    }

    /** The C library calls {@link NetNamespace} makes, bound with jnr-ffi. Public for jnr-ffi only. */
    public interface LibC {
        int O_RDONLY = 0;
        int O_CLOEXEC = 0x80000;
        int CLONE_NEWNET = 0x40000000;

        /** open(2). */
        int open(String path, int flags);

        /** setns(2). */
        int setns(int fd, int nstype);

        /** close(2). */
        int close(int fd);

        /** strerror(3). */
        String strerror(int errnum);
    }

    /** Loads the binding once, keeping the cause if it cannot be loaded. */
    private static final class Holder {
        static final LibC LIBC;
        static final String FAILURE;

        static {
            LibC c = null;
            String failure = null;
            try {
                c = LibraryLoader.create(LibC.class).failImmediately().load("c");
            } catch (RuntimeException | LinkageError e) {
                failure = "jnr-ffi could not bind open/setns/close of the C library: " + e;
            }
            LIBC = c;
            FAILURE = failure;
        }
    }
}

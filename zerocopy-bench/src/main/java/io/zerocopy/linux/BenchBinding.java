package io.zerocopy.linux;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/**
 * One binding of the C library chosen by name, not by the JDK, so that the bench can measure
 * both in one JVM: its own downcalls, and engines whose Linux strategy makes every call through
 * it. Part of the bench jar, in this package only to reach the package-private {@link Syscalls};
 * not API of zerocopy-linux.
 *
 * <p>jnr-ffi loads on every JDK; {@code java.lang.foreign} on JDK 22+, when zerocopy-linux was
 * built on JDK 22+ (the class is in its jar's {@code META-INF/versions/22}). Both can be loaded
 * side by side. What an engine does outside its strategy goes through the binding
 * {@link Native} chose for the JVM: the waits of {@link EpollPoller} (rare on loopback at the
 * sizes measured) and {@code strerror} on a failure.
 *
 * <p>{@link #load} probes the binding (getpid against this process, the page size,
 * {@code F_GETFL} on a pipe, {@code close(-1)} giving {@code EBADF}). Each instance owns a pipe for {@link #getfl()} and a
 * small pipe pool for {@link #spliceEngine()}, both released by {@link #close()}. Thread-safe
 * but for {@link #close()}.
 */
public final class BenchBinding implements AutoCloseable {

    /** The jnr-ffi binding's name. */
    public static final String JNR = "jnr";
    /** The {@code java.lang.foreign} binding's name. */
    public static final String FOREIGN = "foreign";
    /** Pipes in a binding's own pool (of the shared pool's pipe size): one transfer at a time needs one. */
    private static final int POOL_PIPES = 4;

    private final String name;
    private final Syscalls sys;
    private final AtomicLong calls;
    private final int[] pipe;
    private final PipePool pool;
    private final boolean owner;

    private BenchBinding(String name, Syscalls sys, AtomicLong calls, int[] pipe, PipePool pool, boolean owner) {
        this.name = name;
        this.sys = sys;
        this.calls = calls;
        this.pipe = pipe;
        this.pool = pool;
        this.owner = owner;
    }

    /** @return the names of every binding, in table order: {@value #JNR}, {@value #FOREIGN} */
    public static List<String> names() {
        return List.of(JNR, FOREIGN);
    }

    /**
     * Loads and probes a binding.
     *
     * @param name {@value #JNR} or {@value #FOREIGN}
     * @return the binding
     * @throws IllegalArgumentException if the name is neither
     * @throws UnsupportedOperationException if the binding cannot be loaded in this JVM, saying
     *     why (JDK before 22, a jar without the foreign binding, zerocopy-linux unavailable; the
     *     failure as cause)
     * @throws IllegalStateException if a probe call gives a wrong result
     */
    public static BenchBinding load(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!n.equals(JNR) && !n.equals(FOREIGN)) {
            throw new IllegalArgumentException("binding: " + JNR + " or " + FOREIGN + ", not " + name);
        }
        if (!Linux.isAvailable()) {
            throw new UnsupportedOperationException("zerocopy-linux unavailable: " + Linux.unavailabilityCause(),
                    Linux.unavailabilityCause());
        }
        Syscalls sys = n.equals(JNR) ? jnr() : foreign();
        int[] fds = new int[2];
        int r = sys.pipe2(fds, Native.O_CLOEXEC);
        if (r != 0) {
            throw new IllegalStateException(sys + ": pipe2 failed: errno " + -r);
        }
        BenchBinding b = null;
        try {
            int pipeSize = PipePool.Sizing.forThisSystem(0, 0).pipeSize();
            b = new BenchBinding(n, sys, null, fds, new PipePool(sys, POOL_PIPES, pipeSize), true);
            b.probe();
            return b;
        } catch (RuntimeException | Error e) {
            if (b != null) {
                b.close();
            } else {
                sys.close(fds[0]);
                sys.close(fds[1]);
            }
            throw e;
        }
    }

    /**
     * @param name {@value #JNR} or {@value #FOREIGN}
     * @return null if {@link #load} can load the binding here, else why not
     */
    public static String unavailability(String name) {
        try {
            load(name).close();
            return null;
        } catch (UnsupportedOperationException e) {
            return e.getMessage();
        }
    }

    private static Syscalls jnr() {
        try {
            return JnrSyscalls.load();
        } catch (RuntimeException | LinkageError e) {
            throw new UnsupportedOperationException("jnr-ffi binding failed to load: " + e, e);
        }
    }

    private static Syscalls foreign() {
        int feature = Runtime.version().feature();
        if (feature < 22) {
            throw new UnsupportedOperationException("the java.lang.foreign binding needs JDK 22+ (this JVM: "
                    + Runtime.version() + ")");
        }
        try {
            return (Syscalls) Class.forName(Native.class.getPackageName() + ".ForeignSyscalls")
                    .getDeclaredMethod("load").invoke(null);
        } catch (ClassNotFoundException e) {
            throw new UnsupportedOperationException("this zerocopy-linux has no java.lang.foreign binding "
                    + "(META-INF/versions/22 absent: it was built on a JDK before 22)", e);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
            throw new UnsupportedOperationException("java.lang.foreign binding failed to load: " + cause, cause);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new UnsupportedOperationException("java.lang.foreign binding failed to load: " + e, e);
        }
    }

    private void probe() {
        int pid = getpid();
        if (pid != ProcessHandle.current().pid()) {
            throw new IllegalStateException(sys + ": getpid gave " + pid + ", this process is " + ProcessHandle.current().pid());
        }
        long page = pageSize();
        if (page != Native.pageSize()) {
            throw new IllegalStateException(sys + ": sysconf(_SC_PAGESIZE) gave " + page + ", expected " + Native.pageSize());
        }
        int flags = getfl();
        if (flags < 0) {
            throw new IllegalStateException(sys + ": fcntl(F_GETFL) on a pipe failed: errno " + -flags);
        }
        int r = closeInvalid();
        if (r != -Errno.EBADF) {
            throw new IllegalStateException(sys + ": close(-1) gave " + r + ", expected -EBADF (" + -Errno.EBADF + ")");
        }
    }

    /** @return {@value #JNR} or {@value #FOREIGN} */
    public String name() {
        return name;
    }

    /**
     * @return {@code getpid()}: a system call that does almost nothing (glibc has not cached
     *     the pid since 2.25), without errno
     */
    public int getpid() {
        return sys.getpid();
    }

    /**
     * @return {@code sysconf(_SC_PAGESIZE)}: glibc answers from memory, without a system call,
     *     so this is the binding's own cost, its errno handling included
     */
    public long pageSize() {
        return sys.sysconf(Native.SC_PAGESIZE);
    }

    /** @return {@code fcntl(fd, F_GETFL)} on the read end of this binding's pipe: the flags, never negative */
    public int getfl() {
        return sys.fcntl(pipe[0], Native.F_GETFL, 0);
    }

    /** @return {@code close(-1)}: {@code -EBADF}, a failing call whose errno the binding reads */
    public int closeInvalid() {
        return sys.close(-1);
    }

    /**
     * @return an engine whose first strategy is {@code sendfile} through this binding, then the
     *     copy loop; threshold 0, no providers. File to socket runs sendfile unless it refuses.
     */
    public TransferEngine sendfileEngine() {
        return ZeroCopy.builder().providers(false).addFirst(new SendfileStrategy(sys)).strategies("copy").threshold(0)
                .build();
    }

    /**
     * @return an engine whose first strategy is {@code splice} through this binding and its own
     *     pipe pool, then the copy loop; threshold 0, no providers
     */
    public TransferEngine spliceEngine() {
        return ZeroCopy.builder().providers(false).addFirst(new SpliceStrategy(pool, sys)).strategies("copy")
                .threshold(0).build();
    }

    /**
     * @return a view of this binding that counts the calls made through it ({@link #calls()}),
     *     sharing its pipe and pool; closing it closes nothing. The count adds a reflective
     *     call per downcall: for counting, not timing.
     */
    public BenchBinding counting() {
        AtomicLong count = new AtomicLong();
        Syscalls target = sys;
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("toString") ? target.toString() : method.invoke(target, args);
            }
            count.incrementAndGet();
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        Syscalls counted = (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(),
                new Class<?>[] {Syscalls.class}, h);
        return new BenchBinding(name, counted, count, pipe, pool, false);
    }

    /** @return the calls made through a {@link #counting()} view so far; 0 for a binding that does not count */
    public long calls() {
        return calls == null ? 0 : calls.get();
    }

    /** @return the binding's own name: {@code "jnr-ffi"} or {@code "java.lang.foreign"} */
    @Override
    public String toString() {
        return sys.toString();
    }

    /** Closes the pool and the pipe (not for a {@link #counting()} view). */
    @Override
    public void close() {
        if (owner) {
            pool.close();
            sys.close(pipe[0]);
            sys.close(pipe[1]);
        }
    }
}

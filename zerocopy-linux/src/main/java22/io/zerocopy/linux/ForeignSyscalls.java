package io.zerocopy.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * {@link Syscalls} bound with {@code java.lang.foreign} (JDK 22+): the binding on JDK 22 and
 * newer. Compiled for release 22 into the jar's {@code META-INF/versions/22}, so JDK 17 to 21
 * never see it. No jffi, no ASM, no {@code sun.misc.Unsafe}. Internal: not API.
 *
 * <p>Each call is a downcall handle made once (static final, so the JIT inlines it) that
 * captures {@code errno} ({@link Linker.Option#captureCallState}) into a per-thread segment;
 * pointers are passed as addresses ({@code long}), which the C calling conventions of x86_64,
 * aarch64 and riscv64 pass like a pointer. {@code fcntl} and {@code ioctl} are variadic and
 * bound as such ({@link Linker.Option#firstVariadicArg}), and so is {@code syscall}, through
 * which the io_uring calls (which glibc does not wrap) go. Making the handles calls restricted
 * methods: without {@code --enable-native-access} the JDK prints its one-time warning, and with
 * {@code --illegal-native-access=deny} (or {@code --enable-native-access} naming other modules
 * only) they throw {@link IllegalCallerException}, which {@link #load} passes on as the cause.
 */
final class ForeignSyscalls implements Syscalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
    /** Per thread: where the last call's errno is captured, and the offset buffers last seen. */
    private static final ThreadLocal<PerThread> THREAD = ThreadLocal.withInitial(PerThread::new);

    private static final MethodHandle SPLICE = capturing("splice", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle COPY_FILE_RANGE = capturing("copy_file_range", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SENDFILE = capturing("sendfile", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle TEE = capturing("tee", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle VMSPLICE = capturing("vmsplice", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle IOCTL = variadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle FCNTL = variadic("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    /** Null where the C library lacks the symbol (glibc before 2.33): {@link #fstat} is then {@code -ENOSYS}. */
    private static final MethodHandle FSTAT = LIBC.find("fstat").isPresent() ? capturing("fstat", JAVA_INT, JAVA_INT, JAVA_LONG) : null;
    private static final MethodHandle FSTATFS = capturing("fstatfs", JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle PIPE2 = capturing("pipe2", JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle POLL = capturing("poll", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle EPOLL_CREATE1 = capturing("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CTL = capturing("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle EPOLL_WAIT = capturing("epoll_wait", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = capturing("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle WRITE = capturing("write", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle CLOSE = capturing("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle SYSCONF = capturing("sysconf", JAVA_LONG, JAVA_INT);
    /**
     * {@code long syscall(long number, ...)}: glibc reads the six arguments after the number as
     * {@code long}s, so every one is passed as {@code JAVA_LONG}, variadic from the second on.
     */
    private static final MethodHandle SYSCALL = variadic("syscall", 1, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle MMAP = capturing("mmap", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle MUNMAP = capturing("munmap", JAVA_INT, JAVA_LONG, JAVA_LONG);
    /** {@code __NR_io_uring_setup}, {@code _enter}, {@code _register}: the same on x86_64, aarch64 and riscv64 (generic table). */
    private static final long NR_IO_URING_SETUP = 425;
    private static final long NR_IO_URING_ENTER = 426;
    private static final long NR_IO_URING_REGISTER = 427;
    private static final MethodHandle GETPID = LINKER.downcallHandle(symbol("getpid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(symbol("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private ForeignSyscalls() { }

    /**
     * Called reflectively by {@link Native} on JDK 22+.
     *
     * @return the binding (not yet probed)
     * @throws ExceptionInInitializerError with the cause: a missing symbol, or
     *     {@link IllegalCallerException} where native access is denied
     */
    static Syscalls load() {
        return new ForeignSyscalls();
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("C library symbol not found: " + name));
    }

    private static MethodHandle capturing(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), ERRNO_OPTION);
    }

    private static MethodHandle variadic(String name, int fixed, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), ERRNO_OPTION,
                Linker.Option.firstVariadicArg(fixed));
    }

    /**
     * A thread's errno capture segment (freed by the GC with the thread's state), and the
     * offset buffers it passed last with their addresses: sessions pass the same {@code loff_t}
     * buffers call after call (a tee broadcast one per target), and
     * {@link MemorySegment#ofBuffer} allocates.
     */
    private static final class PerThread {
        private static final int BUFFERS = 8;
        final MemorySegment errno = Arena.ofAuto().allocate(CAPTURE);
        private final ByteBuffer[] buffers = new ByteBuffer[BUFFERS];
        private final long[] addresses = new long[BUFFERS];
        private int next;

        /** @return the address of {@code b} at its position (as jnr-ffi passes a buffer), or 0 for null */
        long at(ByteBuffer b) {
            if (b == null) {
                return 0;
            }
            for (int k = 0; k < BUFFERS; k++) {
                if (buffers[k] == b) {
                    return addresses[k] + b.position();
                }
            }
            int k = next;
            next = (next + 1) % BUFFERS;
            buffers[k] = b;
            addresses[k] = MemorySegment.ofBuffer(b).address() - b.position();
            return addresses[k] + b.position();
        }
    }

    private static long result(long r, MemorySegment state) {
        return r < 0 ? -(int) ERRNO.get(state, 0L) : r;
    }

    private static int result(int r, MemorySegment state) {
        return r < 0 ? -(int) ERRNO.get(state, 0L) : r;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    @Override
    public long splice(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, long len, int flags) {
        PerThread p = THREAD.get();
        MemorySegment s = p.errno;
        try {
            return result((long) SPLICE.invokeExact(s, fdIn, p.at(offIn), fdOut, p.at(offOut), len, flags), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long copyFileRange(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, long len, int flags) {
        PerThread p = THREAD.get();
        MemorySegment s = p.errno;
        try {
            return result((long) COPY_FILE_RANGE.invokeExact(s, fdIn, p.at(offIn), fdOut, p.at(offOut), len, flags), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long sendfile(int fdOut, int fdIn, ByteBuffer offIn, long count) {
        PerThread p = THREAD.get();
        MemorySegment s = p.errno;
        try {
            return result((long) SENDFILE.invokeExact(s, fdOut, fdIn, p.at(offIn), count), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long tee(int fdIn, int fdOut, long len, int flags) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((long) TEE.invokeExact(s, fdIn, fdOut, len, flags), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long vmsplice(int fd, long iov, long nrSegs, int flags) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((long) VMSPLICE.invokeExact(s, fd, iov, nrSegs, flags), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int ioctl(int fd, long request, long intAddress) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) IOCTL.invokeExact(s, fd, request, intAddress), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int cloneRange(int targetFd, long range) {
        return ioctl(targetFd, Native.FICLONERANGE, range);
    }

    @Override
    public int fstat(int fd, long stat) {
        if (FSTAT == null) {
            return -Errno.ENOSYS;
        }
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) FSTAT.invokeExact(s, fd, stat), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int fstatfs(int fd, long statfs) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) FSTATFS.invokeExact(s, fd, statfs), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int pipe2(int[] fds, int flags) {
        MemorySegment s = THREAD.get().errno;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pair = arena.allocate(JAVA_INT, 2);
            int r = result((int) PIPE2.invokeExact(s, pair.address(), flags), s);
            if (r == 0) {
                fds[0] = pair.getAtIndex(JAVA_INT, 0);
                fds[1] = pair.getAtIndex(JAVA_INT, 1);
            }
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) FCNTL.invokeExact(s, fd, cmd, arg), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int poll(long fds, int nfds, int timeoutMillis) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) POLL.invokeExact(s, fds, (long) nfds, timeoutMillis), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int epollCreate1(int flags) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) EPOLL_CREATE1.invokeExact(s, flags), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int epollCtl(int epfd, int op, int fd, long event) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) EPOLL_CTL.invokeExact(s, epfd, op, fd, event), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int epollWait(int epfd, long events, int maxEvents, int timeoutMillis) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) EPOLL_WAIT.invokeExact(s, epfd, events, maxEvents, timeoutMillis), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long read(int fd, long buf, long count) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((long) READ.invokeExact(s, fd, buf, count), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long write(int fd, long buf, long count) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((long) WRITE.invokeExact(s, fd, buf, count), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int close(int fd) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) CLOSE.invokeExact(s, fd), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long sysconf(int name) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((long) SYSCONF.invokeExact(s, name), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.equals(MemorySegment.NULL) ? null : text.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long syscall(long number, long a, long b, long c, long d, long e, long f) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((long) SYSCALL.invokeExact(s, number, a, b, c, d, e, f), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int ioUringSetup(int entries, long params) {
        return (int) syscall(NR_IO_URING_SETUP, entries & 0xFFFF_FFFFL, params, 0, 0, 0, 0);
    }

    @Override
    public int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, long arg, long argSize) {
        return (int) syscall(NR_IO_URING_ENTER, fd, toSubmit & 0xFFFF_FFFFL, minComplete & 0xFFFF_FFFFL,
                flags & 0xFFFF_FFFFL, arg, argSize);
    }

    @Override
    public int ioUringRegister(int fd, int opcode, long arg, int nrArgs) {
        return (int) syscall(NR_IO_URING_REGISTER, fd, opcode & 0xFFFF_FFFFL, arg, nrArgs & 0xFFFF_FFFFL, 0, 0);
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        MemorySegment s = THREAD.get().errno;
        try {
            long r = (long) MMAP.invokeExact(s, addr, length, prot, flags, fd, offset);
            return r == -1 ? -(int) ERRNO.get(s, 0L) : r; // MAP_FAILED; addresses are not negative in user space
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int munmap(long addr, long length) {
        MemorySegment s = THREAD.get().errno;
        try {
            return result((int) MUNMAP.invokeExact(s, addr, length), s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public NativeMemory memory(long address, long size) {
        return new ForeignMemory(address, size);
    }

    @Override
    public long address(ByteBuffer direct) {
        return MemorySegment.ofBuffer(direct).address() - direct.position();
    }

    @Override
    public String toString() {
        return "java.lang.foreign";
    }
}

package io.zerocopy.linux;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Locale;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/**
 * The C library calls this module uses, bound with jnr-ffi, and the constants they take: the
 * production {@link Syscalls}. The only class that touches jnr-ffi. Internal: not API.
 *
 * <p>The binding is created once, lazily, by {@link Holder}, and never throws at class-load
 * time: on another OS or architecture, with the kill switch {@value #ENABLED_PROPERTY}
 * {@code =false}, if jnr-ffi cannot load, or if a call is missing, {@link #syscalls()} is null
 * and {@link #unavailabilityCause()} says why (logged once at DEBUG).
 */
final class Native implements Syscalls {

    /** System property: {@code false} disables the module (its provider offers no strategies). */
    static final String ENABLED_PROPERTY = "io.zerocopy.linux.enabled";

    static final int O_NONBLOCK = 0x800;
    static final int O_APPEND = 0x400;
    static final int O_CLOEXEC = 0x80000;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_SETPIPE_SZ = 1031;
    static final int F_GETPIPE_SZ = 1032;

    static final int SPLICE_F_MOVE = 1;
    static final int SPLICE_F_NONBLOCK = 2;

    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    /** Bytes of a {@code struct pollfd}: {@code int fd} at 0, {@code short events} at 4, {@code short revents} at 6. */
    static final int POLLFD_SIZE = 8;

    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    /** epoll events: the bits of {@link #POLLIN} and {@link #POLLOUT} mean the same. */
    static final int EPOLLIN = POLLIN;
    static final int EPOLLOUT = POLLOUT;
    static final int EPOLLONESHOT = 1 << 30;
    /**
     * Bytes of a {@code struct epoll_event} ({@code uint32_t events} at 0, then
     * {@code uint64_t data}): packed on x86_64, naturally aligned on aarch64 and riscv64.
     */
    static final int EPOLL_EVENT_SIZE;
    /** Offset of {@code data} in a {@code struct epoll_event}. */
    static final int EPOLL_DATA_OFFSET;

    static {
        String arch = System.getProperty("os.arch", "");
        boolean packed = arch.equals("amd64") || arch.equals("x86_64");
        EPOLL_EVENT_SIZE = packed ? 12 : 16;
        EPOLL_DATA_OFFSET = packed ? 4 : 8;
    }

    /** ioctl: bytes not yet acknowledged by the peer in a TCP socket's send queue ({@code SIOCOUTQ}, {@code TIOCOUTQ}). */
    static final long SIOCOUTQ = 0x5411;
    /** ioctl: bytes waiting to be read from a pipe ({@code FIONREAD}). */
    static final long FIONREAD = 0x541B;
    /**
     * ioctl: share a range of another file's extents ({@code FICLONERANGE}, uapi linux/fs.h:
     * {@code _IOW(0x94, 13, struct file_clone_range)}, the same on x86_64, aarch64 and riscv64).
     */
    static final long FICLONERANGE = 0x4020_940DL;
    /**
     * Bytes of a {@code struct file_clone_range}: {@code s64 src_fd} at 0, {@code u64 src_offset}
     * at 8, {@code u64 src_length} at 16 (0 means "to the end": never passed), {@code u64 dest_offset} at 24.
     */
    static final int FILE_CLONE_RANGE_SIZE = 32;
    /** Room for a {@code struct stat}: 144 bytes on x86_64, 128 on aarch64 and riscv64. */
    static final int STAT_SIZE = 256;
    /** Offset of the 8-byte {@code st_dev} in a {@code struct stat} on x86_64, aarch64 and riscv64. */
    static final int ST_DEV_OFFSET = 0;
    /** Room for a {@code struct statfs}: 120 bytes on x86_64, aarch64 and riscv64; {@code f_type} is its first long. */
    static final int STATFS_SIZE = 128;

    /**
     * The calls used, with their exact C types; pointers are passed as addresses, but
     * {@code loff_t *} as a direct buffer (see {@link Syscalls}). Public only because jnr-ffi
     * generates its implementation in another class loader (package-private: IllegalAccessError).
     */
    public interface LibC {

        /** {@code ssize_t splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len, unsigned flags)} */
        @ssize_t long splice(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, @size_t long len, int flags);

        /** {@code ssize_t copy_file_range(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len, unsigned flags)} */
        @ssize_t long copy_file_range(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, @size_t long len, int flags);

        /** {@code ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)} */
        @ssize_t long sendfile(int outFd, int inFd, ByteBuffer offset, @size_t long count);

        /** {@code int fstatfs(int fd, struct statfs *buf)} */
        int fstatfs(int fd, @intptr_t long buf);

        /** {@code ssize_t tee(int fd_in, int fd_out, size_t len, unsigned int flags)} */
        @ssize_t long tee(int fdIn, int fdOut, @size_t long len, int flags);

        /** {@code ssize_t vmsplice(int fd, const struct iovec *iov, size_t nr_segs, unsigned int flags)} */
        @ssize_t long vmsplice(int fd, @intptr_t long iov, @size_t long nrSegs, int flags);

        /**
         * {@code int ioctl(int fd, unsigned long request, void *arg)}: {@link #SIOCOUTQ} and {@link #FIONREAD}
         * ({@code int *}), {@link #FICLONERANGE} ({@code struct file_clone_range *}).
         */
        int ioctl(int fd, @u_int64_t long request, @intptr_t long arg);

        /** {@code int pipe2(int pipefd[2], int flags)} */
        int pipe2(@Out int[] fds, int flags);

        /** {@code int fcntl(int fd, int cmd, int arg)}: F_GETFL, F_SETFL, F_DUPFD_CLOEXEC, F_[GS]ETPIPE_SZ. */
        int fcntl(int fd, int cmd, int arg);

        /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
        int poll(@intptr_t long fds, @u_int64_t long nfds, int timeout);

        /** {@code int epoll_create1(int flags)} */
        int epoll_create1(int flags);

        /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)} */
        int epoll_ctl(int epfd, int op, int fd, @intptr_t long event);

        /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)} */
        int epoll_wait(int epfd, @intptr_t long events, int maxEvents, int timeout);

        /** {@code ssize_t read(int fd, void *buf, size_t count)}: only to rescue bytes left in a pipe. */
        @ssize_t long read(int fd, @intptr_t long buf, @size_t long count);

        /** {@code int close(int fd)} */
        int close(int fd);

        /** {@code char *strerror(int errnum)}; cannot fail. */
        @IgnoreError String strerror(int errnum);
    }

    /**
     * {@code fstat}, bound apart from {@link LibC}: glibc exports the symbol only from 2.33 on
     * (before, {@code __fxstat}), and its absence must cost no more than reflink's memory of
     * refusing file systems. Public for jnr-ffi, as {@link LibC}.
     */
    public interface Stat {

        /** {@code int fstat(int fd, struct stat *statbuf)} */
        int fstat(int fd, @intptr_t long stat);
    }

    private final LibC libc;
    private final Stat stat;
    private final Runtime runtime;

    private Native(LibC libc, Stat stat, Runtime runtime) {
        this.libc = libc;
        this.stat = stat;
        this.runtime = runtime;
    }

    /** @return the binding, or null if unavailable */
    static Syscalls syscalls() {
        return Holder.SYSCALLS;
    }

    /** @return why the binding is unavailable, or null if it is available */
    static Throwable unavailabilityCause() {
        return Holder.CAUSE;
    }

    /** @return whether copy_file_range exists in this kernel (ENOSYS on the probe means no) */
    static boolean hasCopyFileRange() {
        return Holder.COPY_FILE_RANGE;
    }

    /** @return why epoll cannot be used (the binding's cause if it is unavailable), or null if it can */
    static Throwable epollUnavailabilityCause() {
        return Holder.CAUSE != null ? Holder.CAUSE : Holder.EPOLL_CAUSE;
    }

    /** @return the size of a memory page, in bytes */
    static int pageSize() {
        return (int) com.kenai.jffi.PageManager.getInstance().pageSize();
    }

    /** @return a description of an errno value, such as {@code "Broken pipe"} */
    static String describe(int errno) {
        Native n = Holder.SYSCALLS;
        String s = n != null ? n.libc.strerror(errno) : null;
        return s != null ? s : "errno " + errno;
    }

    private long result(long r) {
        return r < 0 ? -runtime.getLastError() : r;
    }

    private int result(int r) {
        return r < 0 ? -runtime.getLastError() : r;
    }

    @Override
    public long splice(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, long len, int flags) {
        return result(libc.splice(fdIn, offIn, fdOut, offOut, len, flags));
    }

    @Override
    public long copyFileRange(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, long len, int flags) {
        return result(libc.copy_file_range(fdIn, offIn, fdOut, offOut, len, flags));
    }

    @Override
    public long sendfile(int fdOut, int fdIn, ByteBuffer offIn, long count) {
        return result(libc.sendfile(fdOut, fdIn, offIn, count));
    }

    @Override
    public long tee(int fdIn, int fdOut, long len, int flags) {
        return result(libc.tee(fdIn, fdOut, len, flags));
    }

    @Override
    public long vmsplice(int fd, long iov, long nrSegs, int flags) {
        return result(libc.vmsplice(fd, iov, nrSegs, flags));
    }

    @Override
    public int ioctl(int fd, long request, long intAddress) {
        return result(libc.ioctl(fd, request, intAddress));
    }

    @Override
    public int cloneRange(int targetFd, long range) {
        return result(libc.ioctl(targetFd, FICLONERANGE, range));
    }

    @Override
    public int fstat(int fd, long statAddress) {
        return stat == null ? -Errno.ENOSYS : result(stat.fstat(fd, statAddress));
    }

    @Override
    public int fstatfs(int fd, long statfsAddress) {
        return result(libc.fstatfs(fd, statfsAddress));
    }

    @Override
    public int pipe2(int[] fds, int flags) {
        return result(libc.pipe2(fds, flags));
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        return result(libc.fcntl(fd, cmd, arg));
    }

    @Override
    public int poll(long fds, int nfds, int timeoutMillis) {
        return result(libc.poll(fds, nfds, timeoutMillis));
    }

    @Override
    public int epollCreate1(int flags) {
        return result(libc.epoll_create1(flags));
    }

    @Override
    public int epollCtl(int epfd, int op, int fd, long event) {
        return result(libc.epoll_ctl(epfd, op, fd, event));
    }

    @Override
    public int epollWait(int epfd, long events, int maxEvents, int timeoutMillis) {
        return result(libc.epoll_wait(epfd, events, maxEvents, timeoutMillis));
    }

    @Override
    public long read(int fd, long buf, long count) {
        return result(libc.read(fd, buf, count));
    }

    @Override
    public int close(int fd) {
        return result(libc.close(fd));
    }

    @Override
    public String toString() {
        return "Native[jnr-ffi]";
    }

    private static final class Holder {

        static final Native SYSCALLS;
        static final Throwable CAUSE;
        static final boolean COPY_FILE_RANGE;
        static final Throwable EPOLL_CAUSE;

        static {
            LibC libc = null;
            Stat stat = null;
            Runtime runtime = null;
            Throwable cause = null;
            Probed probed = new Probed(false, null);
            try {
                String os = System.getProperty("os.name", "");
                String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
                if ("false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY))) {
                    cause = new UnsupportedOperationException("disabled by -D" + ENABLED_PROPERTY + "=false");
                } else if (!os.startsWith("Linux")) {
                    cause = new UnsupportedOperationException("not Linux: os.name=" + os);
                } else if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")
                        || arch.equals("riscv64"))) {
                    cause = new UnsupportedOperationException("errno values not verified for os.arch=" + arch);
                } else {
                    libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
                    runtime = Runtime.getRuntime(libc);
                    probed = probe(libc, runtime);
                    stat = loadStat(runtime);
                }
            } catch (Throwable t) {
                // LinkageError from jffi's native library, a missing symbol, or a failed probe.
                libc = null;
                runtime = null;
                cause = t;
            }
            SYSCALLS = cause == null ? new Native(libc, stat, runtime) : null;
            CAUSE = cause;
            COPY_FILE_RANGE = probed.copyFileRange;
            EPOLL_CAUSE = probed.epollCause;
            Throwable why = cause;
            // Expected absences (kill switch, another OS) at DEBUG; a binding broken on Linux at WARNING.
            Level level = cause == null || cause instanceof UnsupportedOperationException ? Level.DEBUG : Level.WARNING;
            System.getLogger(Native.class.getPackageName()).log(level, () -> why == null
                    ? "zerocopy-linux: available (copy_file_range " + (COPY_FILE_RANGE ? "present" : "absent")
                            + (EPOLL_CAUSE == null ? ", epoll present)" : ", epoll unusable: " + EPOLL_CAUSE + ")")
                    : "zerocopy-linux: unavailable: " + why);
        }

        /** @return the fstat binding if the C library has it and it reads a pipe's device, else null (logged at DEBUG) */
        private static Stat loadStat(Runtime runtime) {
            try {
                Stat stat = LibraryLoader.create(Stat.class).failImmediately().load("c");
                Pointer buf = runtime.getMemoryManager().allocateDirect(STAT_SIZE);
                if (stat.fstat(-1, buf.address()) != -1 || runtime.getLastError() != Errno.EBADF) {
                    throw new IllegalStateException("fstat probe: expected EBADF, errno " + runtime.getLastError());
                }
                return stat;
            } catch (RuntimeException | LinkageError e) {
                System.getLogger(Native.class.getPackageName()).log(Level.DEBUG,
                        () -> "zerocopy-linux: no fstat, reflink remembers no file system: " + e);
                return null;
            }
        }

        /** What the probe found besides a working binding. */
        private record Probed(boolean copyFileRange, Throwable epollCause) { }

        /** Calls every binding with arguments that must fail harmlessly, or on a pipe of its own. */
        private static Probed probe(LibC libc, Runtime runtime) {
            int[] fds = new int[2];
            if (libc.pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
                throw new IllegalStateException("pipe2 failed: errno " + runtime.getLastError());
            }
            try {
                if (libc.fcntl(fds[0], F_GETPIPE_SZ, 0) <= 0) {
                    throw new IllegalStateException("fcntl(F_GETPIPE_SZ) failed: errno " + runtime.getLastError());
                }
                if (libc.splice(-1, null, fds[1], null, 1, SPLICE_F_NONBLOCK) != -1
                        || runtime.getLastError() != Errno.EBADF) {
                    throw new IllegalStateException("splice probe: expected EBADF, errno " + runtime.getLastError());
                }
                if (libc.sendfile(fds[1], -1, null, 1) != -1 || runtime.getLastError() != Errno.EBADF) {
                    throw new IllegalStateException("sendfile probe: expected EBADF, errno " + runtime.getLastError());
                }
                if (libc.read(fds[0], 0, 0) != 0) {
                    throw new IllegalStateException("read probe failed: errno " + runtime.getLastError());
                }
                Pointer pfd = Runtime.getRuntime(libc).getMemoryManager().allocateDirect(8);
                pfd.putInt(0, fds[0]);
                pfd.putShort(4, POLLIN);
                pfd.putShort(6, (short) 0);
                if (libc.poll(pfd.address(), 1, 0) != 0) {
                    throw new IllegalStateException("poll probe: expected 0, errno " + runtime.getLastError());
                }
                if (libc.tee(-1, fds[1], 1, SPLICE_F_NONBLOCK) != -1 || runtime.getLastError() != Errno.EBADF) {
                    throw new IllegalStateException("tee probe: expected EBADF, errno " + runtime.getLastError());
                }
                if (libc.vmsplice(-1, 0, 0, 0) != -1 || runtime.getLastError() != Errno.EBADF) {
                    throw new IllegalStateException("vmsplice probe: expected EBADF, errno " + runtime.getLastError());
                }
                if (libc.ioctl(fds[0], FIONREAD, pfd.address()) != 0 || pfd.getInt(0) != 0) {
                    throw new IllegalStateException("ioctl(FIONREAD) probe failed: errno " + runtime.getLastError());
                }
                long r = libc.copy_file_range(-1, null, -1, null, 1, 0);
                int e = runtime.getLastError();
                if (r != -1 || (e != Errno.EBADF && e != Errno.ENOSYS)) {
                    throw new IllegalStateException("copy_file_range probe: expected EBADF, errno " + e);
                }
                return new Probed(Errno.action(Errno.Syscall.COPY_FILE_RANGE, e, true) != Errno.Action.FALLBACK_ENGINE,
                        probeEpoll(libc, runtime, fds[1]));
            } finally {
                libc.close(fds[0]);
                libc.close(fds[1]);
            }
        }

        /**
         * Watches an empty pipe's write end (so writable) with a new epoll instance and reads
         * the event back, which also checks the {@code struct epoll_event} layout.
         *
         * @return null, or why epoll cannot be used (the rest of the binding still can)
         */
        private static Throwable probeEpoll(LibC libc, Runtime runtime, int writable) {
            int ep = libc.epoll_create1(O_CLOEXEC);
            if (ep < 0) {
                return new IllegalStateException("epoll_create1 probe failed: errno " + runtime.getLastError());
            }
            try {
                long marker = 0x0123_4567_89AB_CDEFL;
                Pointer ev = runtime.getMemoryManager().allocateDirect(EPOLL_EVENT_SIZE);
                ev.putInt(0, EPOLLOUT);
                ev.putLong(EPOLL_DATA_OFFSET, marker);
                if (libc.epoll_ctl(ep, EPOLL_CTL_ADD, writable, ev.address()) != 0) {
                    return new IllegalStateException("epoll_ctl probe failed: errno " + runtime.getLastError());
                }
                ev.putInt(0, 0);
                ev.putLong(EPOLL_DATA_OFFSET, 0);
                int r = libc.epoll_wait(ep, ev.address(), 1, 0);
                if (r != 1 || ev.getInt(0) != EPOLLOUT || ev.getLong(EPOLL_DATA_OFFSET) != marker) {
                    return new IllegalStateException("epoll_wait probe: expected 1 event EPOLLOUT with data " + marker
                            + ", got " + r + " (errno " + runtime.getLastError() + ") events " + ev.getInt(0)
                            + " data " + ev.getLong(EPOLL_DATA_OFFSET));
                }
                if (libc.epoll_ctl(ep, EPOLL_CTL_DEL, writable, 0) != 0) {
                    return new IllegalStateException("epoll_ctl(DEL) probe failed: errno " + runtime.getLastError());
                }
                return null;
            } finally {
                libc.close(ep);
            }
        }
    }
}

package io.zerocopy.linux;

import java.nio.ByteBuffer;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/**
 * {@link Syscalls} bound with jnr-ffi: the binding on JDK 17 to 21, and on newer JDKs where
 * {@code java.lang.foreign} cannot be used ({@link Native#BINDING_PROPERTY}). The only class
 * that touches jnr-ffi or jffi; it is not loaded while the foreign binding serves. Internal:
 * not API.
 */
final class JnrSyscalls implements Syscalls {

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

        /** {@code int ioctl(int fd, unsigned long request, void *arg)} */
        int ioctl(int fd, @u_int64_t long request, @intptr_t long arg);

        /** {@code int pipe2(int pipefd[2], int flags)} */
        int pipe2(@Out int[] fds, int flags);

        /** {@code int fcntl(int fd, int cmd, int arg)} */
        int fcntl(int fd, int cmd, int arg);

        /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
        int poll(@intptr_t long fds, @u_int64_t long nfds, int timeout);

        /** {@code int epoll_create1(int flags)} */
        int epoll_create1(int flags);

        /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)} */
        int epoll_ctl(int epfd, int op, int fd, @intptr_t long event);

        /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)} */
        int epoll_wait(int epfd, @intptr_t long events, int maxEvents, int timeout);

        /** {@code ssize_t read(int fd, void *buf, size_t count)} */
        @ssize_t long read(int fd, @intptr_t long buf, @size_t long count);

        /** {@code ssize_t write(int fd, const void *buf, size_t count)} */
        @ssize_t long write(int fd, @intptr_t long buf, @size_t long count);

        /** {@code int close(int fd)} */
        int close(int fd);

        /** {@code long sysconf(int name)} */
        long sysconf(int name);

        /** {@code pid_t getpid(void)}; cannot fail. */
        @IgnoreError int getpid();

        /** {@code char *strerror(int errnum)}; cannot fail. */
        @IgnoreError String strerror(int errnum);
    }

    /**
     * {@code fstat}, bound apart from {@link LibC}: glibc exports the symbol only from 2.33 on
     * (before, {@code __fxstat}). Public for jnr-ffi, as {@link LibC}.
     */
    public interface Stat {

        /** {@code int fstat(int fd, struct stat *statbuf)} */
        int fstat(int fd, @intptr_t long stat);
    }

    private final LibC libc;
    private final Stat stat;
    private final Runtime runtime;
    private final com.kenai.jffi.MemoryIO memory = com.kenai.jffi.MemoryIO.getInstance();

    private JnrSyscalls(LibC libc, Stat stat, Runtime runtime) {
        this.libc = libc;
        this.stat = stat;
        this.runtime = runtime;
    }

    /**
     * Binds the C library.
     *
     * @return the binding (not yet probed)
     * @throws LinkageError if jffi's native library or a symbol cannot be loaded
     * @throws RuntimeException if jnr-ffi cannot generate the binding
     */
    static Syscalls load() {
        LibC libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
        Stat stat;
        try {
            stat = LibraryLoader.create(Stat.class).failImmediately().load("c");
        } catch (RuntimeException | LinkageError e) {
            stat = null;
        }
        return new JnrSyscalls(libc, stat, Runtime.getRuntime(libc));
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
        return result(libc.ioctl(targetFd, Native.FICLONERANGE, range));
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
    public long write(int fd, long buf, long count) {
        return result(libc.write(fd, buf, count));
    }

    @Override
    public int close(int fd) {
        return result(libc.close(fd));
    }

    @Override
    public long sysconf(int name) {
        long r = libc.sysconf(name);
        return r < 0 ? -runtime.getLastError() : r;
    }

    @Override
    public int getpid() {
        return libc.getpid();
    }

    @Override
    public String strerror(int errno) {
        return libc.strerror(errno);
    }

    /** io_uring is used through {@code java.lang.foreign} only (JDK 22+): its ring memory needs {@link #memory}. */
    @Override
    public int ioUringSetup(int entries, long params) {
        return -Errno.ENOSYS;
    }

    /** As {@link #ioUringSetup}. */
    @Override
    public int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, long arg, long argSize) {
        return -Errno.ENOSYS;
    }

    /** As {@link #ioUringSetup}. */
    @Override
    public int ioUringRegister(int fd, int opcode, long arg, int nrArgs) {
        return -Errno.ENOSYS;
    }

    /** Not bound: six numeric arguments, which jnr-ffi's x86-64 stubs mispass (see {@link Syscalls}); unused without io_uring. */
    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        return -Errno.ENOSYS;
    }

    /** Not bound, as {@link #mmap}. */
    @Override
    public int munmap(long addr, long length) {
        return -Errno.ENOSYS;
    }

    /** @throws UnsupportedOperationException always: reading native memory would take {@code sun.misc.Unsafe} or jffi's MemoryIO */
    @Override
    public NativeMemory memory(long address, long size) {
        throw new UnsupportedOperationException("native memory views need the java.lang.foreign binding (JDK 22+)");
    }

    @Override
    public long address(ByteBuffer direct) {
        return memory.getDirectBufferAddress(direct);
    }

    @Override
    public String toString() {
        return "jnr-ffi";
    }
}

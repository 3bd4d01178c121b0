package io.zerocopy.linux;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.zerocopy.testkit.Descriptors;

/**
 * The real binding with one fault: calls of one {@link Errno.Syscall} fail with a given errno,
 * from the n-th matching call on, a given number of times. {@link #drainsOnly()} narrows the
 * matching splice calls to drains (out of a pipe into a descriptor that is not one: what the
 * pooled splice and vmsplice do after filling their pipe), {@link #drainsInto} to drains into
 * one file or socket. Also counts down {@link #polled}
 * on every poll(2), so a test knows a transfer is waiting. Thread-safe.
 */
final class FaultySyscalls implements Syscalls {

    private final Syscalls real = Native.syscalls();
    private final Errno.Syscall call;
    private final int errno;
    private final AtomicInteger seen = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private int from = 1;
    private int times = Integer.MAX_VALUE;
    private boolean drainsOnly;
    private long fileSystemType;
    private String into;
    /** Counted down by every poll(2). */
    final CountDownLatch polled = new CountDownLatch(1);

    /**
     * @param call the call to fail; null for none
     * @param errno the errno it fails with
     */
    FaultySyscalls(Errno.Syscall call, int errno) {
        this.call = call;
        this.errno = errno;
    }

    /** @return a binding with no fault: only {@link #polled} */
    static FaultySyscalls none() {
        return new FaultySyscalls(null, 0);
    }

    /** @return this, failing from the {@code nth} matching call on (1 is the first) */
    FaultySyscalls from(int nth) {
        this.from = nth;
        return this;
    }

    /** @return this, failing {@code count} calls at most */
    FaultySyscalls times(int count) {
        this.times = count;
        return this;
    }

    /** @return this, reporting every file as on a file system of this {@code f_type} (fstatfs) */
    FaultySyscalls onFileSystem(long type) {
        this.fileSystemType = type;
        return this;
    }

    /** @return this, matching only splice calls out of a pipe into a descriptor that is not one */
    FaultySyscalls drainsOnly() {
        this.drainsOnly = true;
        return this;
    }

    /**
     * @param target what the descriptor refers to, as its {@code /proc/self/fd} link reads
     *     ({@link Descriptors#target}: a path, {@code socket:[inode]})
     * @return this, matching only splice calls out of a pipe into {@code target}
     */
    FaultySyscalls drainsInto(String target) {
        this.drainsOnly = true;
        this.into = target;
        return this;
    }

    /** @return calls of the faulty kind made so far, failed or not: with {@code from(Integer.MAX_VALUE)}, a counter */
    int calls() {
        return seen.get();
    }

    /** @return calls that failed so far */
    int failures() {
        return failed.get();
    }

    private boolean isPipe(int fd) {
        return real.fcntl(fd, Native.F_GETPIPE_SZ, 0) > 0;
    }

    /** @return true if this call of {@code c} is to fail */
    private boolean fault(Errno.Syscall c, int fdIn, int fdOut) {
        if (c != call || drainsOnly && !(isPipe(fdIn) && !isPipe(fdOut))
                || into != null && !into.equals(Descriptors.target(fdOut))) {
            return false;
        }
        if (seen.incrementAndGet() < from || failed.get() >= times) {
            return false;
        }
        failed.incrementAndGet();
        return true;
    }

    @Override
    public long splice(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, long len, int flags) {
        return fault(Errno.Syscall.SPLICE, fdIn, fdOut) ? -errno : real.splice(fdIn, offIn, fdOut, offOut, len, flags);
    }

    @Override
    public long copyFileRange(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, long len, int flags) {
        return fault(Errno.Syscall.COPY_FILE_RANGE, fdIn, fdOut) ? -errno
                : real.copyFileRange(fdIn, offIn, fdOut, offOut, len, flags);
    }

    @Override
    public long sendfile(int fdOut, int fdIn, ByteBuffer offIn, long count) {
        return fault(Errno.Syscall.SENDFILE, fdIn, fdOut) ? -errno : real.sendfile(fdOut, fdIn, offIn, count);
    }

    @Override
    public long tee(int fdIn, int fdOut, long len, int flags) {
        return fault(Errno.Syscall.TEE, fdIn, fdOut) ? -errno : real.tee(fdIn, fdOut, len, flags);
    }

    @Override
    public long vmsplice(int fd, long iov, long nrSegs, int flags) {
        return fault(Errno.Syscall.VMSPLICE, -1, fd) ? -errno : real.vmsplice(fd, iov, nrSegs, flags);
    }

    @Override
    public int ioctl(int fd, long request, long intAddress) {
        return fault(Errno.Syscall.IOCTL, fd, -1) ? -errno : real.ioctl(fd, request, intAddress);
    }

    @Override
    public int cloneRange(int targetFd, long range) {
        return fault(Errno.Syscall.IOCTL_FICLONE, targetFd, -1) ? -errno : real.cloneRange(targetFd, range);
    }

    @Override
    public int fstat(int fd, long stat) {
        return fault(Errno.Syscall.FSTAT, fd, -1) ? -errno : real.fstat(fd, stat);
    }

    @Override
    public int fstatfs(int fd, long statfs) {
        if (fault(Errno.Syscall.FSTATFS, fd, -1)) {
            return -errno;
        }
        int r = real.fstatfs(fd, statfs);
        if (r == 0 && fileSystemType != 0) {
            jnr.ffi.Pointer.wrap(jnr.ffi.Runtime.getSystemRuntime(), statfs).putLong(0, fileSystemType);
        }
        return r;
    }

    @Override
    public int pipe2(int[] fds, int flags) {
        return fault(Errno.Syscall.PIPE2, -1, -1) ? -errno : real.pipe2(fds, flags);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        Errno.Syscall c = cmd == Native.F_DUPFD_CLOEXEC ? Errno.Syscall.FCNTL_DUP : Errno.Syscall.FCNTL;
        return fault(c, fd, -1) ? -errno : real.fcntl(fd, cmd, arg);
    }

    @Override
    public int poll(long fds, int nfds, int timeoutMillis) {
        polled.countDown();
        return fault(Errno.Syscall.POLL, -1, -1) ? -errno : real.poll(fds, nfds, timeoutMillis);
    }

    @Override
    public int epollCreate1(int flags) {
        return fault(Errno.Syscall.EPOLL_CREATE1, -1, -1) ? -errno : real.epollCreate1(flags);
    }

    @Override
    public int epollCtl(int epfd, int op, int fd, long event) {
        return fault(Errno.Syscall.EPOLL_CTL, fd, -1) ? -errno : real.epollCtl(epfd, op, fd, event);
    }

    @Override
    public int epollWait(int epfd, long events, int maxEvents, int timeoutMillis) {
        return fault(Errno.Syscall.EPOLL_WAIT, -1, -1) ? -errno : real.epollWait(epfd, events, maxEvents, timeoutMillis);
    }

    @Override
    public long read(int fd, long buf, long count) {
        return fault(Errno.Syscall.READ, fd, -1) ? -errno : real.read(fd, buf, count);
    }

    @Override
    public long write(int fd, long buf, long count) {
        return real.write(fd, buf, count);
    }

    @Override
    public int close(int fd) {
        int r = real.close(fd); // as on Linux, the descriptor is released even when close fails
        return fault(Errno.Syscall.CLOSE, fd, -1) ? -errno : r;
    }

    @Override
    public int ioUringSetup(int entries, long params) {
        return fault(Errno.Syscall.IO_URING_SETUP, -1, -1) ? -errno : real.ioUringSetup(entries, params);
    }

    @Override
    public int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, long arg, long argSize) {
        return fault(Errno.Syscall.IO_URING_ENTER, fd, -1) ? -errno
                : real.ioUringEnter(fd, toSubmit, minComplete, flags, arg, argSize);
    }

    @Override
    public int ioUringRegister(int fd, int opcode, long arg, int nrArgs) {
        return fault(Errno.Syscall.IO_URING_REGISTER, fd, -1) ? -errno : real.ioUringRegister(fd, opcode, arg, nrArgs);
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        return fault(Errno.Syscall.MMAP, fd, -1) ? -errno : real.mmap(addr, length, prot, flags, fd, offset);
    }

    @Override
    public int munmap(long addr, long length) {
        return fault(Errno.Syscall.MUNMAP, -1, -1) ? -errno : real.munmap(addr, length);
    }

    @Override
    public NativeMemory memory(long address, long size) {
        return real.memory(address, size);
    }

    @Override
    public long sysconf(int name) {
        return real.sysconf(name);
    }

    @Override
    public int getpid() {
        return real.getpid();
    }

    @Override
    public String strerror(int errno) {
        return real.strerror(errno);
    }

    @Override
    public long address(java.nio.ByteBuffer direct) {
        return real.address(direct);
    }

    @Override
    public String toString() {
        return "FaultySyscalls[" + call + " -> errno " + errno + ", from call " + from + ", failed " + failed + "]";
    }
}

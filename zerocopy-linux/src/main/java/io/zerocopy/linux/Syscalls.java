package io.zerocopy.linux;

import java.nio.ByteBuffer;

/**
 * The system calls the strategies make, and nothing else. Internal: not API.
 *
 * <p>Every method returns what the call returns on success and {@code -errno} on failure, so a
 * caller reads no errno separately and hands a negative result to {@link Errno#action}. Native
 * memory is passed as an address ({@code long}; 0 for a null pointer): the caller owns it and
 * keeps it reachable during the call. The {@code loff_t} of the two six-argument calls (and sendfile's {@code off_t}) is an
 * 8-byte direct buffer in native order instead, or null: jnr-ffi's x86-64 stubs mispass the
 * sixth argument of a six-argument call that takes only numbers, and a buffer argument keeps
 * the call off that path without allocating. No type of a binding library appears here:
 * {@link JnrSyscalls} (jnr-ffi, JDK 17+) and {@code ForeignSyscalls} ({@code java.lang.foreign},
 * JDK 22+, in the jar's {@code META-INF/versions/22}) implement it.
 *
 * <p>{@link Native#syscalls()} is the production implementation; tests wrap it to inject
 * faults. Implementations are thread-safe and allocate nothing per call (but {@link #pipe2}
 * and {@link #strerror}).
 */
interface Syscalls {

    /** {@code splice(2)}: {@code offIn}, {@code offOut} hold an {@code loff_t} the kernel advances, or are null. */
    long splice(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, long len, int flags);

    /** {@code copy_file_range(2)}: offsets as for {@link #splice}. */
    long copyFileRange(int fdIn, ByteBuffer offIn, int fdOut, ByteBuffer offOut, long len, int flags);

    /**
     * {@code sendfile(2)}: from a file at {@code offIn} (advanced by the kernel; never null here)
     * to any descriptor, a socket above all.
     */
    long sendfile(int fdOut, int fdIn, ByteBuffer offIn, long count);

    /** {@code tee(2)}: duplicates pipe content. */
    long tee(int fdIn, int fdOut, long len, int flags);

    /**
     * {@code vmsplice(2)}: maps user pages into a pipe; the kernel may read them until the
     * bytes leave the system.
     *
     * @param iov address of {@code nrSegs} {@code struct iovec}
     */
    long vmsplice(int fd, long iov, long nrSegs, int flags);

    /** {@code ioctl(2)} with an {@code int *} argument ({@code SIOCOUTQ}, {@code FIONREAD}). */
    int ioctl(int fd, long request, long intAddress);

    /**
     * {@code ioctl(targetFd, FICLONERANGE, range)}: shares the source's extents with the target.
     *
     * @param range address of a {@code struct file_clone_range} ({@link Native#FILE_CLONE_RANGE_SIZE} bytes)
     */
    int cloneRange(int targetFd, long range);

    /**
     * {@code fstat(2)}; {@code -ENOSYS} where the C library has no {@code fstat} symbol (glibc before 2.33).
     *
     * @param stat address of {@link Native#STAT_SIZE} bytes for a {@code struct stat}
     */
    int fstat(int fd, long stat);

    /**
     * {@code fstatfs(2)}.
     *
     * @param statfs address of {@link Native#STATFS_SIZE} bytes for a {@code struct statfs}
     */
    int fstatfs(int fd, long statfs);

    /** {@code pipe2(2)}: fills {@code fds} with the read and write ends; @return 0 or -errno. */
    int pipe2(int[] fds, int flags);

    /** {@code fcntl(2)} with an int argument. */
    int fcntl(int fd, int cmd, int arg);

    /** {@code poll(2)} on {@code nfds} {@code struct pollfd} at {@code fds}. */
    int poll(long fds, int nfds, int timeoutMillis);

    /** {@code epoll_create1(2)}: @return a new epoll descriptor */
    int epollCreate1(int flags);

    /**
     * {@code epoll_ctl(2)}.
     *
     * @param event address of a {@code struct epoll_event} ({@link Native#EPOLL_EVENT_SIZE} bytes), or 0 for
     *     {@link Native#EPOLL_CTL_DEL}
     */
    int epollCtl(int epfd, int op, int fd, long event);

    /** {@code epoll_wait(2)}: fills up to {@code maxEvents} {@code struct epoll_event} at {@code events}. */
    int epollWait(int epfd, long events, int maxEvents, int timeoutMillis);

    /** {@code read(2)} into native memory. */
    long read(int fd, long buf, long count);

    /** {@code write(2)} from native memory (the io_uring loop's wake-up: not interruptible, unlike a JDK channel's write). */
    long write(int fd, long buf, long count);

    /** {@code close(2)}; the descriptor is released even when it fails. */
    int close(int fd);

    /** {@code sysconf(3)}: a system limit such as {@link Native#SC_PAGESIZE}. */
    long sysconf(int name);

    /** {@code getpid(2)}: cannot fail; the cheapest call, which measures a binding's own cost. */
    int getpid();

    /** {@code strerror(3)}: @return the description of an errno value, never null */
    String strerror(int errno);

    /**
     * {@code io_uring_setup(2)}, through {@code syscall(2)} (number 425 on x86_64, aarch64 and
     * riscv64). The jnr-ffi binding answers {@code -ENOSYS}: io_uring is used on JDK 22+ only.
     *
     * @param params address of a {@code struct io_uring_params} ({@link IoUring#PARAMS_SIZE} bytes)
     * @return the ring's descriptor
     */
    int ioUringSetup(int entries, long params);

    /**
     * {@code io_uring_enter(2)} (426). May block (with {@link IoUring#ENTER_GETEVENTS}); the
     * jnr-ffi binding answers {@code -ENOSYS}.
     *
     * @param arg a signal mask, or with {@link IoUring#ENTER_EXT_ARG} a {@code struct io_uring_getevents_arg}; 0 for none
     * @return SQEs consumed
     */
    int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, long arg, long argSize);

    /** {@code io_uring_register(2)} (427); the jnr-ffi binding answers {@code -ENOSYS}. */
    int ioUringRegister(int fd, int opcode, long arg, int nrArgs);

    /**
     * {@code mmap(2)}; the jnr-ffi binding answers {@code -ENOSYS} (six numeric arguments: see
     * above).
     *
     * @return the address of the mapping, or {@code -errno} (mappings are never in the top 4 KiB)
     */
    long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    /** {@code munmap(2)}. */
    int munmap(long addr, long length);

    /**
     * Not a call: a view of native memory the caller owns (a mapping of {@link #mmap}), with
     * the plain, acquire and release accesses a shared ring needs. Only the
     * {@code java.lang.foreign} binding reads native memory without {@code sun.misc.Unsafe};
     * the jnr-ffi binding throws.
     *
     * @param address start of the memory
     * @param size its length in bytes; accesses outside fail
     * @return the view, valid while the memory is
     * @throws UnsupportedOperationException in the jnr-ffi binding
     */
    NativeMemory memory(long address, long size);

    /**
     * Not a call: the native address of a direct buffer's element 0, read through the binding
     * (JNI for jnr-ffi, {@code MemorySegment.ofBuffer} for the foreign binding).
     *
     * @param direct a direct buffer
     * @return its address
     */
    long address(ByteBuffer direct);
}

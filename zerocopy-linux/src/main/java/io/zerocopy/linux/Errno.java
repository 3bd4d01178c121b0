package io.zerocopy.linux;

import io.zerocopy.spi.Outcome;

/**
 * The one place where an errno gets a meaning: what a caller does about a failed call, by the
 * call, the errno and whether anything moved yet. Internal: not API. Every strategy and helper
 * asks {@link #action}; none tests an errno itself.
 *
 * <table>
 *   <caption>(call, errno) → action</caption>
 *   <tr><th>call</th><th>errno</th><th>action</th><th>why</th></tr>
 *   <tr><td>every call but close</td><td>EINTR</td><td>{@link Action#RETRY}</td>
 *       <td>a signal arrived before anything happened</td></tr>
 *   <tr><td>close</td><td>any, EINTR too</td><td>{@link Action#FAIL}</td>
 *       <td>the descriptor is released even when close fails; retrying could close a reused number</td></tr>
 *   <tr><td>splice, sendfile, tee, read</td><td>EAGAIN</td><td>{@link Action#WAIT}</td>
 *       <td>a non-blocking descriptor that can become ready: wait with poll(2), call again</td></tr>
 *   <tr><td>copy_file_range</td><td>EAGAIN</td><td>{@link Action#FALLBACK_TRANSFER}</td>
 *       <td>regular files are never "not ready": a file system that says so cannot serve this copy</td></tr>
 *   <tr><td>vmsplice</td><td>EAGAIN</td><td>{@link Action#FAIL}</td>
 *       <td>it is only called into an empty pipe, which always has room: waiting would never end</td></tr>
 *   <tr><td>splice, sendfile, tee, vmsplice, copy_file_range, pipe2, fcntl dup</td>
 *       <td>EINVAL, EXDEV, EOPNOTSUPP, ESPIPE, EBADF, EPERM</td><td>{@link Action#FALLBACK_TRANSFER}</td>
 *       <td>these descriptors or files cannot use this call (EPERM: copy_file_range on an immutable
 *       or append-only file)</td></tr>
 *   <tr><td>splice, sendfile, tee, vmsplice, copy_file_range, pipe2, fcntl dup</td><td>EMFILE, ENFILE</td>
 *       <td>{@link Action#FALLBACK_TRANSFER}</td><td>out of descriptors: the portable path needs none</td></tr>
 *   <tr><td>copy_file_range, nothing moved yet</td><td>EIO</td><td>{@link Action#FALLBACK_TRANSFER}</td>
 *       <td>file systems (procfs, some FUSE) refuse the call outright; after bytes moved it is a real error</td></tr>
 *   <tr><td>splice, sendfile, tee, vmsplice, copy_file_range, pipe2, fcntl dup</td><td>ENOSYS</td>
 *       <td>{@link Action#FALLBACK_ENGINE}</td><td>the kernel lacks the call: the only engine-wide refusal</td></tr>
 *   <tr><td>ioctl(FICLONERANGE)</td><td>EOPNOTSUPP, ENOTTY, EXDEV</td><td>{@link Action#FALLBACK_TRANSFER}</td>
 *       <td>no extent sharing on this file system, or across these two: {@link #refusedByFileSystem}, so
 *       the caller remembers it per file system pair</td></tr>
 *   <tr><td>ioctl(FICLONERANGE)</td><td>EINVAL, EPERM, EBADF, ETXTBSY, EISDIR</td>
 *       <td>{@link Action#FALLBACK_TRANSFER}</td><td>this range or these files only: EINVAL is a range
 *       not on block boundaries (or overlapping in one file), EPERM an immutable or append-only file, EBADF a
 *       target not open for writing, ETXTBSY a swap file or running executable, EISDIR a directory</td></tr>
 *   <tr><td>ioctl(FICLONERANGE)</td><td>ENOSYS</td><td>{@link Action#FALLBACK_ENGINE}</td>
 *       <td>no such call in this process</td></tr>
 *   <tr><td>epoll_ctl</td><td>EEXIST, ENOENT</td><td>{@link Action#SWITCH_OP}</td>
 *       <td>the descriptor is (ADD) or is not (MOD, DEL) registered already: use the other operation</td></tr>
 *   <tr><td>io_uring_setup</td><td>ENOSYS, EPERM, EACCES</td><td>{@link Action#FALLBACK_ENGINE}</td>
 *       <td>io_uring denied in this process: a kernel without it, {@code kernel.io_uring_disabled}, a
 *       seccomp filter returning an errno (Docker's default profile: EPERM), an LSM (EACCES)</td></tr>
 *   <tr><td>io_uring_setup</td><td>EINVAL</td><td>{@link Action#FALLBACK_TRANSFER}</td>
 *       <td>a setup flag this kernel lacks: set up again with fewer flags</td></tr>
 *   <tr><td>io_uring_setup</td><td>ENOMEM, EMFILE, ENFILE</td><td>{@link Action#FALLBACK_TRANSFER}</td>
 *       <td>no ring now (locked memory before 5.12, descriptors): the portable path needs none</td></tr>
 *   <tr><td>io_uring_enter</td><td>EAGAIN, EBUSY, ETIME</td><td>{@link Action#WAIT}</td>
 *       <td>completions to reap first (EBUSY: overflowed completions; EAGAIN: no memory for a request
 *       now), or the wait's own timeout elapsed (ETIME): reap, then enter again</td></tr>
 *   <tr><td>io_uring_register</td><td>EINVAL</td><td>{@link Action#FALLBACK_TRANSFER}</td>
 *       <td>an opcode this kernel lacks: that option is absent, the ring still works</td></tr>
 *   <tr><td>SEND_ZC (a completion's result)</td><td>EAGAIN</td><td>{@link Action#WAIT}</td>
 *       <td>not expected (the ring polls the socket itself): wait for the socket, send again</td></tr>
 *   <tr><td>SEND_ZC</td><td>EINVAL, EOPNOTSUPP, EBADF, ENOTSOCK</td><td>{@link Action#FALLBACK_TRANSFER}</td>
 *       <td>this socket cannot send zerocopy (a UNIX socket: EOPNOTSUPP); its result says 0 bytes moved</td></tr>
 *   <tr><td>SEND_ZC</td><td>ENOSYS</td><td>{@link Action#FALLBACK_ENGINE}</td><td>as for the other calls</td></tr>
 *   <tr><td>SEND_ZC after its ASYNC_CANCEL</td><td>ECANCELED, EINTR, ERESTARTSYS (512, leaks from the
 *       kernel)</td><td>{@link #cancelled}</td><td>stopped before a byte moved (a result of 0 or more is
 *       the bytes sent before the cancel)</td></tr>
 *   <tr><td>mmap, munmap</td><td>any but EINTR</td><td>{@link Action#FAIL}</td><td>a real error</td></tr>
 *   <tr><td>any</td><td>anything else (EPIPE, ECONNRESET, ENOSPC, EIO after bytes moved, ENOMEM, ...)</td>
 *       <td>{@link Action#FAIL}</td><td>a real error: {@link #exception} keeps errno and the call's name</td></tr>
 * </table>
 *
 * <p>epoll_ctl: EEXIST (on ADD) and ENOENT (on MOD or DEL) are {@link Action#SWITCH_OP}: the
 * descriptor's registration is not what the operation assumed, so ADD becomes MOD, MOD becomes
 * ADD, and a DEL has nothing left to do.
 *
 * <p>fcntl (other than dup), read, poll, fstat, ioctl (other than FICLONERANGE) and the epoll
 * calls have no fallback: every errno but EINTR (and EAGAIN for read) fails. A call that
 * returns 0 where bytes had to move is classified as the errno a strategy names for it
 * ({@link #EINVAL} for a target that took nothing from a pipe, {@link #EIO} otherwise).
 *
 * <p>errno values are the asm-generic ones shared by x86_64, aarch64 and riscv64, the only
 * architectures on which the binding loads.
 */
final class Errno {

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EXDEV = 18;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ENOTTY = 25;
    static final int ETXTBSY = 26;
    static final int ENOSPC = 28;
    static final int ESPIPE = 29;
    static final int EPIPE = 32;
    static final int ENOSYS = 38;
    static final int ETIME = 62;
    static final int ENOTSOCK = 88;
    static final int EOPNOTSUPP = 95;
    static final int ECONNRESET = 104;
    static final int EALREADY = 114;
    static final int ECANCELED = 125;
    /** Kernel-internal "restart the call"; an io_uring completion may carry it after a cancel. */
    static final int ERESTARTSYS = 512;

    /** The calls this module makes, by their C names. */
    enum Syscall {
        SPLICE("splice"),
        SENDFILE("sendfile"),
        TEE("tee"),
        VMSPLICE("vmsplice"),
        COPY_FILE_RANGE("copy_file_range"),
        /** {@code ioctl(FICLONERANGE)}: its own rows (see the class comment), apart from {@link #mayRefuse()}. */
        IOCTL_FICLONE("ioctl(FICLONERANGE)"),
        PIPE2("pipe2"),
        FCNTL_DUP("fcntl(F_DUPFD_CLOEXEC)"),
        FCNTL("fcntl"),
        READ("read"),
        POLL("poll"),
        IOCTL("ioctl"),
        FSTAT("fstat"),
        FSTATFS("fstatfs"),
        EPOLL_CREATE1("epoll_create1"),
        EPOLL_CTL("epoll_ctl"),
        EPOLL_WAIT("epoll_wait"),
        CLOSE("close"),
        IO_URING_SETUP("io_uring_setup"),
        IO_URING_ENTER("io_uring_enter"),
        IO_URING_REGISTER("io_uring_register"),
        /** An {@code IORING_OP_SEND_ZC}: the errno is a completion's negative result. */
        SEND_ZC("io_uring SEND_ZC"),
        MMAP("mmap"),
        MUNMAP("munmap");

        private final String cName;

        Syscall(String cName) {
            this.cName = cName;
        }

        /** @return true for the calls that may refuse a path (move bytes, or make a descriptor for it) */
        boolean mayRefuse() {
            return ordinal() <= FCNTL_DUP.ordinal() && this != IOCTL_FICLONE;
        }

        @Override
        public String toString() {
            return cName;
        }
    }

    /** What a caller does about a failed call. */
    enum Action {
        /** Call again at once. */
        RETRY,
        /** A non-blocking descriptor is not ready: wait for it, then call again. */
        WAIT,
        /** This path cannot serve this transfer: deliver what is in flight, then {@link #unsupported}. */
        FALLBACK_TRANSFER,
        /** This path never works in this process: {@link #unsupported}, remembered by the engine. */
        FALLBACK_ENGINE,
        /** epoll_ctl only: the registration is not as the operation assumed (see the class comment). */
        SWITCH_OP,
        /** A real I/O error: throw {@link #exception}. */
        FAIL;

        /** @return true for either fallback */
        boolean isFallback() {
            return this == FALLBACK_TRANSFER || this == FALLBACK_ENGINE;
        }
    }

    private Errno() { }

    /**
     * The table (see the class comment).
     *
     * @param call the call that failed
     * @param errno its errno, positive
     * @param nothingMoved true if no byte has moved yet in this transfer
     * @return what to do
     */
    static Action action(Syscall call, int errno, boolean nothingMoved) {
        if (call == Syscall.CLOSE) {
            return Action.FAIL;
        }
        if (call == Syscall.IOCTL_FICLONE) {
            return cloneAction(errno);
        }
        if (call.compareTo(Syscall.IO_URING_SETUP) >= 0) {
            return ioUringAction(call, errno);
        }
        switch (errno) {
            case EINTR:
                return Action.RETRY;
            case EAGAIN:
                if (call == Syscall.SPLICE || call == Syscall.SENDFILE || call == Syscall.TEE || call == Syscall.READ) {
                    return Action.WAIT;
                }
                return call == Syscall.COPY_FILE_RANGE ? Action.FALLBACK_TRANSFER : Action.FAIL;
            case EINVAL:
            case EXDEV:
            case EOPNOTSUPP:
            case ESPIPE:
            case EBADF:
            case EPERM:
            case EMFILE:
            case ENFILE:
                return call.mayRefuse() ? Action.FALLBACK_TRANSFER : Action.FAIL;
            case ENOSYS:
                return call.mayRefuse() ? Action.FALLBACK_ENGINE : Action.FAIL;
            case EIO:
                return call == Syscall.COPY_FILE_RANGE && nothingMoved ? Action.FALLBACK_TRANSFER : Action.FAIL;
            case ENOENT:
            case EEXIST:
                return call == Syscall.EPOLL_CTL ? Action.SWITCH_OP : Action.FAIL;
            default:
                return Action.FAIL;
        }
    }

    private static Action cloneAction(int errno) {
        switch (errno) {
            case EINTR:
                return Action.RETRY;
            case EOPNOTSUPP:
            case ENOTTY:
            case EXDEV:
            case EINVAL:
            case EPERM:
            case EBADF:
            case ETXTBSY:
            case EISDIR:
                return Action.FALLBACK_TRANSFER;
            case ENOSYS:
                return Action.FALLBACK_ENGINE;
            default:
                return Action.FAIL;
        }
    }

    private static Action ioUringAction(Syscall call, int errno) {
        if (errno == EINTR) {
            return Action.RETRY;
        }
        switch (call) {
            case IO_URING_SETUP:
                switch (errno) {
                    case ENOSYS:
                    case EPERM:
                    case EACCES:
                        return Action.FALLBACK_ENGINE;
                    case EINVAL:
                    case ENOMEM:
                    case EMFILE:
                    case ENFILE:
                        return Action.FALLBACK_TRANSFER;
                    default:
                        return Action.FAIL;
                }
            case IO_URING_ENTER:
                return errno == EAGAIN || errno == EBUSY || errno == ETIME ? Action.WAIT : Action.FAIL;
            case IO_URING_REGISTER:
                return errno == EINVAL ? Action.FALLBACK_TRANSFER : Action.FAIL;
            case SEND_ZC:
                switch (errno) {
                    case EAGAIN:
                        return Action.WAIT;
                    case EINVAL:
                    case EOPNOTSUPP:
                    case EBADF:
                    case ENOTSOCK:
                        return Action.FALLBACK_TRANSFER;
                    case ENOSYS:
                        return Action.FALLBACK_ENGINE;
                    default:
                        return Action.FAIL;
                }
            default:
                return Action.FAIL;
        }
    }

    /**
     * @param errno the negated result of an operation this process cancelled ({@code ASYNC_CANCEL})
     * @return true if it says "stopped, nothing moved" rather than an error of its own
     */
    static boolean cancelled(int errno) {
        return errno == ECANCELED || errno == EINTR || errno == ERESTARTSYS;
    }

    /**
     * Whether a refusal is the file system's (or the pair's) for good, so that a caller may
     * remember it per file system: for {@code ioctl(FICLONERANGE)}, EOPNOTSUPP, ENOTTY (no
     * reflink on this file system) and EXDEV (source and target on different ones). Not EINVAL:
     * that is one range's alignment, and another transfer may be aligned.
     *
     * @param call the call that failed
     * @param errno its errno
     * @return true if every later call on the same file systems would refuse alike
     */
    static boolean refusedByFileSystem(Syscall call, int errno) {
        return call == Syscall.IOCTL_FICLONE && (errno == EOPNOTSUPP || errno == ENOTTY || errno == EXDEV);
    }

    /**
     * @param call the call that failed
     * @param errno an errno that {@link #action} answered a fallback for
     * @return the unsupported outcome, scoped as the table says
     */
    static Outcome unsupported(Syscall call, int errno) {
        Outcome.Scope scope = action(call, errno, true) == Action.FALLBACK_ENGINE
                ? Outcome.Scope.ENGINE : Outcome.Scope.TRANSFER;
        return Outcome.unsupported(scope, call + ": " + Native.describe(errno) + " (errno " + errno + ")");
    }

    /**
     * @param call the call that failed
     * @param errno its errno
     * @return the exception to throw
     */
    static NativeIOException exception(Syscall call, int errno) {
        return new NativeIOException(call.toString(), errno, Native.describe(errno));
    }
}

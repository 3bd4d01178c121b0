package io.zerocopy.linux;

import java.io.Closeable;
import java.nio.ByteBuffer;

/**
 * One io_uring instance: its descriptor, its submission and completion rings and its SQE array
 * mapped into this process, the preparation of the operations this module uses, submission,
 * waiting and reaping. Internal: not API. Layouts, numbers and the memory-ordering rules are
 * those of uapi {@code linux/io_uring.h} and liburing (docs/linux.md, "io_uring (JDK 22+)").
 *
 * <p><b>One owner at a time.</b> A ring is not thread-safe: one thread prepares, submits,
 * waits and reaps, from {@link #open} or from a hand-over with a happens-before edge (a
 * {@link RingPool} lease) until {@link #close}. It is set up without
 * {@code IORING_SETUP_SINGLE_ISSUER} and {@code DEFER_TASKRUN}, so successive owners may be
 * different threads, and a completion is posted without the owner entering the ring, so that it
 * may wait for one with poll(2) or epoll on {@link #fd()} (which is readable while completions
 * are there).
 *
 * <p><b>Memory ordering</b> (the kernel's rules, {@code io_uring/io_uring.c} header comment;
 * liburing's uses in {@code liburing.h} and {@code queue.c}): SQE bytes and the SQ array are
 * stored plainly and published by a release store of the SQ tail; the SQ head is read with
 * acquire before an SQE slot is reused; the CQ tail is read with acquire before the CQEs it
 * covers; the CQ head is stored with release after they were read; the SQ flags are read
 * opaquely ({@code READ_ONCE}). Ring masks and sizes are read once at setup. All of it goes
 * through {@link NativeMemory}, which only the {@code java.lang.foreign} binding provides: on
 * the jnr-ffi binding {@link #open} fails with {@code ENOSYS}.
 *
 * <p>Bounded: at most {@link #sqEntries()} prepared and not yet consumed SQEs; the completion
 * queue is twice as large ({@code IORING_SETUP_CQSIZE}) and the kernel keeps overflowing
 * completions rather than dropping them ({@code IORING_FEAT_NODROP}, required).
 */
final class IoUring implements Closeable {

    /** Bytes of a {@code struct io_uring_params}. */
    static final int PARAMS_SIZE = 120;

    static final int SETUP_CQSIZE = 1 << 3;
    static final int SETUP_SUBMIT_ALL = 1 << 7;
    static final int SETUP_COOP_TASKRUN = 1 << 8;
    /**
     * Setup flags tried in order; each refused with EINVAL ({@link Errno}) makes way for the
     * next. {@code COOP_TASKRUN} (5.19) spares the owner an interrupt per completion (a
     * sleeping owner is still woken); {@code SUBMIT_ALL} (5.18) keeps submitting past an SQE
     * that fails inline. Not {@code SINGLE_ISSUER}/{@code DEFER_TASKRUN}: see the class comment.
     */
    static final int[] SETUP_FLAGS = {SETUP_CQSIZE | SETUP_SUBMIT_ALL | SETUP_COOP_TASKRUN, SETUP_CQSIZE, 0};

    static final int FEAT_SINGLE_MMAP = 1;
    static final int FEAT_NODROP = 1 << 1;
    static final int FEAT_EXT_ARG = 1 << 8;
    /** Features {@link #open} requires (5.4, 5.5, 5.11). */
    static final int REQUIRED_FEATURES = FEAT_SINGLE_MMAP | FEAT_NODROP | FEAT_EXT_ARG;

    static final int ENTER_GETEVENTS = 1;
    static final int ENTER_EXT_ARG = 1 << 3;

    static final int REGISTER_PROBE = 8;
    static final int REGISTER_IOWQ_MAX_WORKERS = 19;

    static final byte OP_NOP = 0;
    static final byte OP_POLL_ADD = 6;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_SPLICE = 30;
    static final byte OP_SEND_ZC = 47;

    /** {@code SPLICE_F_NONBLOCK}: the pipe side does not block (the call still goes to io-wq). */
    static final int SPLICE_F_NONBLOCK = 0x02;

    /** {@code IORING_CQE_F_MORE}: another completion of the same operation follows. */
    static final int CQE_F_MORE = 1 << 1;
    /** {@code IORING_CQE_F_NOTIF}: a zerocopy send's notification: the kernel no longer reads its buffer. */
    static final int CQE_F_NOTIF = 1 << 3;
    /** {@code IORING_SQ_CQ_OVERFLOW} in the SQ flags: completions wait in the kernel for room. */
    static final int SQ_CQ_OVERFLOW = 1 << 1;

    static final int MSG_WAITALL = 0x100;

    private static final int SQE_SIZE = 64;
    private static final int CQE_SIZE = 16;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_SQES = 0x1000_0000L;
    /** {@code struct io_uring_probe}: 16-byte header, then 8 bytes per op. */
    private static final int PROBE_OPS = 256;
    private static final int PROBE_SIZE = 16 + 8 * PROBE_OPS;
    /** {@code struct io_uring_getevents_arg} (24 bytes), then the {@code struct __kernel_timespec} it points to. */
    private static final int GETEVENTS_ARG = 0;
    private static final int TIMESPEC = 24;
    private static final int SCRATCH = Math.max(PARAMS_SIZE, Math.max(PROBE_SIZE, TIMESPEC + 16));

    private final Syscalls sys;
    private final int fd;
    private final int setupFlags;
    private final int features;
    private final long ringAddress;
    private final long ringSize;
    private final long sqesAddress;
    private final long sqesSize;
    private final NativeMemory ring;
    private final NativeMemory sqes;
    private final int sqEntries;
    private final int sqMask;
    private final int cqMask;
    private final int sqHead;
    private final int sqTail;
    private final int sqFlags;
    private final int cqHead;
    private final int cqTail;
    private final int cqes;
    /** Kernel structures passed by address: params at setup, then probe, getevents_arg, iowq limits. */
    private final ByteBuffer scratch;
    private final long scratchAddress;
    /** Our copy of the SQ tail (only we write it); prepared SQEs not yet consumed by the kernel. */
    private int tail;
    private int unsubmitted;
    private boolean closed;

    private IoUring(Syscalls sys, int fd, int setupFlags, ByteBuffer scratch) throws NativeIOException {
        this.sys = sys;
        this.fd = fd;
        this.setupFlags = setupFlags;
        this.scratch = scratch;
        this.scratchAddress = ChannelDescriptors.address(scratch);
        this.sqEntries = scratch.getInt(0);
        int cqEntries = scratch.getInt(4);
        this.features = scratch.getInt(20);
        this.sqHead = scratch.getInt(40);
        this.sqTail = scratch.getInt(44);
        this.sqFlags = scratch.getInt(56);
        int sqArray = scratch.getInt(64);
        this.cqHead = scratch.getInt(80);
        this.cqTail = scratch.getInt(84);
        this.cqes = scratch.getInt(100);
        if ((features & REQUIRED_FEATURES) != REQUIRED_FEATURES) {
            throw new NativeIOException("io_uring_setup", Errno.EINVAL, String.format(
                    "kernel lacks io_uring features 0x%x (has 0x%x; needs SINGLE_MMAP 5.4, NODROP 5.5, EXT_ARG 5.11)",
                    REQUIRED_FEATURES & ~features, features));
        }
        this.ringSize = Math.max(sqArray + 4L * sqEntries, cqes + (long) CQE_SIZE * cqEntries);
        this.sqesSize = (long) SQE_SIZE * sqEntries;
        long r = sys.mmap(0, ringSize, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, OFF_SQ_RING);
        if (r < 0) {
            throw Errno.exception(Errno.Syscall.MMAP, (int) -r);
        }
        this.ringAddress = r;
        long s = sys.mmap(0, sqesSize, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, OFF_SQES);
        if (s < 0) {
            sys.munmap(ringAddress, ringSize);
            throw Errno.exception(Errno.Syscall.MMAP, (int) -s);
        }
        this.sqesAddress = s;
        try {
            this.ring = sys.memory(ringAddress, ringSize);
            this.sqes = sys.memory(sqesAddress, sqesSize);
        } catch (RuntimeException e) {
            sys.munmap(sqesAddress, sqesSize);
            sys.munmap(ringAddress, ringSize);
            throw e;
        }
        this.sqMask = ring.getInt(scratch.getInt(48));
        this.cqMask = ring.getInt(scratch.getInt(88));
        for (int i = 0; i < sqEntries; i++) {
            ring.putInt(sqArray + 4L * i, i); // identity: SQE i is at index i, published with each tail
        }
        this.tail = ring.getInt(sqTail);
    }

    /**
     * Sets up a ring with the first {@link #SETUP_FLAGS} this kernel accepts and maps it.
     *
     * @param sys the binding
     * @param entries SQ size (a power of two at most 32768); the CQ gets twice as many
     * @return the ring, owned by the calling thread
     * @throws NativeIOException with the errno of io_uring_setup (after every flag set was
     *     refused, that of the last), or of mmap, or {@code EINVAL} for a kernel without the
     *     {@link #REQUIRED_FEATURES}
     * @throws UnsupportedOperationException from {@link Syscalls#memory} (jnr-ffi; not reached
     *     there, as its io_uring_setup fails with {@code ENOSYS})
     */
    static IoUring open(Syscalls sys, int entries) throws NativeIOException {
        ByteBuffer scratch = ChannelDescriptors.scratch(SCRATCH);
        long address = ChannelDescriptors.address(scratch);
        int errno = 0;
        for (int flags : SETUP_FLAGS) {
            for (int i = 0; i < PARAMS_SIZE; i += 8) {
                scratch.putLong(i, 0);
            }
            scratch.putInt(8, flags);
            scratch.putInt(4, 2 * entries);
            int r;
            do {
                r = sys.ioUringSetup(entries, address);
            } while (r < 0 && Errno.action(Errno.Syscall.IO_URING_SETUP, -r, true) == Errno.Action.RETRY);
            if (r >= 0) {
                try {
                    return new IoUring(sys, r, flags, scratch);
                } catch (NativeIOException | RuntimeException e) {
                    sys.close(r);
                    throw e;
                }
            }
            errno = -r;
            if (errno != Errno.EINVAL) {
                break; // EINVAL: flags this kernel lacks, try fewer; anything else will not change
            }
        }
        throw Errno.exception(Errno.Syscall.IO_URING_SETUP, errno);
    }

    /** @return the ring's descriptor: readable (POLLIN) while completions wait to be reaped */
    int fd() {
        return fd;
    }

    /** @return the setup flags the kernel accepted (one of {@link #SETUP_FLAGS}) */
    int setupFlags() {
        return setupFlags;
    }

    /** @return the kernel's {@code IORING_FEAT_*} bits */
    int features() {
        return features;
    }

    /** @return SQ entries: the most SQEs prepared and not yet consumed */
    int sqEntries() {
        return sqEntries;
    }

    /** @return bytes of this process's address space mapped for the ring (rings and SQE array) */
    long mappedBytes() {
        return ringSize + sqesSize;
    }

    /**
     * @return the offset in the SQE array of a zeroed SQE at the tail, not yet published; -1 if
     *     the SQ is full (submit, then prepare again)
     */
    private long next() {
        if (tail - ring.getIntAcquire(sqHead) >= sqEntries) {
            return -1; // the head (acquire) says which slots the kernel has consumed
        }
        long at = (long) SQE_SIZE * (tail & sqMask);
        for (int i = 0; i < SQE_SIZE; i += 8) {
            sqes.putLong(at + i, 0);
        }
        tail++;
        unsubmitted++;
        return at;
    }

    private boolean prepare(byte op, int fd, long addr, int len, int opFlags, long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        sqes.putByte(at, op);
        sqes.putInt(at + 4, fd);
        sqes.putLong(at + 16, addr);
        sqes.putInt(at + 24, len);
        sqes.putInt(at + 28, opFlags);
        sqes.putLong(at + 32, userData);
        return true;
    }

    /** Prepares a NOP; @return false if the SQ is full */
    boolean nop(long userData) {
        return prepare(OP_NOP, -1, 0, 0, 0, userData);
    }

    /**
     * Prepares a one-shot POLL_ADD: its completion's result is the {@code revents}.
     *
     * @param events {@link Native#POLLIN}, {@link Native#POLLOUT}
     * @return false if the SQ is full
     */
    boolean pollAdd(int fd, int events, long userData) {
        return prepare(OP_POLL_ADD, fd, 0, 0, events & 0xFFFF, userData);
    }

    /**
     * Prepares an ASYNC_CANCEL of the operation submitted with {@code target}; its own
     * completion's result is 0 (found), {@code -ENOENT} (already complete) or {@code -EALREADY}
     * (running: it completes soon).
     *
     * @return false if the SQ is full
     */
    boolean cancel(long target, long userData) {
        return prepare(OP_ASYNC_CANCEL, -1, target, 0, 0, userData);
    }

    /**
     * Prepares a SEND_ZC of {@code length} bytes at {@code address} to socket {@code fd}, with
     * {@code MSG_WAITALL} (a stream socket: all bytes or an error, never short). Two completions:
     * first the bytes sent (with {@link #CQE_F_MORE}, unless no notification follows), then
     * {@link #CQE_F_NOTIF} once the kernel no longer reads the memory.
     *
     * @return false if the SQ is full
     */
    boolean sendZc(int fd, long address, int length, long userData) {
        return prepare(OP_SEND_ZC, fd, address, length, MSG_WAITALL, userData);
    }

    /**
     * Prepares a SPLICE of up to {@code length} bytes from {@code fdIn} to {@code fdOut} (one of
     * them a pipe), the kernel's {@code splice(2)} run for the ring: always handed to an io-wq
     * worker ({@code REQ_F_FORCE_ASYNC}), never inline. Its completion's result is the bytes
     * moved, 0 at the input's end, or {@code -errno}.
     *
     * @param offIn the input's offset, or -1 for a pipe or socket (its own position)
     * @param offOut the output's offset, or -1
     * @param flags {@code SPLICE_F_*}, such as {@link #SPLICE_F_NONBLOCK}
     * @return false if the SQ is full
     */
    boolean splice(int fdIn, long offIn, int fdOut, long offOut, int length, int flags, long userData) {
        long at = next();
        if (at < 0) {
            return false;
        }
        sqes.putByte(at, OP_SPLICE);
        sqes.putInt(at + 4, fdOut);
        sqes.putLong(at + 8, offOut);
        sqes.putLong(at + 16, offIn); // splice_off_in
        sqes.putInt(at + 24, length);
        sqes.putInt(at + 28, flags); // splice_flags
        sqes.putLong(at + 32, userData);
        sqes.putInt(at + 44, fdIn); // splice_fd_in
        return true;
    }

    /**
     * Publishes the prepared SQEs (release store of the SQ tail) and submits them.
     *
     * @return SQEs the kernel consumed; 0 when it asks to reap first ({@link Errno.Action#WAIT})
     * @throws NativeIOException if io_uring_enter fails
     */
    int submit() throws NativeIOException {
        return enter(0, 0, 0);
    }

    /**
     * Submits what is prepared, then waits until a completion can be reaped or
     * {@code timeoutMillis} passed.
     *
     * @param timeoutMillis at least 1
     * @return completions ready to reap (0 on timeout)
     * @throws NativeIOException if io_uring_enter fails
     */
    int await(int timeoutMillis) throws NativeIOException {
        scratch.putLong(TIMESPEC, timeoutMillis / 1000);
        scratch.putLong(TIMESPEC + 8, (timeoutMillis % 1000) * 1_000_000L);
        scratch.putLong(GETEVENTS_ARG, 0); // no signal mask
        scratch.putInt(GETEVENTS_ARG + 8, 0);
        scratch.putInt(GETEVENTS_ARG + 12, 0);
        scratch.putLong(GETEVENTS_ARG + 16, scratchAddress + TIMESPEC);
        enter(1, ENTER_GETEVENTS | ENTER_EXT_ARG, 24);
        return ready();
    }

    private int enter(int minComplete, int flags, long argSize) throws NativeIOException {
        ring.setIntRelease(sqTail, tail); // SQE stores before the tail: the kernel reads it with acquire
        while (true) {
            int r = sys.ioUringEnter(fd, unsubmitted, minComplete, flags, argSize == 0 ? 0 : scratchAddress, argSize);
            if (r >= 0) {
                unsubmitted -= r;
                return r;
            }
            Errno.Action action = Errno.action(Errno.Syscall.IO_URING_ENTER, -r, false);
            if (action == Errno.Action.WAIT) {
                return 0;
            }
            if (action != Errno.Action.RETRY) {
                throw Errno.exception(Errno.Syscall.IO_URING_ENTER, -r);
            }
        }
    }

    /** @return prepared SQEs the kernel has not consumed yet */
    int unsubmitted() {
        return unsubmitted;
    }

    /** @return completions ready to reap (acquire load of the CQ tail) */
    int ready() {
        return ring.getIntAcquire(cqTail) - ring.getInt(cqHead);
    }

    /** @return true if the kernel holds completions that did not fit the CQ (reap, then enter to flush them) */
    boolean overflowed() {
        return (ring.getIntOpaque(sqFlags) & SQ_CQ_OVERFLOW) != 0;
    }

    /** What {@link #reap} hands each completion to. */
    @FunctionalInterface
    interface Completion {
        /**
         * @param userData the operation's {@code user_data}
         * @param res its result: a count or {@code -errno}
         * @param flags {@link #CQE_F_MORE}, {@link #CQE_F_NOTIF}, ...
         */
        void completed(long userData, int res, int flags);
    }

    /**
     * Hands every completion ready now to {@code handler}, in order, and frees their slots.
     *
     * @return completions reaped
     */
    int reap(Completion handler) {
        int head = ring.getInt(cqHead); // only we write it
        int end = ring.getIntAcquire(cqTail); // acquire: the CQEs up to the tail are visible
        int n = 0;
        while (head != end) {
            long at = cqes + (long) CQE_SIZE * (head & cqMask);
            long userData = ring.getLong(at);
            int res = ring.getInt(at + 8);
            int flags = ring.getInt(at + 12);
            head++;
            n++;
            ring.setIntRelease(cqHead, head); // release: this CQE was read before the kernel may reuse its slot
            handler.completed(userData, res, flags);
        }
        return n;
    }

    /**
     * {@code IORING_REGISTER_PROBE}.
     *
     * @param ops opcodes
     * @return for each, whether this kernel supports it
     * @throws NativeIOException if the probe fails ({@code EINVAL} before 5.6)
     */
    boolean[] supports(byte... ops) throws NativeIOException {
        for (int i = 0; i < PROBE_SIZE; i += 8) {
            scratch.putLong(i, 0);
        }
        register(REGISTER_PROBE, PROBE_OPS);
        int lastOp = scratch.get(0) & 0xFF;
        boolean[] supported = new boolean[ops.length];
        for (int k = 0; k < ops.length; k++) {
            int op = ops[k] & 0xFF;
            supported[k] = op <= lastOp && (scratch.getShort(16 + 8 * op + 2) & 1) != 0; // IO_URING_OP_SUPPORTED
        }
        return supported;
    }

    /**
     * {@code IORING_REGISTER_IOWQ_MAX_WORKERS} (5.15): bounds the kernel threads that serve this
     * ring's operations that cannot run inline.
     *
     * @return the previous {bounded, unbounded} limits
     * @throws NativeIOException if it fails ({@code EINVAL} before 5.15)
     */
    int[] maxWorkers(int bounded, int unbounded) throws NativeIOException {
        scratch.putInt(0, bounded);
        scratch.putInt(4, unbounded);
        register(REGISTER_IOWQ_MAX_WORKERS, 2);
        return new int[] {scratch.getInt(0), scratch.getInt(4)};
    }

    private void register(int opcode, int nrArgs) throws NativeIOException {
        int r;
        do {
            r = sys.ioUringRegister(fd, opcode, scratchAddress, nrArgs);
        } while (r < 0 && Errno.action(Errno.Syscall.IO_URING_REGISTER, -r, false) == Errno.Action.RETRY);
        if (r < 0) {
            throw Errno.exception(Errno.Syscall.IO_URING_REGISTER, -r);
        }
    }

    /**
     * Unmaps the rings and closes the descriptor. Operations still in flight are cancelled by
     * the kernel, which finishes them (and keeps the memory of zerocopy sends until their
     * notifications) after this returns. Idempotent.
     *
     * @throws NativeIOException if munmap or close fails (each is tried)
     */
    @Override
    public void close() throws NativeIOException {
        if (closed) {
            return;
        }
        closed = true;
        int a = sys.munmap(sqesAddress, sqesSize);
        int b = sys.munmap(ringAddress, ringSize);
        int c = sys.close(fd);
        if (a < 0 || b < 0) {
            throw Errno.exception(Errno.Syscall.MUNMAP, -(a < 0 ? a : b));
        }
        if (c < 0) {
            throw Errno.exception(Errno.Syscall.CLOSE, -c);
        }
    }

    @Override
    public String toString() {
        return "IoUring[fd " + fd + ", " + sqEntries + " SQ entries, flags 0x" + Integer.toHexString(setupFlags)
                + ", features 0x" + Integer.toHexString(features) + "]";
    }
}

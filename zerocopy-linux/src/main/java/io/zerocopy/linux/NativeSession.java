package io.zerocopy.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.function.LongConsumer;

import io.zerocopy.internal.Waitable;
import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.Broadcast;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;

/**
 * What every native strategy holds for one transfer or broadcast, set up by {@link #open} and
 * released by {@link #close}: duplicated descriptors (selectable ones non-blocking meanwhile,
 * see {@link ChannelDescriptors#open}), the {@code loff_t} positions the kernel reads and
 * advances, the leased pipes, and the one {@link Waiter}. Internal: not API.
 *
 * <p>Positions: a file source is read from {@link Transfer#position()} on; a file target is
 * written from its channel position on, and {@link #close()} sets the channel position after
 * the bytes the kernel wrote, whether the transfer succeeded, fell back or failed.
 *
 * <p>Pipes: strategies record the bytes in each leased pipe ({@link #filled}, {@link #drained}).
 * {@link #close()} pools an empty pipe and closes one that still holds bytes (or was
 * {@link #spoil spoiled}); bytes lost that way from a stream source are reported with
 * {@link Transfer#undelivered(long)}.
 *
 * <p>Waits go through the transfer's own {@link Waiter} (one idle clock for all its strategies)
 * with a {@link Readiness}, which keeps a virtual
 * thread's carrier free. {@link #close()} releases epoll registrations, positions, pipes,
 * descriptors, then the waiter; every step runs and the first failure is thrown with later
 * ones suppressed. Not thread-safe: one per transfer; the per-chunk methods allocate nothing.
 */
final class NativeSession implements AutoCloseable {

    /** Waits in a row without progress before each further wait backs off first. */
    private static final int WAITS_BEFORE_BACK_OFF = 2;

    private final Syscalls sys;
    private final Waiter waiter;
    private final Transfer transfer;
    /** The source channel if it has a descriptor to take, else null (a memory source). */
    private final Channel source;
    private final boolean fileSource;
    private final long sourcePosition;
    private final Channel[] targets;
    private final boolean[] fileTarget;
    private final boolean broadcast;
    /** loff_t per endpoint (source, then targets), pollfd per endpoint, then an int or an epoll_event. */
    private final ByteBuffer scratch;
    private final long base;
    /** 8-byte views of the loff_t: the source's, then each target's. */
    private final ByteBuffer[] offsets;
    private final int pollfds;
    private final int intSlot;
    private final Readiness readiness;

    private int sourceFd = -1;
    private final int[] targetFd;
    private final boolean[] positioned;
    private PipePool pool;
    private PooledPipe[] pipes = new PooledPipe[0];
    private long[] inPipe = new long[0];
    private boolean[] spoiled = new boolean[0];
    private int waits;

    private NativeSession(Syscalls sys, Waiter waiter, Transfer transfer, Channel source, ChannelKind sourceKind,
            long sourcePosition, Channel[] targets, ChannelKind[] targetKinds, boolean broadcast) {
        this.sys = sys;
        this.waiter = waiter;
        this.transfer = transfer;
        this.source = sourceKind == ChannelKind.MEMORY ? null : source;
        this.fileSource = sourceKind == ChannelKind.FILE;
        this.sourcePosition = sourcePosition;
        this.targets = targets;
        this.broadcast = broadcast;
        int n = targets.length;
        this.fileTarget = new boolean[n];
        for (int i = 0; i < n; i++) {
            fileTarget[i] = targetKinds[i] == ChannelKind.FILE;
        }
        this.targetFd = new int[n];
        Arrays.fill(targetFd, -1);
        this.positioned = new boolean[n];
        this.pollfds = 8 * (n + 1);
        this.intSlot = pollfds + Native.POLLFD_SIZE * (n + 1);
        this.scratch = ChannelDescriptors.scratch(intSlot + Math.max(Native.EPOLL_EVENT_SIZE, Native.STATFS_SIZE));
        this.base = ChannelDescriptors.address(scratch);
        this.readiness = new Readiness(sys, scratch, pollfds, intSlot);
        this.offsets = new ByteBuffer[n + 1];
        for (int k = 0; k <= n; k++) {
            offsets[k] = scratch.slice(8 * k, 8);
        }
    }

    /**
     * @param sys the binding
     * @param t a transfer; its source may be memory (then it has no descriptor)
     * @return a session for it, not yet {@link #open opened}
     */
    static NativeSession of(Syscalls sys, Transfer t) {
        return new NativeSession(sys, Waiter.of(t), t, t.source(), t.sourceKind(),
                t.position(), new Channel[] {t.target()}, new ChannelKind[] {t.targetKind()}, false);
    }

    /**
     * @param sys the binding
     * @param b a broadcast
     * @return a session for it with one target per broadcast target, not yet {@link #open opened}
     */
    static NativeSession of(Syscalls sys, Broadcast b) {
        int n = b.targetCount();
        Channel[] targets = new Channel[n];
        ChannelKind[] kinds = new ChannelKind[n];
        for (int i = 0; i < n; i++) {
            targets[i] = b.target(i);
            kinds[i] = b.targetKind(i);
        }
        return new NativeSession(sys, Waiter.of(b), null, b.source(),
                b.sourceKind(), b.position(), targets, kinds, true);
    }

    /**
     * Takes the descriptors, checks that file targets accept positional writes and have a
     * position, and leases {@code pipeCount} pipes (the smallest as pipe 0).
     *
     * @param pipePool where to lease pipes; unused when {@code pipeCount} is 0
     * @param pipeCount pipes to lease
     * @return null when ready, else why this path cannot serve (nothing has moved)
     * @throws IOException if a channel is closed or a descriptor cannot be prepared
     */
    Outcome open(PipePool pipePool, int pipeCount) throws IOException {
        if (source != null) {
            sourceFd = ChannelDescriptors.open(sys, source);
            if (sourceFd < 0) {
                return noDescriptor(source);
            }
        }
        for (int i = 0; i < targets.length; i++) {
            targetFd[i] = ChannelDescriptors.open(sys, targets[i]);
            if (targetFd[i] < 0) {
                return noDescriptor(targets[i]);
            }
            if (fileTarget[i]) {
                String target = broadcast ? "target #" + i : "target";
                if (ChannelDescriptors.isAppend(sys, targetFd[i])) {
                    return refuse(target + " file opened with APPEND");
                }
                long at = position((FileChannel) targets[i]);
                if (at < 0) {
                    return refuse(target + " file has no position (not seekable)");
                }
                scratch.putLong(8 * (i + 1), at);
                positioned[i] = true;
            }
        }
        if (fileSource) {
            scratch.putLong(0, sourcePosition);
        }
        pool = pipePool;
        pipes = new PooledPipe[pipeCount];
        inPipe = new long[pipeCount];
        spoiled = new boolean[pipeCount];
        for (int k = 0; k < pipeCount; k++) {
            pipes[k] = pipePool.acquire();
            if (pipes[k] == null) {
                return refuse("pipe pool cannot lease " + pipeCount + (pipeCount == 1 ? " pipe: " : " pipes: ") + pipePool);
            }
            if (pipes[k].size < pipes[0].size) {
                PooledPipe smaller = pipes[k];
                pipes[k] = pipes[0];
                pipes[0] = smaller;
            }
        }
        return null;
    }

    /**
     * Opens as {@link #open} does with no pipe leased, for a {@link io.zerocopy.spi.Stepper} that
     * holds pipe 0 only while it carries bytes: {@link #lease()} takes it from the pool,
     * {@link #unlease()} returns it empty.
     *
     * @param pipePool where {@link #lease()} takes pipe 0
     * @return null when ready, else why this path cannot serve (nothing has moved)
     * @throws IOException as {@link #open}
     */
    Outcome openLeasing(PipePool pipePool) throws IOException {
        Outcome refused = open(pipePool, 0);
        pipes = new PooledPipe[1];
        inPipe = new long[1];
        spoiled = new boolean[1];
        return refused;
    }

    /**
     * Leases pipe 0 unless it is held already ({@link #openLeasing}).
     *
     * @return true if pipe 0 is held; false if the pool has no pipe free (nothing changes)
     * @throws NativeIOException if the pool fails to create a pipe
     */
    boolean lease() throws NativeIOException {
        if (pipes[0] == null) {
            pipes[0] = pool.acquire();
        }
        return pipes[0] != null;
    }

    /** @return true if pipe 0 is held */
    boolean leased() {
        return pipes.length > 0 && pipes[0] != null;
    }

    /** Returns pipe 0, which holds no bytes, to the pool ({@link #openLeasing}); nothing if none is held. */
    void unlease() {
        if (pipes[0] == null) {
            return;
        }
        assert inPipe[0] == 0 && !spoiled[0] : "only an empty pipe goes back to the pool";
        pool.release(pipes[0]);
        pipes[0] = null;
    }

    /**
     * Asks, without waiting, whether {@code fd} is ready for {@code events}.
     *
     * @return true if it is, or is in error or hung up (the next call on it reports which)
     * @throws NativeIOException if poll(2) fails
     */
    boolean readyNow(int fd, short events) throws NativeIOException {
        entry(0, fd, events);
        return readiness.entries(1).pollNow(0);
    }

    private static Outcome refuse(String reason) {
        return Outcome.unsupported(Outcome.Scope.TRANSFER, reason);
    }

    private static Outcome noDescriptor(Channel channel) {
        return refuse("no descriptor for " + channel.getClass().getName());
    }

    /** @return the channel position, or -1 if it has none (a FileChannel on a FIFO or tty) */
    private static long position(FileChannel file) {
        try {
            return file.position();
        } catch (IOException e) {
            return -1;
        }
    }

    /** @return the source's descriptor; -1 for a memory source */
    int sourceFd() {
        return sourceFd;
    }

    /** @return target {@code i}'s descriptor */
    int targetFd(int i) {
        return targetFd[i];
    }

    /** @return the source's {@code loff_t}, or null (a stream source: no offset) */
    ByteBuffer sourceOffset() {
        return fileSource ? offsets[0] : null;
    }

    /** @return target {@code i}'s {@code loff_t}, or null (not a file: no offset) */
    ByteBuffer targetOffset(int i) {
        return positioned[i] ? offsets[i + 1] : null;
    }

    /** @return file target {@code i}'s position: where the next byte goes */
    long targetPosition(int i) {
        return scratch.getLong(8 * (i + 1));
    }

    /** @param at file target {@code i}'s new position (after bytes written through its channel) */
    void targetPosition(int i, long at) {
        scratch.putLong(8 * (i + 1), at);
    }

    /** @return leased pipe {@code k} */
    PooledPipe pipe(int k) {
        return pipes[k];
    }

    /** @return bytes recorded in pipe {@code k} */
    long inPipe(int k) {
        return inPipe[k];
    }

    /** Records {@code bytes} put into pipe {@code k}. */
    void filled(int k, long bytes) {
        inPipe[k] += bytes;
    }

    /** Records {@code bytes} taken out of pipe {@code k}. */
    void drained(int k, long bytes) {
        inPipe[k] -= bytes;
    }

    /** Pipe {@code k} may hold bytes not recorded: close it rather than pool it. */
    void spoil(int k) {
        spoiled[k] = true;
    }

    /**
     * Splices pipe 0 out to target 0 until it is empty, waiting for room as needed.
     *
     * @param delivered told the bytes of each splice that reached the target
     * @return null once the pipe is empty; else the fallback {@link Errno} gives, with the
     *     bytes left in the pipe (a target that takes nothing from a full pipe counts as EINVAL)
     * @throws IOException on a real error, or as {@link #checkLive()}
     */
    Outcome drain(LongConsumer delivered) throws IOException {
        PooledPipe pipe = pipes[0];
        while (inPipe[0] > 0) {
            long m = sys.splice(pipe.readFd, null, targetFd[0], targetOffset(0), inPipe[0],
                    Native.SPLICE_F_MOVE | Native.SPLICE_F_NONBLOCK);
            if (m > 0) {
                inPipe[0] -= m;
                delivered.accept(m);
                progressed();
                continue;
            }
            int errno = m == 0 ? Errno.EINVAL : (int) -m;
            Errno.Action action = Errno.action(Errno.Syscall.SPLICE, errno, false);
            if (action.isFallback()) {
                return Errno.unsupported(Errno.Syscall.SPLICE, errno);
            }
            if (action == Errno.Action.WAIT) {
                await(targetFd[0], Native.POLLOUT);
            } else if (action != Errno.Action.RETRY) {
                throw Errno.exception(Errno.Syscall.SPLICE, errno);
            }
        }
        return null;
    }

    /** Applies the interrupt and close contract ({@link Waiter#checkLive()}). */
    void checkLive() throws IOException {
        waiter.checkLive();
    }

    /** Bytes moved: waits start again without back-off. */
    void progressed() {
        waits = 0;
        waiter.progressed();
    }

    /** Parks with the waiter's growing back-off, then checks liveness. */
    void backOff() throws IOException {
        waiter.backOff();
    }

    /**
     * Fills {@code pollfd} entry {@code index} for a later {@link #await(int, long)}.
     *
     * @return {@code index + 1}
     */
    int entry(int index, int fd, short events) {
        int at = pollfds + Native.POLLFD_SIZE * index;
        scratch.putInt(at, fd);
        scratch.putShort(at + 4, events);
        scratch.putShort(at + 6, (short) 0);
        return index + 1;
    }

    /** Waits until {@code fd} may be ready for {@code events}. */
    void await(int fd, short events) throws IOException {
        await(entry(0, fd, events), Long.MAX_VALUE);
    }

    /**
     * Waits until one of the first {@code count} {@code pollfd} entries is ready, or
     * {@code maxNanos} passed; backs off first after repeated waits without progress, and only
     * backs off when {@code count} is 0.
     *
     * @throws IOException if poll(2) or epoll_ctl fails, or as {@link #checkLive()}
     */
    void await(int count, long maxNanos) throws IOException {
        if (++waits > WAITS_BEFORE_BACK_OFF || count == 0) {
            waiter.backOff();
        }
        if (count > 0) {
            waiter.poll(readiness.entries(count), maxNanos);
        }
    }

    /**
     * @param fd a socket
     * @param request an ioctl taking an {@code int *}
     * @return the int the kernel wrote
     * @throws NativeIOException if the ioctl fails
     */
    int ioctl(int fd, long request) throws NativeIOException {
        int r;
        while ((r = sys.ioctl(fd, request, base + intSlot)) < 0) {
            if (Errno.action(Errno.Syscall.IOCTL, -r, false) != Errno.Action.RETRY) {
                throw Errno.exception(Errno.Syscall.IOCTL, -r);
            }
        }
        return scratch.getInt(intSlot);
    }

    /**
     * @param fd an open descriptor of this session
     * @return the {@code f_type} of its file system ({@link FileSystemType}), or -1 if fstatfs fails
     */
    long fileSystemType(int fd) {
        int r;
        while ((r = sys.fstatfs(fd, base + intSlot)) < 0) {
            if (Errno.action(Errno.Syscall.FSTATFS, -r, true) != Errno.Action.RETRY) {
                return -1;
            }
        }
        return scratch.getLong(intSlot);
    }

    /**
     * Reads bytes a pipe is known to hold into a direct buffer, from its position to its limit
     * at most.
     *
     * @param fd a pipe's read end
     * @param into a direct buffer; its position advances by the bytes read
     * @return bytes read, at least 1
     * @throws IOException if read fails or finds nothing
     */
    long read(int fd, ByteBuffer into) throws IOException {
        long address = ChannelDescriptors.address(into) + into.position();
        while (true) {
            long r = sys.read(fd, address, into.remaining());
            if (r > 0) {
                into.position(into.position() + (int) r);
                return r;
            }
            int errno = r == 0 ? Errno.EIO : (int) -r;
            Errno.Action action = Errno.action(Errno.Syscall.READ, errno, false);
            if (action == Errno.Action.WAIT) {
                await(fd, Native.POLLIN);
            } else if (action != Errno.Action.RETRY) {
                throw Errno.exception(Errno.Syscall.READ, errno);
            }
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        try {
            readiness.close(); // before descriptors are closed and pipes go back to the pool
        } catch (IOException e) {
            failure = e;
        }
        for (int i = 0; i < targets.length; i++) {
            if (positioned[i] && targets[i].isOpen()) {
                try {
                    ((FileChannel) targets[i]).position(targetPosition(i));
                } catch (IOException e) {
                    failure = collect(failure, e);
                }
            }
        }
        long lost = 0;
        for (int k = 0; k < pipes.length; k++) {
            if (pipes[k] == null) {
                continue;
            }
            if (inPipe[k] == 0 && !spoiled[k]) {
                pool.release(pipes[k]);
            } else {
                pool.discard(pipes[k]);
                lost += inPipe[k];
            }
        }
        if (lost > 0 && transfer != null && source != null && !fileSource) {
            transfer.undelivered(lost);
        }
        if (source != null) {
            try {
                ChannelDescriptors.release(sys, source, sourceFd);
            } catch (IOException e) {
                failure = collect(failure, e);
            }
        }
        for (int i = 0; i < targets.length; i++) {
            try {
                ChannelDescriptors.release(sys, targets[i], targetFd[i]);
            } catch (IOException e) {
                failure = collect(failure, e);
            }
        }
        if (!(transfer instanceof Waitable) && !broadcast) {
            try {
                waiter.close(); // made for a transfer of a test's own; the engine closes its waiters
            } catch (IOException e) {
                failure = collect(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException collect(IOException first, IOException e) {
        if (first == null) {
            return e;
        }
        first.addSuppressed(e);
        return first;
    }
}

package io.zerocopy.linux;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.zerocopy.internal.LoopTimers;
import io.zerocopy.spi.EventLoop;

/**
 * An {@link EventLoop} on io_uring: one thread ({@value #THREAD_NAME}-N, a daemon) that alone
 * owns one {@link IoUring}. Internal: not API; {@link Linux#ioUringEventLoops()} gives a group.
 *
 * <p><b>Readiness.</b> {@link #watch} prepares a one-shot {@code IORING_OP_POLL_ADD} on the
 * channel's descriptor ({@code POLLIN} or {@code POLLOUT}; errors and hang-up always complete
 * it); its completion runs the waiter on this thread, which steps the transfer inline, so a
 * splice(2) or sendfile(2) step runs here non-blocking, never on an io-wq worker (a poll on a
 * socket or pipe waits on the file's wait queue, not in a worker). {@link #unwatch} cancels a
 * poll still in flight ({@code IORING_OP_ASYNC_CANCEL}). One-shot rather than multishot: a
 * transfer's waits alternate between source and target, each wait is re-armed by the step that
 * needs it, and a multishot poll would need cancelling at the end of every wait anyway.
 *
 * <p><b>In flight.</b> A poll in flight holds a reference to the channel's file (the kernel's
 * {@code fget}), so a channel is never left with one: {@link #release} cancels every poll of
 * the channel and runs its continuation only once each has completed (a cancelled poll
 * completes with {@code -ECANCELED}, or with its readiness if it raced the cancel). A channel
 * closed while a transfer waits on it is found by a sweep every {@value #SWEEP_MILLIS} ms: its
 * polls are cancelled and its waiters run (their steps find it closed), so the close is not
 * held up by the ring. The descriptor number is read from the channel at each
 * {@link #watch} ({@link ChannelDescriptors#raw}), never kept: a closed channel's number may
 * be reused.
 *
 * <p><b>Tasks and wake-up.</b> Other threads queue tasks and wake the thread through a pipe
 * (non-blocking, close-on-exec) whose read end has a standing poll, written with write(2), never
 * through a JDK channel (an interrupted caller would close it); the pipe is written only when
 * the thread has announced it is about to sleep ({@code SLEEPING}, cleared by the first waker),
 * so tasks handed to a running loop cost no system call. Timers are a priority queue; the wait in
 * {@code io_uring_enter} is bounded by the next deadline ({@code EXT_ARG} timeout).
 *
 * <p><b>Bounded.</b> The SQ has {@value #ENTRIES} entries: a preparation that finds it full
 * submits first (reaping into the loop's backlog if the kernel asks). The io-wq bound is
 * {@link IoUringProbe#MAX_WORKERS} ({@link RingPool#openBounded}); nothing this loop submits
 * uses io-wq.
 *
 * <p>{@link #watch} and {@link #unwatch} on the loop's thread only; the rest thread-safe.
 */
final class UringEventLoop implements EventLoop {

    static final String THREAD_NAME = "zerocopy-uring";
    static final int ENTRIES = 256;
    static final int SWEEP_MILLIS = 250;
    /** The longest wait without timers or watches; the loop then wakes to nothing. */
    private static final int IDLE_MILLIS = 60_000;
    /** Tasks run per turn at most, so that a task that hands itself over again (a yield) cannot starve I/O. */
    private static final int TASKS_PER_TURN = 1024;
    private static final long WAKE = -1;
    private static final long IGNORED = 0;
    private static final int AWAKE = 0;
    private static final int SLEEPING = 1;
    private static final System.Logger LOG = System.getLogger(UringEventLoop.class.getPackageName());

    /** One byte written to wake the thread; never changed (the kernel only reads it). */
    private static final ByteBuffer WAKE_BYTE = ChannelDescriptors.scratch(1);

    private final Syscalls sys;
    private final IoUring ring;
    /** The wake pipe's read and write ends. */
    private final int wakeRead;
    private final int wakeWrite;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wakeState = new AtomicInteger(AWAKE);

    // Loop thread only.
    private final LoopTimers timers = new LoopTimers();
    private final IdentityHashMap<SelectableChannel, Watch> watches = new IdentityHashMap<>();
    private final HashMap<Long, Poll> polls = new HashMap<>();
    private final ByteBuffer drain = ChannelDescriptors.scratch(64);
    private long nextId = 1;
    private long nextSweep = System.nanoTime();
    /** Completions reaped and not yet handled: user_data and res, in order. */
    private long[] backlogData = new long[ENTRIES];
    private int[] backlogRes = new int[ENTRIES];
    private final IoUring.Completion toBacklog = this::toBacklog;
    private int backlog;

    /**
     * Sets up the ring and the wake pipe on the calling thread, then starts the loop's thread
     * (the start hands the ring over).
     *
     * @param sys the {@code java.lang.foreign} binding
     * @param index the thread's number
     * @throws IOException if the ring or the pipe cannot be set up
     */
    UringEventLoop(Syscalls sys, int index) throws IOException {
        this.sys = sys;
        IoUring r = RingPool.openBounded(sys, ENTRIES);
        int[] fds = new int[2];
        int e = sys.pipe2(fds, Native.O_CLOEXEC | Native.O_NONBLOCK);
        if (e < 0) {
            NativeIOException failure = Errno.exception(Errno.Syscall.PIPE2, -e);
            closeRing(r, failure);
            throw failure;
        }
        ring = r;
        wakeRead = fds[0];
        wakeWrite = fds[1];
        thread = new Thread(this::loop, THREAD_NAME + "-" + index);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeRing(IoUring r, Throwable failure) {
        try {
            r.close();
        } catch (NativeIOException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (wakeState.get() == SLEEPING && wakeState.compareAndSet(SLEEPING, AWAKE)) {
            long r;
            do {
                r = sys.write(wakeWrite, ChannelDescriptors.address(WAKE_BYTE), 1);
            } while (r == -Errno.EINTR);
            if (r < 0 && r != -Errno.EAGAIN) { // EAGAIN: the pipe is full, so readable: the thread wakes anyway
                LOG.log(Level.WARNING, "zerocopy-linux: waking " + thread.getName() + " failed: " + Native.describe((int) -r));
            }
        }
    }

    @Override
    public EventLoop.Timer schedule(long deadline, Runnable task) {
        LoopTimers.Timer t = new LoopTimers.Timer(deadline, task);
        if (inLoop()) {
            timers.add(t);
        } else {
            execute(() -> timers.add(t));
        }
        return t;
    }

    /** Channels whose descriptor this module reads (JDK socket and pipe channels). */
    @Override
    public boolean canWatch(SelectableChannel channel) {
        return ChannelDescriptors.readable(channel.getClass());
    }

    /** The waits of one channel. */
    private static final class Watch {
        final SelectableChannel channel;
        Runnable readWaiter;
        Runnable writeWaiter;
        /** The live (not cancelled) poll of each direction, or null. */
        Poll read;
        Poll write;
        /** Polls of this channel in flight, cancelled ones included. */
        int inFlight;
        /** Continuations of {@link #release}, run when nothing is in flight. */
        List<Runnable> released;

        Watch(SelectableChannel channel) {
            this.channel = channel;
        }

        boolean idle() {
            return inFlight == 0 && readWaiter == null && writeWaiter == null && released == null;
        }
    }

    /** One POLL_ADD in flight. */
    private static final class Poll {
        final long id;
        final Watch watch;
        final boolean read;
        boolean cancelled;

        Poll(long id, Watch watch, boolean read) {
            this.id = id;
            this.watch = watch;
            this.read = read;
        }
    }

    @Override
    public void watch(SelectableChannel channel, int op, Runnable waiter) throws IOException {
        assert inLoop();
        int fd = ChannelDescriptors.raw(channel);
        if (fd == -2) {
            throw new IOException("io_uring loop: no readable descriptor for " + channel.getClass().getName());
        }
        if (fd < 0 || !channel.isOpen()) {
            throw new ClosedChannelException();
        }
        Watch w = watches.computeIfAbsent(channel, Watch::new);
        boolean read = op == SelectionKey.OP_READ;
        if (read) {
            w.readWaiter = waiter;
            if (w.read == null) {
                w.read = pollAdd(w, fd, true);
            }
        } else {
            w.writeWaiter = waiter;
            if (w.write == null) {
                w.write = pollAdd(w, fd, false);
            }
        }
    }

    private Poll pollAdd(Watch w, int fd, boolean read) throws NativeIOException {
        long id = nextId++;
        Poll p = new Poll(id, w, read);
        while (!ring.pollAdd(fd, read ? Native.POLLIN : Native.POLLOUT, id)) {
            makeRoom();
        }
        polls.put(id, p);
        w.inFlight++;
        return p;
    }

    @Override
    public void unwatch(SelectableChannel channel, int op) {
        assert inLoop();
        Watch w = watches.get(channel);
        if (w == null) {
            return;
        }
        if (op == SelectionKey.OP_READ) {
            w.readWaiter = null;
            w.read = cancel(w.read);
        } else {
            w.writeWaiter = null;
            w.write = cancel(w.write);
        }
        forgetIfIdle(w);
    }

    /** Cancels a live poll, if any; @return null */
    private Poll cancel(Poll p) {
        if (p == null) {
            return null;
        }
        p.cancelled = true;
        try {
            while (!ring.cancel(p.id, IGNORED)) {
                makeRoom();
            }
        } catch (NativeIOException e) {
            // The ring refuses to submit: the poll completes on readiness or when the ring closes; its waiter is gone.
            LOG.log(Level.WARNING, "zerocopy-linux: " + thread.getName() + " cannot cancel a poll", e);
        }
        return null;
    }

    @Override
    public void release(SelectableChannel channel, Runnable then) {
        execute(() -> {
            Watch w = watches.get(channel);
            if (w == null) {
                then.run();
                return;
            }
            w.readWaiter = null;
            w.writeWaiter = null;
            w.read = cancel(w.read);
            w.write = cancel(w.write);
            if (w.inFlight == 0) {
                watches.remove(channel);
                then.run();
                return;
            }
            if (w.released == null) {
                w.released = new ArrayList<>(1);
            }
            w.released.add(then);
        });
    }

    private void forgetIfIdle(Watch w) {
        if (w.idle()) {
            watches.remove(w.channel);
        }
    }

    /** The SQ is full: submits (reaping into the backlog while the kernel asks to reap first). */
    private void makeRoom() throws NativeIOException {
        while (ring.submit() == 0) {
            reap();
        }
    }

    private void reap() {
        ring.reap(toBacklog);
    }

    /** Appends one completion to the backlog; made once, so a turn's reap allocates nothing. */
    private void toBacklog(long userData, int res, int flags) {
        if (backlog == backlogData.length) {
            backlogData = java.util.Arrays.copyOf(backlogData, 2 * backlog);
            backlogRes = java.util.Arrays.copyOf(backlogRes, 2 * backlog);
        }
        backlogData[backlog] = userData;
        backlogRes[backlog] = res;
        backlog++;
    }

    private void loop() {
        try {
            armWake();
        } catch (NativeIOException e) {
            LOG.log(Level.ERROR, "zerocopy-linux: " + thread.getName() + " cannot poll its wake pipe; tasks wait for timers", e);
        }
        while (true) {
            try {
                turn();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "zerocopy-linux: " + thread.getName() + " failed; going on", e);
            }
        }
    }

    /** Tasks, timers, the sweep, one wait in the ring, the completions. */
    private void turn() throws IOException {
        Runnable task;
        for (int n = 0; n < TASKS_PER_TURN && (task = tasks.poll()) != null; n++) {
            run(task);
        }
        long now = System.nanoTime();
        timers.runDue(now, this::run);
        if (!watches.isEmpty() && now - nextSweep >= 0) {
            sweep();
            nextSweep = now + TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS);
        }
        long wait = timers.waitMillis(watches.isEmpty() ? IDLE_MILLIS : SWEEP_MILLIS);
        wakeState.set(SLEEPING);
        if (!tasks.isEmpty() || ring.ready() > 0) {
            wakeState.set(AWAKE);
            if (ring.unsubmitted() > 0) {
                ring.submit();
            }
        } else {
            try {
                ring.await((int) wait);
            } finally {
                wakeState.set(AWAKE);
            }
        }
        reap();
        for (int i = 0; i < backlog; i++) { // completions handled here may reap more into the backlog
            completed(backlogData[i], backlogRes[i]);
        }
        backlog = 0;
    }

    private void completed(long userData, int res) throws IOException {
        if (userData == WAKE) {
            drainWake();
            armWake();
            return;
        }
        Poll p = polls.remove(userData);
        if (p == null) {
            return; // a cancellation's own completion
        }
        Watch w = p.watch;
        w.inFlight--;
        Runnable waiter = null;
        if (!p.cancelled) {
            if (p.read) {
                w.read = null;
                waiter = w.readWaiter;
                w.readWaiter = null;
            } else {
                w.write = null;
                waiter = w.writeWaiter;
                w.writeWaiter = null;
            }
        }
        if (w.inFlight == 0 && w.released != null) {
            List<Runnable> then = w.released;
            w.released = null;
            for (Runnable r : then) {
                run(r);
            }
        }
        forgetIfIdle(w);
        if (waiter != null) {
            run(waiter);
        }
    }

    /** Channels closed while their transfers wait: their polls are cancelled and their waiters run. */
    private void sweep() {
        List<Runnable> waiters = null;
        for (Watch w : watches.values()) {
            if (w.channel.isOpen() || (w.readWaiter == null && w.writeWaiter == null)) {
                continue;
            }
            if (waiters == null) {
                waiters = new ArrayList<>();
            }
            if (w.readWaiter != null) {
                waiters.add(w.readWaiter);
            }
            if (w.writeWaiter != null) {
                waiters.add(w.writeWaiter);
            }
            w.readWaiter = null;
            w.writeWaiter = null;
            w.read = cancel(w.read);
            w.write = cancel(w.write);
        }
        if (waiters != null) {
            for (Runnable r : waiters) {
                run(r);
            }
        }
    }

    private void armWake() throws NativeIOException {
        while (!ring.pollAdd(wakeRead, Native.POLLIN, WAKE)) {
            makeRoom();
        }
    }

    /** Empties the wake pipe (EAGAIN once empty). */
    private void drainWake() {
        long address = ChannelDescriptors.address(drain);
        long r;
        do {
            r = sys.read(wakeRead, address, drain.capacity());
        } while (r > 0 || r == -Errno.EINTR);
    }

    /** @return polls in flight (for tests); loop thread only */
    int pollsInFlight() {
        return polls.size();
    }

    /** @return channels the loop waits on or has polls of in flight (for tests); loop thread only */
    int watchedChannels() {
        return watches.size();
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "zerocopy-linux: an event loop task threw", e);
            if (e instanceof VirtualMachineError) {
                throw (VirtualMachineError) e;
            }
        }
    }

    @Override
    public String toString() {
        return "UringEventLoop[" + thread.getName() + ", " + ring + "]";
    }
}

package io.zerocopy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A readiness and timer thread of the asynchronous transfers ({@value #THREAD_NAME}-N, a
 * daemon): one JDK {@link Selector} for the channels of its waiting transfers,
 * a task queue, and timers. A channel's key carries one waiter for reading and one for writing,
 * so a channel can be the source of one transfer and the target of another (a proxy). Each
 * readiness wakes its waiter once (one-shot); waiters run on this thread and must not block.
 *
 * <p>A process has {@link #COUNT} of them, started on first use; each transfer keeps the one
 * {@link #next()} gave it, so its steps never run on two threads at once.
 *
 * <p>{@link #execute}, {@link #schedule} and {@link #release} are thread-safe; {@link #watch}
 * and {@link #unwatch} must run on this thread (from a task or a waiter).
 */
final class Reactor {

    static final String THREAD_NAME = "zerocopy-reactor";
    private static final System.Logger LOG = System.getLogger(TransferEngine.class.getName());

    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Thread thread;

    /**
     * Reactors in the process: as many as processors, 1 to 4, or the system property
     * {@code io.zerocopy.reactors}.
     */
    static final int COUNT = Integer.getInteger("io.zerocopy.reactors",
            Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));

    private Reactor(int index) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, THREAD_NAME + "-" + index);
        thread.setDaemon(true);
        thread.start();
    }

    private static final class Holder {
        static final Reactor[] ALL = new Reactor[Math.max(1, COUNT)];
        static final java.util.concurrent.atomic.AtomicInteger NEXT = new java.util.concurrent.atomic.AtomicInteger();

        static {
            try {
                for (int i = 0; i < ALL.length; i++) {
                    ALL[i] = new Reactor(i + 1);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a reactor's selector", e);
            }
        }
    }

    /** @return a reactor for a new transfer, in turn */
    static Reactor next() {
        Reactor[] all = Holder.ALL;
        return all[Math.floorMod(Holder.NEXT.getAndIncrement(), all.length)];
    }

    /**
     * Deregisters {@code channel} from every reactor's selector (a proxy's channel may be the
     * source of a transfer on one reactor and the target of another's), then runs {@code then}.
     * Thread-safe.
     */
    static void releaseEverywhere(SelectableChannel channel, Runnable then) {
        releaseFrom(0, channel, then);
    }

    private static void releaseFrom(int i, SelectableChannel channel, Runnable then) {
        if (i == Holder.ALL.length) {
            then.run();
            return;
        }
        Holder.ALL[i].release(channel, () -> releaseFrom(i + 1, channel, then));
    }

    /** @return true on the reactor's thread */
    boolean inReactor() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the reactor's thread, soon. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** A timer; {@link #cancel()} is thread-safe. */
    static final class Timer implements Comparable<Timer> {
        final long deadline;
        final Runnable task;
        volatile boolean cancelled;

        Timer(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            return Long.compare(deadline, o.deadline);
        }
    }

    /** Runs {@code task} on the reactor's thread at {@code deadline} ({@link System#nanoTime()}) or soon after. */
    Timer schedule(long deadline, Runnable task) {
        Timer t = new Timer(deadline, task);
        execute(() -> timers.add(t));
        return t;
    }

    /** The waiters of one channel's key. */
    private static final class Waiters {
        Runnable read;
        Runnable write;

        int ops() {
            return (read != null ? SelectionKey.OP_READ : 0) | (write != null ? SelectionKey.OP_WRITE : 0);
        }
    }

    /**
     * Wakes {@code waiter} once when {@code channel} is ready for {@code op}. Reactor thread only.
     *
     * @param channel a selectable channel in non-blocking mode
     * @param op {@link SelectionKey#OP_READ} or {@link SelectionKey#OP_WRITE}
     * @throws ClosedChannelException if the channel is closed
     */
    void watch(SelectableChannel channel, int op, Runnable waiter) throws ClosedChannelException {
        assert inReactor();
        SelectionKey key = channel.keyFor(selector);
        Waiters w;
        if (key != null && !key.isValid()) {
            // Cancelled, not yet deregistered: register after the next selection flushed it.
            execute(() -> {
                flushCancelledKeys();
                try {
                    watch(channel, op, waiter);
                } catch (ClosedChannelException e) {
                    waiter.run(); // the step finds the channel closed
                }
            });
            return;
        }
        if (key == null) {
            w = new Waiters();
            key = channel.register(selector, 0, w);
        } else {
            w = (Waiters) key.attachment();
        }
        if (op == SelectionKey.OP_READ) {
            w.read = waiter;
        } else {
            w.write = waiter;
        }
        key.interestOps(w.ops());
    }

    /** Forgets the waiter of {@code channel} for {@code op}, if any. Reactor thread only. */
    void unwatch(SelectableChannel channel, int op) {
        assert inReactor();
        SelectionKey key = channel.keyFor(selector);
        if (key == null || !key.isValid()) {
            return;
        }
        Waiters w = (Waiters) key.attachment();
        if (op == SelectionKey.OP_READ) {
            w.read = null;
        } else {
            w.write = null;
        }
        try {
            key.interestOps(w.ops());
        } catch (CancelledKeyException e) {
            // closed meanwhile
        }
    }

    /**
     * Deregisters {@code channel} from the reactor's selector, then runs {@code then} (on this
     * thread), when the channel can return to blocking mode. Thread-safe.
     */
    void release(SelectableChannel channel, Runnable then) {
        execute(() -> {
            SelectionKey key = channel.keyFor(selector);
            if (key != null) {
                key.cancel();
                flushCancelledKeys();
            }
            then.run();
        });
    }

    /** A selection that deregisters cancelled keys; what it selects is dispatched by the loop. Never inside {@link #dispatch}. */
    private void flushCancelledKeys() {
        try {
            selector.selectNow();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "zerocopy: reactor selectNow failed", e);
        }
    }

    private void loop() {
        while (true) {
            try {
                long wait = 0;
                Timer next = timers.peek();
                if (next != null) {
                    wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next.deadline - System.nanoTime()) + 1);
                }
                if (tasks.isEmpty()) {
                    selector.select(wait);
                } else {
                    selector.selectNow();
                }
                dispatch();
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    run(task);
                }
                long now = System.nanoTime();
                while ((next = timers.peek()) != null && next.deadline - now <= 0) {
                    timers.poll();
                    if (!next.cancelled) {
                        run(next.task);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "zerocopy: reactor loop failed; going on", e);
            }
        }
    }

    private void dispatch() {
        for (SelectionKey key : selector.selectedKeys()) {
            Waiters w = (Waiters) key.attachment();
            Runnable read = null;
            Runnable write = null;
            if (!key.isValid()) {
                read = w.read;
                write = w.write;
                w.read = null;
                w.write = null;
            } else {
                int ready = key.readyOps();
                if ((ready & ~SelectionKey.OP_WRITE) != 0) { // OP_READ, or an error reported as ready
                    read = w.read;
                    w.read = null;
                }
                if ((ready & SelectionKey.OP_WRITE) != 0) {
                    write = w.write;
                    w.write = null;
                }
                try {
                    key.interestOps(w.ops());
                } catch (CancelledKeyException e) {
                    // closed meanwhile: the waiters run and find out
                }
            }
            if (read != null) {
                run(read);
            }
            if (write != null) {
                run(write);
            }
        }
        selector.selectedKeys().clear();
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "zerocopy: a reactor task threw", e);
            if (e instanceof VirtualMachineError) {
                throw (VirtualMachineError) e;
            }
        }
    }
}

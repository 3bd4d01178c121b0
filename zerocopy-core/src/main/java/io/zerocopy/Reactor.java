package io.zerocopy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.zerocopy.internal.LoopTimers;
import io.zerocopy.spi.EventLoop;

/**
 * The core's {@link EventLoop}: a readiness and timer thread of the asynchronous transfers
 * ({@value #THREAD_NAME}-N, a daemon): one JDK {@link Selector} for the channels of its waiting
 * transfers, a task queue, and timers. A channel's key carries one waiter for reading and one for writing,
 * so a channel can be the source of one transfer and the target of another (a proxy). Each
 * readiness wakes its waiter once (one-shot); waiters run on this thread and must not block.
 *
 * <p>A process has {@link #COUNT} of them, started on first use of
 * {@link EventLoops#selector()}. Thread-safety as {@link EventLoop} says.
 */
final class Reactor implements EventLoop {

    static final String THREAD_NAME = "zerocopy-reactor";
    private static final System.Logger LOG = System.getLogger(TransferEngine.class.getName());

    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final LoopTimers timers = new LoopTimers();
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

    /** @return {@link #COUNT} reactors, started (for {@link EventLoops#selector()}) */
    static List<Reactor> startAll() {
        List<Reactor> all = new ArrayList<>();
        try {
            for (int i = 0; i < Math.max(1, COUNT); i++) {
                all.add(new Reactor(i + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a reactor's selector", e);
        }
        return all;
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    @Override
    public EventLoop.Timer schedule(long deadline, Runnable task) {
        LoopTimers.Timer t = new LoopTimers.Timer(deadline, task);
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

    /** Every selectable channel. */
    @Override
    public boolean canWatch(SelectableChannel channel) {
        return true;
    }

    @Override
    public void watch(SelectableChannel channel, int op, Runnable waiter) throws ClosedChannelException {
        assert inLoop();
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

    @Override
    public void unwatch(SelectableChannel channel, int op) {
        assert inLoop();
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

    /** Deregisters {@code channel} from the reactor's selector (the key cancelled and flushed), then runs {@code then}. */
    @Override
    public void release(SelectableChannel channel, Runnable then) {
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
                long wait = timers.isEmpty() ? 0 : timers.waitMillis(Long.MAX_VALUE); // 0: no timeout
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
                timers.runDue(System.nanoTime(), Reactor::run);
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

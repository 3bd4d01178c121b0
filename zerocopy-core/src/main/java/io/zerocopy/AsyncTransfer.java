package io.zerocopy;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.EventLoop;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.TransferStrategy;

/**
 * Drives one asynchronous transfer down its plan ({@link FallbackChain.Run}): each candidate's
 * {@link Stepper} is stepped on its {@link EventLoop} (one of its engine's {@link EventLoops},
 * given in turn; or on a file thread when its steps touch a regular file), waiting between
 * steps through the loop, never a thread of its own; a candidate without a stepper runs its blocking {@link TransferStrategy#transfer} on a
 * blocking thread, the only case that holds a thread. The selectable channels are in
 * non-blocking mode while the transfer runs, and return to blocking mode afterwards if they
 * were (the last transfer on a channel restores it, after every loop that waited on the
 * channel has released it).
 *
 * <p>States: RUNNING (one thread steps), WAITING (armed on the loop or a timer), DONE.
 * Every wake-up (readiness, idle timer, cancellation) moves WAITING to RUNNING with one CAS, so
 * steps never run concurrently. Cancellation ({@link Waiter#cancel()}) and the idle timeout are
 * seen before the next step; a waiting transfer is woken for them at once.
 */
final class AsyncTransfer {

    private static final int RUNNING = 0;
    private static final int WAITING = 1;
    private static final int DONE = 2;

    private static final ExecutorService FILES = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), daemons("zerocopy-file-"));
    private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(daemons("zerocopy-blocking-"));
    /** Selectable channels in an asynchronous transfer: how many transfers use each, whether it was blocking, the loops. */
    private static final ConcurrentHashMap<SelectableChannel, Use> CHANNELS = new ConcurrentHashMap<>();

    private final FallbackChain.Run run;
    private final TransferState t;
    private final TransferFuture future;
    private final EventLoop loop;
    private final LongConsumer onDelivered;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final List<SelectableChannel> switched = new ArrayList<>(2);
    /** The transfer's one waiter: its cancellation flag and idle clock. */
    private final Waiter waiter;
    private Stepper stepper;
    /** Interest armed on the loop: the ops of the last waiting step. */
    private int armed;
    private EventLoop.Timer timer;

    /** A selectable channel's use by asynchronous transfers; guarded by {@link #CHANNELS}' lock of the channel. */
    private static final class Use {
        int users;
        boolean wasBlocking;
        /** Every loop a transfer on the channel ran on: each must release the channel before it blocks again. */
        final List<EventLoop> loops = new ArrayList<>(1);
    }

    private AsyncTransfer(FallbackChain.Run run, TransferFuture future, LongConsumer onDelivered, EventLoops loops) {
        this.run = run;
        this.loop = loopFor(loops, run.state());
        this.t = run.state();
        this.future = future;
        this.onDelivered = onDelivered;
        // Made here, on the starting thread, before any other thread sees the transfer: a
        // cancellation from any thread then sets the flag of the one waiter every step checks.
        this.waiter = Waiter.of(t);
    }

    private static java.util.concurrent.ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread th = new Thread(r, prefix + n.incrementAndGet());
            th.setDaemon(true);
            return th;
        };
    }

    /** @return the group's next loop, or a selector loop if that one cannot wait on a channel of the transfer */
    private static EventLoop loopFor(EventLoops loops, TransferState t) {
        EventLoop l = loops.next();
        if (cannotWatch(l, t.source()) || cannotWatch(l, t.target())) {
            return EventLoops.selector().next();
        }
        return l;
    }

    private static boolean cannotWatch(EventLoop loop, Channel channel) {
        return channel instanceof SelectableChannel && !loop.canWatch((SelectableChannel) channel);
    }

    /**
     * Starts a transfer; its first step runs on a loop of {@code loops}, never in the caller.
     *
     * @param onDelivered called with the bytes delivered once the transfer ends (moves a file source's position), or null
     * @param loops the engine's loops
     * @return the transfer's future
     */
    static TransferFuture start(FallbackChain.Run run, LongConsumer onDelivered, EventLoops loops) {
        TransferFuture future = new TransferFuture();
        AsyncTransfer a = new AsyncTransfer(run, future, onDelivered, loops);
        future.canceller(a::cancel);
        try {
            a.nonBlocking(run.state().source());
            a.nonBlocking(run.state().target());
        } catch (IOException e) {
            a.finish(null, run.failed(e));
            return future;
        }
        a.loop.execute(a::resume);
        return future;
    }

    /** Puts a selectable channel in non-blocking mode for the transfer (counted per channel). */
    private void nonBlocking(Channel channel) throws IOException {
        if (!(channel instanceof SelectableChannel)) {
            return;
        }
        SelectableChannel ch = (SelectableChannel) channel;
        try {
            CHANNELS.compute(ch, (c, use) -> {
                if (use == null) {
                    use = new Use();
                    use.wasBlocking = c.isBlocking();
                    if (use.wasBlocking) {
                        try {
                            c.configureBlocking(false);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
                use.users++;
                if (!use.loops.contains(loop)) {
                    use.loops.add(loop);
                }
                return use;
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        switched.add(ch);
    }

    /** Cancels: from any thread. A waiting transfer is woken to stop; a running one stops before its next step. */
    private void cancel() {
        waiter.cancel();
        loop.execute(this::wake);
    }

    /** Readiness, timer or cancellation: a waiting transfer runs again. Loop thread. */
    private void wake() {
        if (!state.compareAndSet(WAITING, RUNNING)) {
            return;
        }
        disarm();
        dispatch();
    }

    private void disarm() {
        if ((armed & SelectionKey.OP_READ) != 0 && t.source() instanceof SelectableChannel) {
            loop.unwatch((SelectableChannel) t.source(), SelectionKey.OP_READ);
        }
        if ((armed & SelectionKey.OP_WRITE) != 0 && t.target() instanceof SelectableChannel) {
            loop.unwatch((SelectableChannel) t.target(), SelectionKey.OP_WRITE);
        }
        armed = 0;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Continues on the right thread: file threads for steps that touch a file, else here (the loop). */
    private void dispatch() {
        if (stepper != null && stepper.blocksOnFileIo()) {
            FILES.execute(this::resume);
        } else {
            resume();
        }
    }

    /** Steps until the transfer waits, ends, or hands a candidate to a blocking thread. */
    private void resume() {
        try {
            while (true) {
                if (stepper == null) {
                    if (!run.next()) {
                        throw run.noStrategy();
                    }
                    waiter.checkLive();
                    waiter.checkIdle();
                    TransferStrategy s = run.strategy();
                    Stepper st = s.stepper(t);
                    if (st == null) {
                        BLOCKING.execute(this::attemptBlocking);
                        return;
                    }
                    stepper = st;
                    if (st.blocksOnFileIo() && loop.inLoop()) {
                        FILES.execute(this::resume);
                        return;
                    }
                }
                waiter.checkLive();
                waiter.checkIdle();
                Step step = stepper.step();
                if (step.isWaiting()) {
                    await(step.interest());
                    return;
                }
                closeStepper();
                if (run.ended(step.outcome())) {
                    finish(run.result(), null);
                    return;
                }
            }
        } catch (IOException e) {
            closeStepper(e); // first: the failure's counts include what the stepper held in flight
            finish(null, e instanceof TransferException ? (TransferException) e : run.failed(e));
        } catch (RuntimeException e) {
            closeStepper(e);
            try {
                finish(null, run.unchecked(e));
            } catch (RuntimeException bug) {
                finish(null, bug);
            }
        } catch (Error e) {
            finish(null, e);
            throw e;
        }
    }

    /** A candidate without a stepper, on a blocking thread; then the plan goes on. */
    private void attemptBlocking() {
        try {
            if (run.attempt()) {
                finish(run.result(), null);
                return;
            }
        } catch (TransferException e) {
            finish(null, e);
            return;
        } catch (RuntimeException e) {
            finish(null, e);
            return;
        }
        loop.execute(this::resume);
    }

    /** Waits for {@code ops} on the channels (or yields), with a timer for the idle deadline. */
    private void await(int ops) throws IOException {
        state.set(WAITING);
        if (ops == 0) {
            loop.execute(this::wake); // a yield: the others' turn first
            return;
        }
        long deadline = waiter.idleDeadline();
        loop.execute(() -> {
            if (state.get() != WAITING) {
                return;
            }
            try {
                if ((ops & SelectionKey.OP_READ) != 0) {
                    watch(t.source(), SelectionKey.OP_READ);
                }
                if ((ops & SelectionKey.OP_WRITE) != 0) {
                    watch(t.target(), SelectionKey.OP_WRITE);
                }
            } catch (ClosedChannelException e) {
                wake(); // the step finds the channel closed
                return;
            } catch (IOException | RuntimeException e) {
                if (state.compareAndSet(WAITING, RUNNING)) { // the loop cannot wait on a channel: the transfer fails
                    disarm();
                    finish(null, e instanceof IOException ? run.failed((IOException) e) : run.unchecked((RuntimeException) e));
                }
                return;
            }
            if (deadline != Long.MAX_VALUE) {
                timer = loop.schedule(deadline, this::wake);
            }
            if (waiter.isCancelled()) {
                wake();
            }
        });
    }

    private void watch(Channel channel, int op) throws IOException {
        if (channel instanceof SelectableChannel && !((SelectableChannel) channel).isBlocking()) {
            loop.watch((SelectableChannel) channel, op, this::wake);
            armed |= op;
        } else {
            loop.execute(this::wake); // not selectable: step again after the others' turn
        }
    }

    /** Closes the stepper after {@code failure}, to which a failure to close is added. */
    private void closeStepper(Throwable failure) {
        try {
            closeStepper();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private void closeStepper() throws IOException {
        Stepper s = stepper;
        stepper = null;
        if (s != null) {
            s.close();
        }
    }

    /** Ends the transfer once: the stepper, the run, the channels' blocking mode, then the future. */
    private void finish(TransferResult result, Throwable failure) {
        if (state.getAndSet(DONE) == DONE) {
            return;
        }
        Throwable thrown = failure;
        try {
            closeStepper();
        } catch (IOException e) {
            if (thrown == null) {
                thrown = run.failed(e);
            } else {
                thrown.addSuppressed(e);
            }
        }
        try {
            run.end(thrown);
        } catch (IOException e) {
            if (thrown == null) {
                thrown = e;
            }
        }
        if (onDelivered != null) {
            onDelivered.accept(t.delivered());
        }
        Throwable outcome = thrown;
        restore(0, () -> {
            if (outcome == null) {
                future.succeed(result);
            } else {
                future.fail(outcome);
            }
        });
    }

    /** Returns the switched channels to blocking mode (the last transfer on each), then runs {@code then}. */
    private void restore(int i, Runnable then) {
        if (i == switched.size()) {
            then.run();
            return;
        }
        SelectableChannel ch = switched.get(i);
        List<EventLoop> release = new ArrayList<>(1);
        CHANNELS.computeIfPresent(ch, (c, use) -> {
            if (--use.users > 0) {
                return use;
            }
            if (use.wasBlocking) {
                release.addAll(use.loops);
            }
            return null;
        });
        if (release.isEmpty()) {
            restore(i + 1, then);
            return;
        }
        releaseFrom(release, 0, ch, () -> {
            try {
                if (ch.isOpen()) {
                    ch.configureBlocking(true);
                }
            } catch (IOException | RuntimeException e) {
                // the channel stays non-blocking; the transfer's outcome stands
            }
            restore(i + 1, then);
        });
    }

    /** Releases {@code channel} from {@code loops[i..]}, one after the other, then runs {@code then}. */
    private static void releaseFrom(List<EventLoop> loops, int i, SelectableChannel channel, Runnable then) {
        if (i == loops.size()) {
            then.run();
            return;
        }
        loops.get(i).release(channel, () -> releaseFrom(loops, i + 1, channel, then));
    }
}

package io.zerocopy.spi;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * One thread that drives asynchronous transfers: it waits for the readiness of their
 * channels, runs their steps when a channel is ready, runs tasks handed to it and fires timers.
 * A transfer keeps one loop for its whole life, so its steps never run on two threads at once.
 * Loops come in groups ({@link io.zerocopy.EventLoops}); the core's are JDK selector (epoll)
 * loops, and a provider may offer others ({@link EventLoopProvider}).
 *
 * <p>Waiting is one-shot: a waiter runs once, on the loop's thread, when its channel is ready
 * for the operation (or has an error or hang-up the next step will find), and never after
 * {@link #unwatch} for that channel and operation returned. Waiters and tasks must not block.
 * A channel may have one waiter for reading and one for writing at a time, so a channel can be
 * the source of one transfer and the target of another (a proxy) on the same loop.
 *
 * <p>Thread-safety: {@link #execute}, {@link #schedule}, {@link #release}, {@link #inLoop} and
 * {@link #canWatch} from any thread; {@link #watch} and {@link #unwatch} on the loop's thread
 * only (from a task or a waiter).
 */
public interface EventLoop {

    /** @return true on this loop's thread */
    boolean inLoop();

    /**
     * Runs {@code task} on the loop's thread, soon, after the tasks handed over before it by
     * the same thread. A task that throws is logged and the loop goes on.
     *
     * @param task the task; not null
     */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the loop's thread at {@code deadline} or soon after, unless the
     * timer is cancelled before.
     *
     * @param deadline a {@link System#nanoTime()} value
     * @param task the task; not null
     * @return the timer
     */
    Timer schedule(long deadline, Runnable task);

    /**
     * @param channel a selectable channel
     * @return whether {@link #watch} can wait on this channel's readiness (the core's loops:
     *     every channel; a loop of native descriptors: only channels whose descriptor it reads)
     */
    boolean canWatch(SelectableChannel channel);

    /**
     * Runs {@code waiter} once, on this loop's thread, when {@code channel} is ready for
     * {@code op}; replaces an earlier waiter of the channel for {@code op}. Loop thread only.
     *
     * @param channel a channel in non-blocking mode for which {@link #canWatch} is true
     * @param op {@link SelectionKey#OP_READ} or {@link SelectionKey#OP_WRITE}
     * @param waiter what to run; must not block
     * @throws ClosedChannelException if the channel is closed
     * @throws IOException if the loop cannot wait on the channel
     */
    void watch(SelectableChannel channel, int op, Runnable waiter) throws IOException;

    /**
     * Forgets the waiter of {@code channel} for {@code op}, if any: it will not run. Loop
     * thread only.
     *
     * @param channel the channel
     * @param op {@link SelectionKey#OP_READ} or {@link SelectionKey#OP_WRITE}
     */
    void unwatch(SelectableChannel channel, int op);

    /**
     * Forgets every waiter of {@code channel} and lets go of it, then runs {@code then} on this
     * loop's thread once nothing of the loop refers to the channel any more (no registration,
     * no wait in flight in the kernel), so that the channel may return to blocking mode or be
     * closed without the loop holding it. A channel this loop never saw is released at once.
     *
     * @param channel the channel
     * @param then what to run after; not null
     */
    void release(SelectableChannel channel, Runnable then);

    /** A timer of {@link #schedule}. */
    interface Timer {
        /** Keeps the timer's task from running if it has not started. Thread-safe, idempotent. */
        void cancel();
    }
}

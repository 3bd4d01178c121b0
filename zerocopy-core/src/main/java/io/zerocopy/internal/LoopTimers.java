package io.zerocopy.internal;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.zerocopy.spi.EventLoop;

/**
 * Internal: not API. The timers of one {@link EventLoop}, in deadline order: the loop's
 * thread adds them, runs those due and bounds its wait by the next. Only the loop's thread
 * uses it; a timer's {@link EventLoop.Timer#cancel()} is thread-safe.
 */
public final class LoopTimers {

    private final PriorityQueue<Timer> queue = new PriorityQueue<>();

    /** A timer; {@link #cancel()} is thread-safe. */
    public static final class Timer implements EventLoop.Timer, Comparable<Timer> {
        final long deadline;
        final Runnable task;
        private volatile boolean cancelled;

        /**
         * @param deadline a {@link System#nanoTime()} value
         * @param task what to run then
         */
        public Timer(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            return Long.compare(deadline, o.deadline);
        }
    }

    /**
     * Adds a timer. Loop thread.
     *
     * @param t the timer
     */
    public void add(Timer t) {
        queue.add(t);
    }

    /**
     * Runs the tasks of the timers due by {@code now} that were not cancelled. Loop thread.
     *
     * @param now a {@link System#nanoTime()} value
     * @param runner runs each task (the loop's, which logs what a task throws)
     */
    public void runDue(long now, Consumer<Runnable> runner) {
        Timer next;
        while ((next = queue.peek()) != null && next.deadline - now <= 0) {
            queue.poll();
            if (!next.cancelled) {
                runner.accept(next.task);
            }
        }
    }

    /**
     * @param longest the longest wait wanted, in milliseconds
     * @return how long the loop may wait for the next timer: at least 1, at most {@code longest}
     */
    public long waitMillis(long longest) {
        Timer next = queue.peek();
        if (next == null) {
            return longest;
        }
        return Math.min(longest, Math.max(1, TimeUnit.NANOSECONDS.toMillis(next.deadline - System.nanoTime()) + 1));
    }

    /** @return true if no timer is pending */
    public boolean isEmpty() {
        return queue.isEmpty();
    }
}

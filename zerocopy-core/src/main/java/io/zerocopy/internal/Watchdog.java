package io.zerocopy.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Internal: not API. Ends JDK calls that block past a waiter's idle deadline, which nothing in
 * the calling thread can do: one daemon thread checks the {@link Waiter}s that are inside a
 * blocking call every {@value #SCAN_MILLIS} ms and {@linkplain Waiter#expire() expires} those
 * past their deadline (the waiter closes the channel the call blocks on, as a watchdog of the
 * user's own would). The thread starts on first use and parks while no waiter is watched.
 * Thread-safe.
 */
final class Watchdog {

    /** How often watched waiters are checked: the lateness of a timeout ending a blocking call. */
    static final long SCAN_MILLIS = 20;

    private static final Set<Waiter> WATCHED = ConcurrentHashMap.newKeySet();
    private static volatile Thread thread;

    private Watchdog() { }

    /** Checks {@code waiter} until {@link #unwatch}; idempotent. */
    static void watch(Waiter waiter) {
        WATCHED.add(waiter);
        Thread t = thread;
        if (t == null) {
            t = start();
        }
        LockSupport.unpark(t);
    }

    /** Stops checking {@code waiter}. */
    static void unwatch(Waiter waiter) {
        WATCHED.remove(waiter);
    }

    private static synchronized Thread start() {
        if (thread == null) {
            Thread t = new Thread(Watchdog::run, "zerocopy-idle-watchdog");
            t.setDaemon(true);
            t.start();
            thread = t;
        }
        return thread;
    }

    private static void run() {
        while (true) {
            if (WATCHED.isEmpty()) {
                LockSupport.park(Watchdog.class);
                continue;
            }
            LockSupport.parkNanos(Watchdog.class, TimeUnit.MILLISECONDS.toNanos(SCAN_MILLIS));
            long now = System.nanoTime();
            for (Waiter w : WATCHED) {
                try {
                    w.expireIfBlockedPast(now);
                } catch (RuntimeException e) {
                    // A channel's close threw: the waiter is marked expired all the same; go on with the others.
                }
            }
        }
    }
}

package io.zerocopy.bench.timing.proxy;

/** The run's own threads: daemons, joined for a bounded time at the end of a row. */
final class Threads {

    /** How long the end of a row waits for one thread, or for all of the proxy's connection threads. */
    static final long JOIN_MILLIS = 15_000;

    private Threads() { }

    /** @return a started daemon thread running {@code r} */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits at most {@value #JOIN_MILLIS} ms for {@code t}. */
    static void join(Thread t) {
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

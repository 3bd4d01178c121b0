package io.zerocopy.bench.timing.proxy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The threads of this process during a row, sampled by a daemon thread of its own (counted):
 * every {@value #FAST_MILLIS} ms the live platform threads ({@code ThreadMXBean.getThreadCount()})
 * and the proxy's connection handlers (threads, or transfers in flight for async rows); every
 * {@value #SLOW_MILLIS} ms also the threads used, and the kernel tasks of the process
 * (/proc/self/task), among them io_uring's workers (a name beginning "iou-").
 *
 * <p>Threads used: the live platform threads of the proxy, the library and the JVM, that is
 * all of them less the harness's own ({@code main}, the upstream's, the clients', the probes'
 * and this sampler's, which a real proxy's process would not hold) and less the idle workers of
 * the library's blocking pool.
 *
 * <p>Why "less the idle workers": the library's blocking pool ({@code zerocopy-blocking-N})
 * keeps a thread 60 s after its last task, so a row that follows an asynchronous row on the
 * blocking pool starts with threads it never uses. A worker is idle when it is parked in the
 * pool's queue (waiting on a {@code SynchronousQueue}). The slow samples cost about 3 ms of CPU
 * at 1000 threads, which is in the row's CPU time.
 */
final class ThreadSampler implements AutoCloseable {

    static final long FAST_MILLIS = 10;
    static final long SLOW_MILLIS = 100;
    private static final String POOL = "zerocopy-blocking-";

    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final IntSupplier handlers;
    /** Kernel task id to its name, for the tasks seen alive at the last slow sample. */
    private final Map<String, String> comm = new HashMap<>();
    private final Thread thread;
    private final int usedAtStart;
    private volatile boolean running = true;
    private volatile int livePeak;
    private volatile int usedPeak;
    private volatile int handlersPeak;
    private volatile int tasksPeak;
    private volatile int iouPeak;

    /** @param handlers the proxy's connection handlers alive now */
    ThreadSampler(IntSupplier handlers) {
        this.handlers = handlers;
        slowSample();
        usedAtStart = usedPeak;
        thread = Threads.daemon(this::run, "thread-sampler");
    }

    /** @return the threads used now (see the class comment) */
    int usedNow() {
        long[] ids = mx.getAllThreadIds();
        int used = 0;
        for (ThreadInfo info : mx.getThreadInfo(ids, 0)) {
            if (info != null && !harness(info.getThreadName()) && !idlePoolWorker(info)) {
                used++;
            }
        }
        return used;
    }

    /** @return whether {@code name} is a thread of the run itself rather than of the proxy under test */
    private static boolean harness(String name) {
        return name.equals("main") || name.equals("upstream") || name.equals("clients") || name.equals("probes")
                || name.startsWith("probe-") || name.equals("thread-sampler");
    }

    private static boolean idlePoolWorker(ThreadInfo info) {
        String lock = info.getLockName();
        return info.getThreadName().startsWith(POOL) && lock != null && lock.contains("SynchronousQueue")
                && (info.getThreadState() == Thread.State.WAITING || info.getThreadState() == Thread.State.TIMED_WAITING);
    }

    private void run() {
        long slowEvery = SLOW_MILLIS / FAST_MILLIS;
        for (long i = 1; running; i++) {
            livePeak = Math.max(livePeak, mx.getThreadCount());
            handlersPeak = Math.max(handlersPeak, handlers.getAsInt());
            if (i % slowEvery == 0) {
                slowSample();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(FAST_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void slowSample() {
        usedPeak = Math.max(usedPeak, usedNow());
        Set<String> alive = new HashSet<>();
        int iou = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String tid = task.getFileName().toString();
                alive.add(tid);
                String name = comm.computeIfAbsent(tid, t -> readComm(task));
                if (name.startsWith("iou-")) {
                    iou++;
                }
            }
        } catch (IOException e) {
            return; // not Linux
        }
        comm.keySet().retainAll(alive);
        tasksPeak = Math.max(tasksPeak, alive.size());
        iouPeak = Math.max(iouPeak, iou);
    }

    private static String readComm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).trim();
        } catch (IOException e) {
            return ""; // the task ended
        }
    }

    /** @return the threads used when sampling began */
    int usedAtStart() {
        return usedAtStart;
    }

    /** @return the most platform threads alive at a fast sample */
    int livePeak() {
        return livePeak;
    }

    /** @return the most threads used at a slow sample */
    int usedPeak() {
        return usedPeak;
    }

    /** @return the most connection handlers alive at a fast sample */
    int handlersPeak() {
        return handlersPeak;
    }

    /** @return the most kernel tasks of the process at a slow sample */
    int tasksPeak() {
        return tasksPeak;
    }

    /** @return the most io_uring worker tasks ("iou-" names) at a slow sample */
    int iouPeak() {
        return iouPeak;
    }

    /** Stops sampling, after one last slow sample; again, does nothing. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        thread.interrupt();
        Threads.join(thread);
        slowSample();
    }
}

package io.zerocopy.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** Thread CPU clocks (user + system unless named otherwise), in nanoseconds. */
final class Cpu {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    static {
        if (MX.isThreadCpuTimeSupported() && !MX.isThreadCpuTimeEnabled()) {
            MX.setThreadCpuTimeEnabled(true);
        }
    }

    private Cpu() { }

    /** @return user + system CPU of the calling thread */
    static long thread() {
        return MX.getCurrentThreadCpuTime();
    }

    /** @return user CPU of the calling thread */
    static long threadUser() {
        return MX.getCurrentThreadUserTime();
    }

    /** @return user + system CPU of the thread with this id, or -1 */
    static long of(long threadId) {
        return MX.getThreadCpuTime(threadId);
    }
}

package io.zerocopy.testkit;

import java.io.File;

/** Counts this process's open file descriptors (Linux /proc). */
public final class Descriptors {

    private Descriptors() { }

    /** @return true if descriptors can be counted here */
    public static boolean countable() {
        return new File("/proc/self/fd").isDirectory();
    }

    /** @return the number of open descriptors, or -1 where /proc is missing */
    public static int open() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}

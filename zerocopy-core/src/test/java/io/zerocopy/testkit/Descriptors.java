package io.zerocopy.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * This process's open file descriptors (Linux /proc), compared by what they refer to.
 *
 * <p>Counting the whole process is fragile: a background thread of an earlier test may close a socket between
 * a baseline and a check, and the count is off by one with nothing leaked. A {@link Snapshot} instead records
 * each descriptor with its target ({@code pipe:[4711]}, {@code socket:[42]}, a path) and reports the ones open
 * now that were not open, to the same object, when it was taken; its checks wait a moment for descriptors that
 * other threads hold only briefly.
 */
public final class Descriptors {

    private static final Path FD_DIR = Path.of("/proc/self/fd");
    private static final long SETTLE_NANOS = 2_000_000_000L;

    private Descriptors() { }

    /** @return true if descriptors can be listed here */
    public static boolean countable() {
        return new File("/proc/self/fd").isDirectory();
    }

    /** @return what {@code fd} refers to now ({@code pipe:[4711]}, a path, ...), or null if it is not open */
    public static String target(int fd) {
        try {
            return Files.readSymbolicLink(FD_DIR.resolve(Integer.toString(fd))).toString();
        } catch (IOException notOpen) {
            return null;
        }
    }

    /** @return the descriptors open now, as taken by {@link Snapshot#opened()} later */
    public static Snapshot snapshot() {
        return new Snapshot(list());
    }

    private static Map<Integer, String> list() {
        Map<Integer, String> fds = new TreeMap<>();
        String[] names = new File("/proc/self/fd").list();
        if (names != null) {
            for (String name : names) {
                int fd = Integer.parseInt(name);
                String target = target(fd);
                if (target != null) { // the descriptor that listed the directory is gone by now
                    fds.put(fd, target);
                }
            }
        }
        return fds;
    }

    /** The descriptors open at one moment, to compare later ones against. */
    public static final class Snapshot {
        private final Map<Integer, String> before;

        private Snapshot(Map<Integer, String> before) {
            this.before = before;
        }

        /** @return the descriptors open now whose target differs from this snapshot's, by number */
        public Map<Integer, String> opened() {
            Map<Integer, String> now = list();
            now.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
            return now;
        }

        /** @return how many of {@link #opened()} refer to a pipe */
        public int pipesOpened() {
            return (int) opened().values().stream().filter(t -> t.startsWith("pipe:")).count();
        }

        /**
         * Asserts that exactly {@code expected} descriptors were opened since this snapshot and are still open,
         * giving descriptors that other threads hold for a moment up to 2 s to close.
         */
        public void assertOpened(int expected, String what) {
            Map<Integer, String> opened = settle(expected, true);
            if (opened.size() != expected) {
                throw new AssertionError(what + ": expected " + expected + " descriptors opened since the snapshot, "
                        + "found " + opened.size() + " " + opened);
            }
        }

        /** As {@link #assertOpened} but for at most {@code max} descriptors. */
        public void assertOpenedAtMost(int max, String what) {
            Map<Integer, String> opened = settle(max, false);
            if (opened.size() > max) {
                throw new AssertionError(what + ": expected at most " + max + " descriptors opened since the snapshot, "
                        + "found " + opened.size() + " " + opened);
            }
        }

        /**
         * Polls /proc every 10 ms, for at most {@link #SETTLE_NANOS}, until the count is as expected: a
         * descriptor closed by another thread (a peer, a JDK cleaner) gives no signal to wait on, so a
         * bounded poll it is. Returns what it last saw; the caller asserts.
         */
        private Map<Integer, String> settle(int n, boolean exact) {
            long deadline = System.nanoTime() + SETTLE_NANOS;
            Map<Integer, String> opened = opened();
            while ((exact ? opened.size() != n : opened.size() > n) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                opened = opened();
            }
            return opened;
        }
    }
}

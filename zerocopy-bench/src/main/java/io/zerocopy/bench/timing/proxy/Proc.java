package io.zerocopy.bench.timing.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What /proc tells of this process and its children (descriptors, CPU, threads) and of their network namespaces (TcpExt counters). */
final class Proc {

    private Proc() { }

    /** USER_HZ: the unit of /proc/PID/stat's times, 100 on every Linux architecture the JDK runs on. */
    private static final double TICKS_PER_SECOND = 100;

    /** @return the TcpExt counters of this network namespace, empty if unknown */
    static Map<String, Long> tcpCounters() {
        return tcpCounters(Path.of("/proc/net/netstat"));
    }

    /** @return the TcpExt counters of the network namespace of process {@code pid}, empty if unknown */
    static Map<String, Long> tcpCounters(long pid) {
        return tcpCounters(Path.of("/proc", Long.toString(pid), "net", "netstat"));
    }

    /** @return the CPU time (user and system, utime + stime of /proc/PID/stat) of process {@code pid} in seconds, NaN if unknown */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** @return the threads (kernel tasks) of process {@code pid}, from /proc/PID/status; 0 if unknown */
    static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended
        }
        return 0;
    }

    private static Map<String, Long> tcpCounters(Path netstat) {
        Map<String, Long> m = new HashMap<>();
        try {
            List<String> lines = Files.readAllLines(netstat);
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                    String[] names = lines.get(i).split("\\s+");
                    String[] values = lines.get(i + 1).split("\\s+");
                    for (int k = 1; k < names.length && k < values.length; k++) {
                        m.put(names[k], Long.parseLong(values[k]));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return m;
    }

    static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }

    /** @return the soft limit of open files of this process, or -1 if unknown */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** @return descriptors open in this process now, or -1 if unknown */
    static long openFiles() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }
}

package io.zerocopy.bench.timing.peers;

import io.zerocopy.bench.Commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from /proc, in clock ticks of {@link #TICKS_PER_SECOND} (USER_HZ). A process's
 * time is its {@code utime + stime} from {@code /proc/<pid>/stat}: every thread's, the exited
 * ones' included. The machine's is the first line of {@code /proc/stat}: busy is everything
 * but {@code idle} and {@code iowait}; softirq is counted there too, and, unless the kernel
 * accounts IRQ time apart ({@code CONFIG_IRQ_TIME_ACCOUNTING}), also in the {@code stime} of
 * whichever task was running when the softirq ran (on veth, often the sender, which then pays
 * for part of the receiver's TCP work), or of {@code ksoftirqd}.
 */
final class Cpu {

    static final int TICKS_PER_SECOND = ticksPerSecond();
    /** The CPUs /proc/stat counts, whatever this JVM's share of them. */
    static final int MACHINE_CPUS = machineCpus();

    private Cpu() { }

    /**
     * @param pid a process
     * @return its user and system time, in ticks
     * @throws IOException if it has exited or /proc cannot be read
     */
    static long process(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state); utime and stime are fields 14 and 15
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The machine's counters at one moment, in ticks summed over CPUs. */
    static final class Machine {
        final long busy;
        final long softirq;

        private Machine(long busy, long softirq) {
            this.busy = busy;
            this.softirq = softirq;
        }
    }

    /** @return the machine's busy and softirq time so far */
    static Machine machine() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest is inside user
                long busy = 0;
                for (int i = 1; i <= 8 && i < f.length; i++) {
                    if (i != 4 && i != 5) {
                        busy += Long.parseLong(f[i]);
                    }
                }
                return new Machine(busy, Long.parseLong(f[7]));
            }
        }
        throw new IOException("no cpu line in /proc/stat");
    }

    /** @return the load averages, as /proc/loadavg has them */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** @return how the running kernel accounts IRQ time, from /proc/config.gz, or null if unknown */
    static String irqAccounting() {
        try {
            Commands.Result r = Commands.runAny("sh", "-c",
                    "zcat /proc/config.gz 2>/dev/null | grep -E '^(# )?CONFIG_(IRQ_TIME_ACCOUNTING|TICK_CPU_ACCOUNTING|VIRT_CPU_ACCOUNTING_GEN)[ =]'");
            return r.out.isEmpty() ? null : r.out.replace('\n', ';').replace(";", "; ");
        } catch (IOException e) {
            return null;
        }
    }

    private static int machineCpus() {
        try {
            int n = 0;
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu") && Character.isDigit(line.charAt(3))) {
                    n++;
                }
            }
            return n > 0 ? n : Runtime.getRuntime().availableProcessors();
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static int ticksPerSecond() {
        try {
            return Integer.parseInt(Commands.run("getconf", "CLK_TCK"));
        } catch (IOException | NumberFormatException e) {
            return 100;
        }
    }
}

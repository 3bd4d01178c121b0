package io.zerocopy.bench.timing.peers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One server or proxy under test and its samples per client mode: index 0 the sequential
 * fetches on one connection, 1 the concurrent connections. Samples are kept in rep order, so
 * that two rows' samples of the same rep, measured minutes apart at most, can be paired.
 */
final class Row {

    static final int MODES = 2;
    static final double GIB = 1L << 30;

    /** One measured fetch pattern. */
    static final class Sample {
        final long bytes;
        final long nanos;
        final long peerTicks;
        final long busyTicks;
        final long softirqTicks;

        Sample(long bytes, long nanos, long peerTicks, long busyTicks, long softirqTicks) {
            this.bytes = bytes;
            this.nanos = nanos;
            this.peerTicks = peerTicks;
            this.busyTicks = busyTicks;
            this.softirqTicks = softirqTicks;
        }

        /** @return MB/s, 10^6 bytes a second */
        double mbPerSecond() {
            return bytes * 1e3 / nanos;
        }

        double peerPerGib() {
            return perGib(peerTicks);
        }

        double busyPerGib() {
            return perGib(busyTicks);
        }

        double softirqPerGib() {
            return perGib(softirqTicks);
        }

        /** @return the machine's busy time over its capacity in the sample's window, in percent */
        double busyPercent() {
            return 100.0 * busyTicks / (Cpu.MACHINE_CPUS * (nanos / 1e9) * Cpu.TICKS_PER_SECOND);
        }

        /** @return CPU seconds per GiB delivered */
        private double perGib(long ticks) {
            return ticks / (double) Cpu.TICKS_PER_SECOND / (bytes / GIB);
        }
    }

    final String name;
    final Peer peer;
    /** For the library's JVMs, the engine's plan as the child printed it; else null. */
    final String plan;
    final List<List<Sample>> samples = List.of(new ArrayList<>(), new ArrayList<>());

    Row(String name, Peer peer, String plan) {
        this.name = name;
        this.peer = peer;
        this.plan = plan;
    }

    /** Median, min and max of some values. */
    static final class Spread {
        final double median;
        final double min;
        final double max;

        Spread(double[] v) {
            double[] s = v.clone();
            Arrays.sort(s);
            int n = s.length;
            median = n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            min = n == 0 ? Double.NaN : s[0];
            max = n == 0 ? Double.NaN : s[n - 1];
        }
    }

    interface Measure {
        double of(Sample s);
    }

    Spread spread(int mode, Measure m) {
        List<Sample> list = samples.get(mode);
        double[] v = new double[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = m.of(list.get(i));
        }
        return new Spread(v);
    }

    /** @return the spread of this row's value over the baseline's, paired by rep */
    Spread ratio(Row baseline, int mode, Measure m) {
        List<Sample> mine = samples.get(mode);
        List<Sample> theirs = baseline.samples.get(mode);
        int n = Math.min(mine.size(), theirs.size());
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = m.of(mine.get(i)) / m.of(theirs.get(i));
        }
        return new Spread(v);
    }
}

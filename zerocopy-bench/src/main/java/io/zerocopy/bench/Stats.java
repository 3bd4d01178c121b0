package io.zerocopy.bench;

import java.util.Arrays;
import java.util.List;

/** Order statistics of one row's samples. */
final class Stats {

    static final double GIB = 1024.0 * 1024 * 1024;

    final int n;
    final long bytes;
    final double medianNs;
    final double minNs;
    final double q1Ns;
    final double q3Ns;
    final double maxNs;
    /** Median over samples of mover CPU seconds per GiB delivered (over all targets of a broadcast). */
    final double cpuPerGib;
    final double userPerGib;
    final double peerCpuPerGib;
    /** Median over samples of mover + peer CPU seconds per GiB. */
    final double totalCpuPerGib;

    Stats(List<Sample> samples) {
        n = samples.size();
        bytes = samples.get(0).bytes();
        double[] t = new double[n];
        double[] cpu = new double[n];
        double[] user = new double[n];
        double[] peer = new double[n];
        double[] total = new double[n];
        boolean userKnown = true;
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            t[i] = s.wallNs();
            double gib = s.deliveredBytes() / GIB;
            cpu[i] = s.moverCpuNs() / 1e9 / gib;
            user[i] = s.moverUserNs() / 1e9 / gib;
            peer[i] = s.peerCpuNs() / 1e9 / gib;
            total[i] = cpu[i] + peer[i];
            userKnown &= s.moverUserNs() >= 0;
        }
        medianNs = quantile(t, 0.5);
        minNs = quantile(t, 0);
        q1Ns = quantile(t, 0.25);
        q3Ns = quantile(t, 0.75);
        maxNs = quantile(t, 1);
        cpuPerGib = quantile(cpu, 0.5);
        userPerGib = userKnown ? quantile(user, 0.5) : Double.NaN;
        peerCpuPerGib = quantile(peer, 0.5);
        totalCpuPerGib = quantile(total, 0.5);
    }

    /** Linear-interpolation quantile (type 7). */
    static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        if (v.length == 1) {
            return v[0];
        }
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }

    static double mbps(long bytes, double ns) {
        return bytes / (ns / 1e9) / 1e6;
    }

    double mbps() {
        return mbps(bytes, medianNs);
    }

    double mbpsLow() {
        return mbps(bytes, maxNs);
    }

    double mbpsHigh() {
        return mbps(bytes, minNs);
    }
}

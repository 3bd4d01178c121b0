package io.zerocopy.bench.timing.proxy;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** What one row measured. */
final class Result {
    int rep;
    boolean finished;
    long bytes;
    long expected;
    int shortConnections;
    double wallSeconds;
    /** CPU of the whole process (loopback), or of the row's proxy processes (veth). */
    double cpuSeconds;
    /** CPU of the upstream and client processes (veth); NaN on loopback, where they share the proxy's process. */
    double peerCpuSeconds = Double.NaN;
    /** The processes the proxy ran in. */
    int proxyProcesses = 1;
    int idleUp;
    int probesOk;
    int probesInLoad;
    int probesTotal;
    double ttfbP50 = Double.NaN;
    double ttfbP99 = Double.NaN;
    long handlerErrors;
    String firstError = "";
    int threadsLeft;
    long fdsAfter;
    String rowError = "";
    long tcpTimeouts;
    long tcpMemoryPressures;
    long tcpRcvQDrops;
    /** Threads used ({@link ThreadSampler}) just before the bulk connections; and their peak after. */
    int threadsAtStart;
    int threadsUsedPeak;
    /** The most platform threads alive, idle pool workers included. */
    int threadsLivePeak;
    /** The most connection handlers alive: threads of the row's kind, or transfers in flight (async). */
    int handlersPeak;
    int tasksPeak;
    int iouPeak;
    /** Completed transfers by strategy path ({@link Proxy#finishedBy()}), bulk, idle and probe connections. */
    String finishedBy = "";

    double mbps() {
        return finished ? bytes / 1e6 / wallSeconds : Double.NaN;
    }

    double cpuPerGib() {
        return finished && bytes > 0 ? cpuSeconds / (bytes / (double) (1L << 30)) : Double.NaN;
    }

    double peerCpuPerGib() {
        return finished && bytes > 0 ? peerCpuSeconds / (bytes / (double) (1L << 30)) : Double.NaN;
    }

    String status() {
        if (!finished) {
            return "DID NOT FINISH (" + bytes + " of " + expected + " bytes)"
                    + (rowError.isEmpty() ? "" : ": " + rowError);
        }
        return shortConnections == 0 ? "ok" : "SHORT (" + bytes + " of " + expected + " bytes)";
    }

    /** @return {@code metric} of each of {@code results}, in order, leaving out NaN */
    static double[] measured(List<Result> results, ToDoubleFunction<Result> metric) {
        return results.stream().mapToDouble(metric).filter(x -> !Double.isNaN(x)).toArray();
    }
}

package io.zerocopy.bench.timing.proxy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import io.zerocopy.bench.VethLinks;
import io.zerocopy.bench.timing.Readers;

/** The Markdown summary (summary.md, and the table printed at the end): one line per configuration. */
final class Table {

    private Table() { }

    static String markdown(List<Config> configs, Options o, String jdk, int cores) {
        boolean veth = o.link.equals("veth");
        boolean split = !o.link.equals("loopback");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Proxy threads, %s: %s, %d cores; %d idle connections held,"
                + " %d TTFB probes, median (min–max) of %d interleaved reps; per N:", veth ? "over veth (MTU "
                + VethLinks.mtu() + ")" : split ? "over loopback, split over processes" : "over loopback", jdk, cores, o.idle, o.probes, o.reps));
        Map<Integer, Config> byN = new TreeMap<>();
        configs.forEach(c -> byN.putIfAbsent(c.conns, c));
        for (Config c : byN.values()) {
            sb.append(String.format(Locale.ROOT, " %d: %s per connection, socket buffers %s, timeout %d s%s;", c.conns,
                    Units.human(c.size), c.sockBuf == 0 ? "autotuned" : Units.human(c.sockBuf), c.timeoutSeconds,
                    split ? ", " + c.processes + " proxy process" + (c.processes == 1 ? "" : "es") : ""));
        }
        sb.append("\n\n| threads | engine | conns | MB/s | CPU s/GiB |").append(split ? " proxies | peers CPU s/GiB | tasks |" : "")
                .append(" TTFB p50 ms | TTFB p99 ms | threads used | before | handlers peak | iou- | probes ok (during load) |"
                + " TCP RTOs | status |\n");
        sb.append("|---|---|---:|---:|---:|").append(split ? "---:|---:|---:|" : "")
                .append("---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Config c : configs) {
            List<Result> fin = c.finished();
            int iou = 0;
            int probesOk = 0;
            int probes = 0;
            int inLoad = 0;
            long rtos = 0;
            for (Result r : c.results) {
                rtos += r.tcpTimeouts;
                iou = Math.max(iou, r.iouPeak);
                probesOk += r.probesOk;
                probes += r.probesTotal;
                inLoad += r.probesInLoad;
            }
            sb.append("| ").append(c.kind.name).append(" | ").append(c.engineName).append(" | ").append(c.conns)
                    .append(" | ").append(stat(fin, Result::mbps, "%.0f"))
                    .append(" | ").append(stat(fin, Result::cpuPerGib, "%.2f"));
            if (split) {
                sb.append(" | ").append(c.processes).append(" | ").append(stat(fin, Result::peerCpuPerGib, "%.2f"))
                        .append(" | ").append(stat(c.results, r -> r.tasksPeak, "%.0f"));
            }
            sb.append(" | ").append(stat(c.results, r -> r.ttfbP50, "%.1f"))
                    .append(" | ").append(stat(c.results, r -> r.ttfbP99, "%.1f"))
                    .append(" | ").append(stat(c.results, r -> r.threadsUsedPeak, "%.0f"))
                    .append(" | ").append(stat(c.results, r -> r.threadsAtStart, "%.0f"))
                    .append(" | ").append(stat(c.results, r -> r.handlersPeak, "%.0f"))
                    .append(" | ").append(iou)
                    .append(" | ").append(probesOk).append('/').append(probes).append(" (").append(inLoad).append(')')
                    .append(" | ").append(rtos)
                    .append(" | ").append(c.status()).append(" |\n");
        }
        sb.append(veth ? VETH_NOTES : split ? SPLIT_NOTES : LOOPBACK_NOTES).append(COMMON_NOTES);
        return sb.toString();
    }

    private static final String LOOPBACK_NOTES = "\nMB/s and CPU over finished reps only; CPU is the whole process"
            + " (upstream sendfile loop, proxy, client read loop); TCP RTOs: retransmission timeouts"
            + " (TcpExt TCPTimeouts of the network namespace) during the row's reps, summed.";
    /** Where the proxy processes are and why there may be several: both split runs. */
    private static final String PROXY_PROCESSES = " the proxy in as many processes as \"proxies\" (sharing their"
            + " listening ports with SO_REUSEPORT: with up to 4 descriptors per proxied connection, 2 sockets and"
            + " zerocopy-linux's duplicates of them, a process's open-file limit caps the connections it can hold)";
    /** What the columns of both split runs measure. */
    private static final String PROCESS_COLUMNS = " MB/s and CPU over finished reps only; CPU s/GiB: the proxy"
            + " processes' utime+stime (/proc/PID/stat) per GiB delivered, summed; peers: the same of the upstream and"
            + " client processes";
    private static final String TASKS = "; tasks: the most kernel tasks of the proxy processes together"
            + " (/proc/PID/status Threads, every 100 ms); TCP RTOs: TcpExt TCPTimeouts of ";
    private static final String VETH_NOTES = "\nThe upstream in one network namespace, the clients, idle connections"
            + " and probes in another, each a process of its own;" + PROXY_PROCESSES + " in the root namespace;"
            + " both hops cross a veth pair." + PROCESS_COLUMNS + " (softirq work of veth is charged to whichever task"
            + " it interrupts, so part of each side's receive work is in the other's)" + TASKS
            + "the three namespaces during the row's reps, summed.";
    private static final String SPLIT_NOTES = "\nThe upstream and the clients, idle connections and probes each a"
            + " process of its own;" + PROXY_PROCESSES + "; every process over loopback." + PROCESS_COLUMNS + TASKS
            + "the network namespace during the row's reps, summed.";
    private static final String COMMON_NOTES = " TTFB over the probes that got a byte;"
            + " \"during load\": probes begun before the last bulk byte arrived."
            + " Threads used: the most live platform threads of the proxy, the library and the JVM (not the"
            + " harness's upstream, clients and probes), less idle workers of the library's blocking pool, sampled"
            + " every 100 ms from just before the bulk connections (then: \"before\"; summed over proxy processes);"
            + " handlers: the most connection threads (virtual or platform) or transfers in flight (async) alive, idle"
            + " and probe connections included, every 10 ms; iou-: the most io_uring worker tasks, the maximum over"
            + " reps. Socket buffers are fixed (SO_RCVBUF, SO_SNDBUF) unless autotuned.\n";

    /** @return "median (min–max)" of {@code metric}, "median" of one value, "–" of none */
    private static String stat(List<Result> results, ToDoubleFunction<Result> metric, String format) {
        double[] v = Result.measured(results, metric);
        if (v.length == 0) {
            return "–";
        }
        double min = Arrays.stream(v).min().getAsDouble();
        double max = Arrays.stream(v).max().getAsDouble();
        String med = String.format(Locale.ROOT, format, Readers.median(v));
        return v.length == 1 ? med : med + " (" + String.format(Locale.ROOT, format, min) + "–"
                + String.format(Locale.ROOT, format, max) + ")";
    }
}

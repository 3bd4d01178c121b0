package io.zerocopy.bench.timing.proxy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import io.zerocopy.bench.timing.Readers;

/** The Markdown summary (summary.md, and the table printed at the end): one line per configuration. */
final class Table {

    private Table() { }

    static String markdown(List<Config> configs, Options o, String jdk, int cores) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Proxy threads: %s, %d cores; %s per connection, %d idle connections held,"
                + " %d TTFB probes, median (min–max) of %d interleaved reps, timeout %d s per row%n%n",
                jdk, cores, Units.human(o.size), o.idle, o.probes, o.reps, o.timeoutSeconds));
        sb.append("| threads | engine | conns | MB/s | CPU s/GiB | TTFB p50 ms | TTFB p99 ms | threads used | before |"
                + " handlers peak | iou- | probes ok (during load) | TCP RTOs | status |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
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
                    .append(" | ").append(stat(fin, Result::cpuPerGib, "%.2f"))
                    .append(" | ").append(stat(c.results, r -> r.ttfbP50, "%.1f"))
                    .append(" | ").append(stat(c.results, r -> r.ttfbP99, "%.1f"))
                    .append(" | ").append(stat(c.results, r -> r.threadsUsedPeak, "%.0f"))
                    .append(" | ").append(stat(c.results, r -> r.threadsAtStart, "%.0f"))
                    .append(" | ").append(stat(c.results, r -> r.handlersPeak, "%.0f"))
                    .append(" | ").append(iou)
                    .append(" | ").append(probesOk).append('/').append(probes).append(" (").append(inLoad).append(')')
                    .append(" | ").append(rtos)
                    .append(" | ").append(c.status()).append(" |\n");
        }
        sb.append(String.format(Locale.ROOT, "%nMB/s and CPU over finished reps only; CPU is the whole process"
                + " (upstream sendfile loop, proxy, client read loop); TTFB over the probes that got a byte;"
                + " \"during load\": probes begun before the last bulk byte arrived; TCP RTOs: retransmission timeouts"
                + " (TcpExt TCPTimeouts of the network namespace) during the row's reps, summed; socket buffers %s."
                + " Threads used: the most live platform threads of the proxy, the library and the JVM (not the"
                + " harness's upstream, clients and probes), less idle workers of the library's blocking pool, sampled"
                + " every 100 ms from just before the bulk connections (then: \"before\"); handlers: the most connection threads (virtual or"
                + " platform) or transfers in flight (async) alive, idle and probe connections included, every 10 ms; iou-: the most io_uring worker tasks,"
                + " the maximum over reps.%n",
                o.sockBuf == 0 ? "autotuned by the kernel" : "fixed at " + Units.human(o.sockBuf) + " (SO_RCVBUF, SO_SNDBUF)"));
        return sb.toString();
    }

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

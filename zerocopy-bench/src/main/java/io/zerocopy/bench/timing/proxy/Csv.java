package io.zerocopy.bench.timing.proxy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import io.zerocopy.bench.timing.Readers;

/** The CSV files: results.csv (one line per row) and summary.csv (one line per configuration). */
final class Csv {

    private Csv() { }

    static String results(List<Config> configs, Options o, String jdk) {
        StringBuilder sb = new StringBuilder("jdk,threads,engine,conns,idle,size_bytes,rep,status,bytes,expected_bytes,"
                + "wall_s,mb_per_s,cpu_s,cpu_s_per_gib,idle_up,probes_ok,probes_during_load,probes_total,ttfb_p50_ms,"
                + "ttfb_p99_ms,handler_errors,first_error,threads_left,fds_after,tcp_timeouts,tcp_memory_pressures,tcp_rcvq_drops,"
                + "sockbuf,threads_at_start,threads_used_peak,threads_live_peak,handlers_peak,tasks_peak,iou_tasks_peak,finished_by,"
                + "link,proxy_processes,timeout_s,peer_cpu_s,peer_cpu_s_per_gib\n");
        for (int rep = 0; rep < o.reps; rep++) {
            for (Config c : configs) {
                Result r = c.results.get(rep);
                sb.append(text(jdk)).append(',').append(c.kind.name).append(',').append(c.engineName).append(',')
                        .append(c.conns).append(',').append(o.idle).append(',').append(c.size).append(',').append(rep)
                        .append(',').append(text(r.status())).append(',').append(r.bytes).append(',').append(r.expected)
                        .append(',').append(num(r.wallSeconds)).append(',').append(num(r.mbps())).append(',')
                        .append(num(r.cpuSeconds)).append(',').append(num(r.cpuPerGib())).append(',').append(r.idleUp)
                        .append(',').append(r.probesOk).append(',').append(r.probesInLoad).append(',')
                        .append(r.probesTotal).append(',').append(num(r.ttfbP50)).append(',').append(num(r.ttfbP99))
                        .append(',').append(r.handlerErrors).append(',').append(text(r.firstError)).append(',')
                        .append(r.threadsLeft).append(',').append(r.fdsAfter).append(',').append(r.tcpTimeouts).append(',')
                        .append(r.tcpMemoryPressures).append(',').append(r.tcpRcvQDrops).append(',').append(c.sockBuf)
                        .append(',').append(r.threadsAtStart).append(',').append(r.threadsUsedPeak).append(',')
                        .append(r.threadsLivePeak).append(',').append(r.handlersPeak).append(',').append(r.tasksPeak)
                        .append(',').append(r.iouPeak).append(',').append(text(r.finishedBy)).append(',').append(o.link)
                        .append(',').append(r.proxyProcesses).append(',').append(c.timeoutSeconds).append(',')
                        .append(num(r.peerCpuSeconds)).append(',').append(num(r.peerCpuPerGib())).append('\n');
            }
        }
        return sb.toString();
    }

    static String summary(List<Config> configs, Options o, String jdk) {
        StringBuilder sb = new StringBuilder("jdk,threads,engine,conns,idle,size_bytes,reps,finished_reps,"
                + "mb_per_s_median,mb_per_s_min,mb_per_s_max,cpu_s_per_gib_median,cpu_s_per_gib_min,cpu_s_per_gib_max,"
                + "ttfb_p50_ms_median,ttfb_p50_ms_min,ttfb_p50_ms_max,ttfb_p99_ms_median,ttfb_p99_ms_min,ttfb_p99_ms_max,"
                + "threads_used_peak_median,threads_used_peak_min,threads_used_peak_max,threads_at_start_median,"
                + "handlers_peak_median,iou_tasks_peak_max,status,link,proxy_processes,sockbuf,peer_cpu_s_per_gib_median,"
                + "peer_cpu_s_per_gib_min,peer_cpu_s_per_gib_max,tasks_peak_median\n");
        for (Config c : configs) {
            List<Result> fin = c.finished();
            sb.append(text(jdk)).append(',').append(c.kind.name).append(',').append(c.engineName).append(',')
                    .append(c.conns).append(',').append(o.idle).append(',').append(c.size).append(',')
                    .append(c.results.size()).append(',').append(fin.size()).append(',')
                    .append(triple(fin, Result::mbps)).append(',').append(triple(fin, Result::cpuPerGib)).append(',')
                    .append(triple(c.results, r -> r.ttfbP50)).append(',').append(triple(c.results, r -> r.ttfbP99))
                    .append(',').append(triple(c.results, r -> r.threadsUsedPeak)).append(',')
                    .append(num(median(c.results, r -> r.threadsAtStart))).append(',')
                    .append(num(median(c.results, r -> r.handlersPeak))).append(',')
                    .append(c.results.stream().mapToInt(r -> r.iouPeak).max().orElse(0))
                    .append(',').append(text(c.status())).append(',').append(o.link).append(',').append(c.processes)
                    .append(',').append(c.sockBuf).append(',').append(triple(fin, Result::peerCpuPerGib)).append(',')
                    .append(num(median(c.results, r -> r.tasksPeak))).append('\n');
        }
        return sb.toString();
    }

    /** @return "median,min,max" of {@code metric}, ",," of none */
    private static String triple(List<Result> results, ToDoubleFunction<Result> metric) {
        double[] v = Result.measured(results, metric);
        if (v.length == 0) {
            return ",,";
        }
        return num(Readers.median(v)) + ',' + num(Arrays.stream(v).min().getAsDouble()) + ','
                + num(Arrays.stream(v).max().getAsDouble());
    }

    private static double median(List<Result> results, ToDoubleFunction<Result> metric) {
        double[] v = Result.measured(results, metric);
        return v.length == 0 ? Double.NaN : Readers.median(v);
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** @return {@code s} as one CSV field, quoted if it holds a comma or a quote */
    private static String text(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}

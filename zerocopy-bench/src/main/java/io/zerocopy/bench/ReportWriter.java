package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files of a finished {@link Report}, in its output directory: {@code results.csv},
 * {@code sweep.csv} and {@code throughput-by-size.svg} (if there was a sweep),
 * {@code bindings.csv} (if the small transfers by binding ran), {@code new-files.csv} (if the
 * new-file copies ran), {@code throughput.svg} and
 * {@code summary.md}, the Markdown that the report also prints; and the cell formats that every
 * CSV and Markdown table of the bench shares.
 */
final class ReportWriter {

    static final String CSV_HEADER = "scenario,row,family,status,ran,bytes,reps,median_ms,min_ms,q1_ms,q3_ms,max_ms,"
            + "mb_s,mb_s_min,mb_s_max,cpu_s_per_gib,user_s_per_gib,peer_cpu_s_per_gib,total_cpu_s_per_gib,"
            + "ratio_vs_traditional,note";
    static final String SWEEP_HEADER = "scenario,row,size,ops,median_ns_per_op,min_ns_per_op,max_ns_per_op,mb_s,ran";

    private final Report rep;
    private final Options o;
    /** How long the run took, for the summary. */
    private final double secs;

    /**
     * @param rep the finished report
     * @param secs how long the run took
     */
    ReportWriter(Report rep, double secs) {
        this.rep = rep;
        this.o = rep.o;
        this.secs = secs;
    }

    /** @return the JVM, the OS, the CPUs and the default engine, for a report's first line */
    static String environment() {
        return "JVM " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + "; " + Runtime.getRuntime().availableProcessors() + " CPUs"
                + "; default engine " + ZeroCopy.defaultEngine();
    }

    /**
     * Writes the report's files into its output directory, which exists.
     *
     * @return the text of summary.md
     * @throws IOException if a file cannot be written
     */
    String write() throws IOException {
        writeCsv(o.out.resolve("results.csv"));
        if (!rep.sweep.isEmpty()) {
            writeSweepCsv(o.out.resolve("sweep.csv"));
            Files.writeString(o.out.resolve("throughput-by-size.svg"),
                    Svg.sizeChart(rep.sweep, "zerocopy-bench: throughput by transfer size"), StandardCharsets.UTF_8);
        }
        if (rep.newFiles != null) {
            Files.writeString(o.out.resolve("new-files.csv"), rep.newFiles.csv(), StandardCharsets.UTF_8);
        }
        if (rep.bindings != null) {
            Files.writeString(o.out.resolve("bindings.csv"), rep.bindings.csv(), StandardCharsets.UTF_8);
        }
        Files.writeString(o.out.resolve("throughput.svg"), Svg.throughputChart(rep.results,
                "zerocopy-bench: " + Options.human(o.size) + " per transfer, " + o.reps + " interleaved reps"),
                StandardCharsets.UTF_8);
        String md = markdown();
        Files.writeString(o.out.resolve("summary.md"), md, StandardCharsets.UTF_8);
        return md;
    }

    /** @return the median MB/s of the scenario's traditional row, or NaN */
    private double tradMbps(Scenario sc) {
        for (Result r : rep.results) {
            if (r.row.scenario == sc && r.row.family.equals(Row.TRADITIONAL) && r.stats() != null) {
                return r.stats().mbps();
            }
        }
        return Double.NaN;
    }

    private void writeCsv(Path p) throws IOException {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Result r : rep.results) {
            Stats s = r.active() ? r.stats() : null;
            double trad = tradMbps(r.row.scenario);
            sb.append(csv(r.row.scenario.label)).append(',').append(csv(r.row.name)).append(',').append(r.row.family)
                    .append(',').append(r.status).append(',').append(csv(r.ran())).append(',');
            if (s != null) {
                sb.append(s.bytes).append(',').append(s.n).append(',')
                        .append(num(s.medianNs / 1e6)).append(',').append(num(s.minNs / 1e6)).append(',')
                        .append(num(s.q1Ns / 1e6)).append(',').append(num(s.q3Ns / 1e6)).append(',')
                        .append(num(s.maxNs / 1e6)).append(',').append(num(s.mbps())).append(',')
                        .append(num(s.mbpsLow())).append(',').append(num(s.mbpsHigh())).append(',')
                        .append(num(s.cpuPerGib)).append(',').append(num(s.userPerGib)).append(',')
                        .append(num(s.peerCpuPerGib)).append(',').append(num(s.totalCpuPerGib)).append(',')
                        .append(num(s.mbps() / trad)).append(',');
            } else {
                sb.append(",,,,,,,,,,,,,,,");
            }
            sb.append(csv(r.note)).append('\n');
        }
        Files.writeString(p, sb, StandardCharsets.UTF_8);
    }

    private void writeSweepCsv(Path p) throws IOException {
        StringBuilder sb = new StringBuilder(SWEEP_HEADER).append('\n');
        for (SizeSweep.Point pt : rep.sweep) {
            sb.append(csv(pt.scenario().label)).append(',').append(csv(pt.row())).append(',').append(pt.size()).append(',')
                    .append(pt.ops()).append(',').append(num(pt.medianNsPerOp())).append(',')
                    .append(num(pt.minNsPerOp())).append(',').append(num(pt.maxNsPerOp())).append(',')
                    .append(num(pt.mbps())).append(',').append(csv(pt.ran())).append('\n');
        }
        Files.writeString(p, sb, StandardCharsets.UTF_8);
    }

    /** @return {@code s} as a CSV field (RFC 4180 quoting; a line break becomes a space); "" for null */
    static String csv(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0) {
            return '"' + s.replace("\"", "\"\"").replace('\n', ' ') + '"';
        }
        return s;
    }

    /** @return {@code v} with three decimals, or "" if it is NaN or infinite */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * @return summary.md: the run's settings and notes, one table per scenario, the small
     *     transfers by binding, the new-file copies, the targets, the size sweep
     */
    private String markdown() {
        StringBuilder sb = new StringBuilder();
        header(sb);
        Map<Scenario, List<Result>> by = new LinkedHashMap<>();
        for (Result r : rep.results) {
            by.computeIfAbsent(r.row.scenario, k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<Scenario, List<Result>> e : by.entrySet()) {
            if (e.getKey() == Scenario.BROADCAST) {
                broadcastTable(sb, e.getValue());
            } else {
                scenarioTable(sb, e.getKey(), e.getValue());
            }
        }
        if (rep.bindings != null) {
            sb.append(rep.bindings.markdown());
        }
        if (rep.newFiles != null) {
            sb.append(rep.newFiles.markdown());
        }
        sb.append("\n### Targets\n\n");
        for (String t : Targets.evaluate(rep)) {
            sb.append("- ").append(t).append('\n');
        }
        if (!rep.sweep.isEmpty()) {
            sweepTables(sb);
        }
        return sb.toString();
    }

    /** The heading and the list of what was run, how, on which paths, and the notes. */
    private void header(StringBuilder sb) {
        sb.append("## zerocopy-bench report\n\n");
        sb.append("- ").append(environment()).append('\n');
        sb.append("- size ").append(Options.human(o.size)).append(" (").append(o.size).append(" B) per transfer, ")
                .append(o.warmup).append(" warm-up + ").append(o.reps)
                .append(" measured runs per row, rows shuffled every repetition")
                .append(rep.scenarios.contains(Scenario.BROADCAST) ? " (broadcast: " + Options.human(o.broadcastSize())
                        + " to each of " + Fanout.TARGETS + " targets)" : "")
                .append(rep.scenarios.contains(Scenario.FILE_SOCKET_TBF) ? " (tbf-shaped veth: "
                        + Options.human(o.tbfSize()) + ")" : "")
                .append("; run took ")
                .append(String.format(Locale.ROOT, "%.0f s", secs)).append('\n');
        if (!rep.results.isEmpty()) {
            sb.append("- MB/s = 10^6 B/s at the median time; spread = min-max of MB/s over the runs. CPU = user+system "
                    + "seconds per GiB of the moving thread (Java rows: ThreadMXBean; Netty: its event-loop thread; "
                    + "C: getrusage of the one-thread process; Go: getrusage of the process, all of the runtime's "
                    + "threads); peers = the sink (and proxy feeder) threads of the scenario's path, which every row "
                    + "of the scenario shares; total = mover + peers (median of per-run sums).\n");
            sb.append("- loopback: 127.0.0.1 in the root network namespace, MTU 65536\n");
        }
        for (String v : rep.vethLines) {
            sb.append("- ").append(v).append('\n');
        }
        for (String n : rep.notes) {
            sb.append("- note: ").append(n).append('\n');
        }
    }

    /** One scenario's table: throughput, time and CPU per row, against the traditional row. */
    private void scenarioTable(StringBuilder sb, Scenario sc, List<Result> rows) {
        double trad = tradMbps(sc);
        sb.append("\n### ").append(sc.title());
        if (o.sizeOf(sc) != o.size) {
            sb.append(", ").append(Options.human(o.sizeOf(sc))).append(" per transfer");
        }
        sb.append("\n\n");
        sb.append("| row | ran | MB/s median | MB/s min-max | ms median (IQR) | CPU s/GiB mover (user) | "
                + "peers s/GiB | total s/GiB | vs traditional |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : rows) {
            Stats s = r.active() ? r.stats() : null;
            if (s == null) {
                sb.append("| ").append(r.row.name).append(" | ").append(r.status).append(" | | | | | | | ")
                        .append(mdEsc(r.note)).append(" |\n");
                continue;
            }
            sb.append(String.format(Locale.ROOT,
                    "| %s | %s | %.0f | %.0f-%.0f | %.1f (%.1f-%.1f) | %.3f (%s) | %.3f | %.3f | %.2f\u00d7 |\n",
                    r.row.name, mdEsc(r.ran()), s.mbps(), s.mbpsLow(), s.mbpsHigh(), s.medianNs / 1e6,
                    s.q1Ns / 1e6, s.q3Ns / 1e6, s.cpuPerGib,
                    Double.isNaN(s.userPerGib) ? "?" : String.format(Locale.ROOT, "%.3f", s.userPerGib),
                    s.peerCpuPerGib, s.totalCpuPerGib, s.mbps() / trad));
        }
    }

    /** The size sweep: per scenario, MB/s per row and size, and what zc:auto ran at each size. */
    private void sweepTables(StringBuilder sb) {
        sb.append("\n### Throughput by size (MB/s, median of batches)\n\n");
        Map<Scenario, Map<String, Map<Long, SizeSweep.Point>>> t = new LinkedHashMap<>();
        List<Long> sizes = new ArrayList<>();
        for (SizeSweep.Point p : rep.sweep) {
            t.computeIfAbsent(p.scenario(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(p.row(), k -> new LinkedHashMap<>()).put(p.size(), p);
            if (!sizes.contains(p.size())) {
                sizes.add(p.size());
            }
        }
        Collections.sort(sizes);
        for (Map.Entry<Scenario, Map<String, Map<Long, SizeSweep.Point>>> e : t.entrySet()) {
            sb.append("\n").append(e.getKey().title()).append("\n\n| row |");
            for (long s : sizes) {
                sb.append(' ').append(Options.human(s)).append(" |");
            }
            sb.append("\n|---|");
            for (int i = 0; i < sizes.size(); i++) {
                sb.append("---:|");
            }
            sb.append('\n');
            for (Map.Entry<String, Map<Long, SizeSweep.Point>> r : e.getValue().entrySet()) {
                sb.append("| ").append(r.getKey()).append(" |");
                for (long s : sizes) {
                    SizeSweep.Point p = r.getValue().get(s);
                    sb.append(p == null ? " |" : String.format(Locale.ROOT, " %.0f |", p.mbps()));
                }
                sb.append('\n');
                if (r.getKey().equals("zc:auto")) {
                    sb.append("| (auto ran) |");
                    for (long s : sizes) {
                        SizeSweep.Point p = r.getValue().get(s);
                        sb.append(' ').append(p == null ? "" : mdEsc(p.ran())).append(" |");
                    }
                    sb.append('\n');
                }
            }
        }
    }

    /**
     * The broadcast table: throughput per target, and CPU per GiB delivered over all targets,
     * each compared with the separate transfers.
     */
    private void broadcastTable(StringBuilder sb, List<Result> rows) {
        Result base = rep.find(Scenario.BROADCAST, BroadcastRows.SEPARATE);
        Stats b = base == null ? null : base.stats();
        sb.append("\n### broadcast\n\n");
        sb.append("One cached file of ").append(Options.human(o.broadcastSize())).append(" to each of ")
                .append(Fanout.TARGETS).append(" loopback sockets (").append(Options.human(o.broadcastSize()
                * Fanout.TARGETS)).append(" delivered per run), each drained by its own reader thread; time until the"
                + " last target has its last byte. MB/s is per target. CPU is per GiB delivered (bytes \u00d7 "
                + Fanout.TARGETS + "): the sending thread (ThreadMXBean, user in brackets) and, separately, the "
                + Fanout.TARGETS + " reader threads. Ratios are to " + BroadcastRows.SEPARATE + ".\n\n");
        sb.append("| row | ran | MB/s per target median | MB/s min-max | ms median (IQR) | sender CPU s/GiB delivered"
                + " (user) | readers s/GiB | total s/GiB | sender CPU vs " + BroadcastRows.SEPARATE + " | total vs "
                + BroadcastRows.SEPARATE + " | MB/s vs " + BroadcastRows.SEPARATE + " |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : rows) {
            Stats s = r.active() ? r.stats() : null;
            if (s == null) {
                sb.append("| ").append(r.row.name).append(" | ").append(r.status).append(" | | | | | | | | | ")
                        .append(mdEsc(r.note)).append(" |\n");
                continue;
            }
            sb.append(String.format(Locale.ROOT,
                    "| %s | %s | %.0f | %.0f-%.0f | %.1f (%.1f-%.1f) | %.3f (%s) | %.3f | %.3f | %s | %s | %s |\n",
                    r.row.name, mdEsc(r.ran()), s.mbps(), s.mbpsLow(), s.mbpsHigh(), s.medianNs / 1e6,
                    s.q1Ns / 1e6, s.q3Ns / 1e6, s.cpuPerGib,
                    Double.isNaN(s.userPerGib) ? "?" : String.format(Locale.ROOT, "%.3f", s.userPerGib),
                    s.peerCpuPerGib, s.totalCpuPerGib, times(b == null ? Double.NaN : s.cpuPerGib / b.cpuPerGib),
                    times(b == null ? Double.NaN : s.totalCpuPerGib / b.totalCpuPerGib),
                    times(b == null ? Double.NaN : s.mbps() / b.mbps())));
        }
    }

    /** @return a ratio as {@code 1.23×}, or "" if it is NaN or infinite */
    private static String times(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.2f\u00d7", v);
    }

    /** @return {@code s} fit for a Markdown table cell ("|" escaped); "" for null */
    static String mdEsc(String s) {
        return s == null ? "" : s.replace("|", "\\|");
    }
}

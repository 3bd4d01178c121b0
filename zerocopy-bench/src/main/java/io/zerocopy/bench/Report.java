package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The default report: every row of every chosen scenario, warmed up, then measured
 * {@code reps} times in a freshly shuffled order each repetition so that drift and noise from
 * other work on the machine spread over all rows instead of biasing one. The veth scenarios
 * run when a {@link VethNetwork} can be built for the run (else the notes say why); it is
 * removed when the run ends, however it ends.
 */
final class Report {

    private final Options o;
    private final PrintStream out;
    private final Progress progress;
    final List<Result> results = new ArrayList<>();
    final List<SizeSweep.Point> sweep = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** The scenarios that run: the chosen ones, less those whose network could not be built. */
    final List<Scenario> scenarios = new ArrayList<>();
    /** Lines describing the veth network and its traffic; empty if it was not built. */
    private final List<String> vethLines = new ArrayList<>();

    Report(Options o, PrintStream out, PrintStream err) {
        this.o = o;
        this.out = out;
        this.progress = new Progress(err);
    }

    /** A single status line on stderr, rewritten in place on a terminal. */
    static final class Progress {
        private final PrintStream err;
        private final boolean tty = System.console() != null;
        private long last;

        Progress(PrintStream err) {
            this.err = err;
        }

        void update(String s) {
            long now = System.nanoTime();
            if (tty) {
                err.print("\r\u001b[K[zerocopy-bench] " + s);
                err.flush();
            } else if (now - last > 2_000_000_000L) {
                err.println("[zerocopy-bench] " + s);
                last = now;
            }
        }

        void done(String s) {
            if (tty) {
                err.print("\r\u001b[K");
            }
            err.println("[zerocopy-bench] " + s);
        }
    }

    void run() throws IOException {
        long started = System.nanoTime();
        long fileSize = o.size;
        if (o.sweep) {
            for (long s : o.sweepSizes) {
                fileSize = Math.max(fileSize, s);
            }
        }
        Files.createDirectories(o.out);
        VethNetwork net = vethNetwork();
        try {
            progress.done("creating " + Options.human(fileSize) + " of data in a temporary directory");
            try (Harness h = new Harness(fileSize, net)) {
                measureAll(h);
            }
        } finally {
            if (net != null) {
                vethLines.add(net.describe());
                vethLines.add(net.traffic());
                try {
                    net.close();
                } catch (IOException e) {
                    // the measurements stand; say what is left behind (the next run removes it)
                    notes.add(e.getMessage());
                    progress.done(e.getMessage());
                }
            }
        }
        double secs = (System.nanoTime() - started) / 1e9;
        progress.done(String.format(Locale.ROOT, "done in %.1f s; results in %s", secs, o.out));
        write(secs);
    }

    /**
     * Chooses the scenarios that can run and builds the veth network if one of them needs it.
     *
     * @return the network, or null if no chosen scenario needs it or it cannot be built (the
     *     notes then say why)
     */
    private VethNetwork vethNetwork() {
        boolean wanted = false;
        for (Scenario sc : o.scenarios) {
            wanted |= sc.overVeth();
        }
        VethNetwork net = null;
        String skipped = null;
        if (wanted && !o.veth) {
            skipped = "disabled (--no-veth)";
        } else if (wanted) {
            if (VethNetwork.unavailabilityCause() == null) {
                progress.done("creating network namespaces and veth pairs");
            }
            try {
                net = VethNetwork.create(o.scenarios.contains(Scenario.FILE_SOCKET_TBF));
                notes.addAll(net.removedStale);
            } catch (Row.Unavailable e) {
                skipped = "skipped: " + e.getMessage();
            }
        }
        List<String> dropped = new ArrayList<>();
        for (Scenario sc : o.scenarios) {
            if (sc.overVeth() && (net == null || sc.via == Scenario.Via.VETH_TBF && net.shaped == null)) {
                dropped.add(sc.code);
            } else {
                scenarios.add(sc);
            }
        }
        if (skipped != null) {
            notes.add("veth scenarios (" + String.join(", ", dropped) + ") " + skipped);
        } else if (!dropped.isEmpty()) {
            notes.add("tbf scenario (ft) skipped: " + net.shapedFailure);
        }
        return net;
    }

    private void measureAll(Harness h) throws IOException {
        List<Row> rows = new ArrayList<>();
        NettyPeer netty = null;
        CPeer c = null;
        if (o.netty) {
            try {
                netty = NettyPeer.create();
            } catch (Row.Unavailable | RuntimeException | LinkageError e) {
                notes.add("Netty epoll peer skipped: " + e.getMessage());
            }
        } else {
            notes.add("Netty peer disabled (--no-netty)");
        }
        if (o.c) {
            try {
                c = CPeer.compile(h.ws.dir);
            } catch (Row.Unavailable e) {
                notes.add(e.getMessage());
            }
        } else {
            notes.add("C peer disabled (--no-c)");
        }
        try {
            for (Scenario sc : scenarios) {
                rows.addAll(JavaRows.rows(sc));
                if (netty != null) {
                    rows.addAll(netty.rows(sc));
                }
                if (c != null) {
                    rows.addAll(c.rows(sc));
                }
            }
            for (Row r : rows) {
                results.add(new Result(r));
            }
            warmUp(h);
            measure(h);
            if (o.sweep) {
                sweep(h);
            }
        } finally {
            if (netty != null) {
                netty.close();
            }
        }
    }

    private void warmUp(Harness h) {
        int i = 0;
        for (Result r : results) {
            i++;
            progress.update("warm-up " + i + "/" + results.size() + " " + r.row);
            for (int attempt = 0; ; attempt++) {
                try {
                    long size = o.sizeOf(r.row.scenario);
                    r.row.verify(h, size);
                    for (int w = 1; w < o.warmup; w++) {
                        r.row.run(h, size);
                    }
                    break;
                } catch (Row.Unavailable e) {
                    r.skip(e.getMessage());
                    break;
                } catch (Exception e) {
                    boolean goOn = r.failedRun(e);
                    progress.done("row " + r.row + " warm-up failed" + (goOn ? ", retrying" : ", row dropped") + ": " + e);
                    if (r.failures == 1) {
                        e.printStackTrace();
                    }
                    if (!goOn) {
                        break;
                    }
                }
            }
        }
    }

    private void measure(Harness h) {
        List<Result> order = new ArrayList<>();
        for (Result r : results) {
            if (r.active()) {
                order.add(r);
            }
        }
        Random rnd = new Random(o.seed);
        for (int rep = 0; rep < o.reps; rep++) {
            Collections.shuffle(order, rnd);
            int i = 0;
            for (Result r : order) {
                i++;
                if (!r.active()) {
                    continue;
                }
                try {
                    Sample s = r.row.run(h, o.sizeOf(r.row.scenario));
                    r.samples.add(s);
                    progress.update(String.format(Locale.ROOT, "rep %d/%d  %d/%d  %-24s %8.0f MB/s", rep + 1, o.reps,
                            i, order.size(), r.row, Stats.mbps(s.bytes(), s.wallNs())));
                } catch (Exception e) {
                    boolean goOn = r.failedRun(e);
                    progress.done("row " + r.row + " run failed" + (goOn ? "" : ", row dropped") + ": " + e);
                    if (r.failures == 1) {
                        e.printStackTrace();
                    }
                }
            }
        }
    }

    /** @return whether the size sweep covers this scenario: file->socket unshaped, and file->file */
    static boolean swept(Scenario sc) {
        return sc.shape == Scenario.Shape.FILE_FILE
                || sc.shape == Scenario.Shape.FILE_SOCKET && sc.via != Scenario.Via.VETH_TBF;
    }

    /** @return whether the sweep has a line for this row: every library row, and the JDK's direct-buffer loop */
    private static boolean sweptRow(Result r, Scenario sc) {
        return r.active() && r.row.scenario == sc && r.row instanceof JavaRows.JavaRow
                && (r.row.family.equals(Row.ZEROCOPY) || r.row.name.equals("jdk:direct-loop"));
    }

    private void sweep(Harness h) {
        for (Scenario sc : scenarios) {
            if (!swept(sc)) {
                continue;
            }
            List<JavaRows.JavaRow> rows = new ArrayList<>();
            for (Result r : results) {
                if (sweptRow(r, sc)) {
                    rows.add((JavaRows.JavaRow) r.row);
                }
            }
            try {
                sweep.addAll(SizeSweep.run(h, sc, rows, o.sweepSizes, o.sweepBatches, o.sweepBatchNs,
                        progress::update));
            } catch (IOException | RuntimeException e) {
                notes.add("size sweep of " + sc.label + " failed: " + e);
                progress.done("sweep " + sc.code + " failed: " + e);
            }
            // the report's own size completes each line
            for (Result r : results) {
                if (sweptRow(r, sc) && r.stats() != null) {
                    Stats s = r.stats();
                    sweep.add(new SizeSweep.Point(sc, r.row.name, s.bytes, s.n, s.medianNs, s.minNs, s.maxNs,
                            r.ran()));
                }
            }
        }
    }

    // ---------------------------------------------------------------- output

    static String environment() {
        return "JVM " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + "; " + Runtime.getRuntime().availableProcessors() + " CPUs"
                + "; default engine " + ZeroCopy.defaultEngine();
    }

    private double tradMbps(Scenario sc) {
        for (Result r : results) {
            if (r.row.scenario == sc && r.row.family.equals(Row.TRADITIONAL) && r.stats() != null) {
                return r.stats().mbps();
            }
        }
        return Double.NaN;
    }

    boolean hasScenario(Scenario sc) {
        for (Result r : results) {
            if (r.row.scenario == sc) {
                return true;
            }
        }
        return false;
    }

    Result find(Scenario sc, String name) {
        for (Result r : results) {
            if (r.row.scenario == sc && r.row.name.equals(name) && r.active() && r.stats() != null) {
                return r;
            }
        }
        return null;
    }

    private void write(double secs) throws IOException {
        writeCsv(o.out.resolve("results.csv"));
        if (!sweep.isEmpty()) {
            writeSweepCsv(o.out.resolve("sweep.csv"));
            Files.writeString(o.out.resolve("throughput-by-size.svg"),
                    Svg.sizeChart(sweep, "zerocopy-bench: throughput by transfer size"), StandardCharsets.UTF_8);
        }
        Files.writeString(o.out.resolve("throughput.svg"), Svg.throughputChart(results,
                "zerocopy-bench: " + Options.human(o.size) + " per transfer, " + o.reps + " interleaved reps"),
                StandardCharsets.UTF_8);
        String md = markdown(secs);
        Files.writeString(o.out.resolve("summary.md"), md, StandardCharsets.UTF_8);
        out.print(md);
        out.flush();
    }

    static final String CSV_HEADER = "scenario,row,family,status,ran,bytes,reps,median_ms,min_ms,q1_ms,q3_ms,max_ms,"
            + "mb_s,mb_s_min,mb_s_max,cpu_s_per_gib,user_s_per_gib,peer_cpu_s_per_gib,total_cpu_s_per_gib,"
            + "ratio_vs_traditional,note";

    private void writeCsv(Path p) throws IOException {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Result r : results) {
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
        for (SizeSweep.Point pt : sweep) {
            sb.append(csv(pt.scenario().label)).append(',').append(csv(pt.row())).append(',').append(pt.size()).append(',')
                    .append(pt.ops()).append(',').append(num(pt.medianNsPerOp())).append(',')
                    .append(num(pt.minNsPerOp())).append(',').append(num(pt.maxNsPerOp())).append(',')
                    .append(num(pt.mbps())).append(',').append(csv(pt.ran())).append('\n');
        }
        Files.writeString(p, sb, StandardCharsets.UTF_8);
    }

    static final String SWEEP_HEADER = "scenario,row,size,ops,median_ns_per_op,min_ns_per_op,max_ns_per_op,mb_s,ran";

    static String csv(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0) {
            return '"' + s.replace("\"", "\"\"").replace('\n', ' ') + '"';
        }
        return s;
    }

    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private String markdown(double secs) {
        StringBuilder sb = new StringBuilder();
        sb.append("## zerocopy-bench report\n\n");
        sb.append("- ").append(environment()).append('\n');
        sb.append("- size ").append(Options.human(o.size)).append(" (").append(o.size).append(" B) per transfer, ")
                .append(o.warmup).append(" warm-up + ").append(o.reps)
                .append(" measured runs per row, rows shuffled every repetition")
                .append(scenarios.contains(Scenario.BROADCAST) ? " (broadcast: " + Options.human(o.broadcastSize())
                        + " to each of " + Fanout.TARGETS + " targets)" : "")
                .append(scenarios.contains(Scenario.FILE_SOCKET_TBF) ? " (tbf-shaped veth: "
                        + Options.human(o.tbfSize()) + ")" : "")
                .append("; run took ")
                .append(String.format(Locale.ROOT, "%.0f s", secs)).append('\n');
        sb.append("- MB/s = 10^6 B/s at the median time; spread = min-max of MB/s over the runs. CPU = user+system "
                + "seconds per GiB of the moving thread (Java rows: ThreadMXBean; Netty: its event-loop thread; "
                + "C: getrusage of the one-thread process); peers = the sink (and proxy feeder) threads of the "
                + "scenario's path, which every row of the scenario shares; total = mover + peers (median of per-run"
                + " sums).\n");
        sb.append("- loopback: 127.0.0.1 in the root network namespace, MTU 65536\n");
        for (String v : vethLines) {
            sb.append("- ").append(v).append('\n');
        }
        for (String n : notes) {
            sb.append("- note: ").append(n).append('\n');
        }
        Map<Scenario, List<Result>> by = new LinkedHashMap<>();
        for (Result r : results) {
            by.computeIfAbsent(r.row.scenario, k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<Scenario, List<Result>> e : by.entrySet()) {
            if (e.getKey() == Scenario.BROADCAST) {
                broadcastTable(sb, e.getValue());
                continue;
            }
            double trad = tradMbps(e.getKey());
            sb.append("\n### ").append(e.getKey().title());
            if (o.sizeOf(e.getKey()) != o.size) {
                sb.append(", ").append(Options.human(o.sizeOf(e.getKey()))).append(" per transfer");
            }
            sb.append("\n\n");
            sb.append("| row | ran | MB/s median | MB/s min-max | ms median (IQR) | CPU s/GiB mover (user) | "
                    + "peers s/GiB | total s/GiB | vs traditional |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Result r : e.getValue()) {
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
        sb.append("\n### Targets\n\n");
        for (String t : Targets.evaluate(this)) {
            sb.append("- ").append(t).append('\n');
        }
        if (!sweep.isEmpty()) {
            sb.append("\n### Throughput by size (MB/s, median of batches)\n\n");
            Map<Scenario, Map<String, Map<Long, SizeSweep.Point>>> t = new LinkedHashMap<>();
            List<Long> sizes = new ArrayList<>();
            for (SizeSweep.Point p : sweep) {
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
        return sb.toString();
    }

    /**
     * The broadcast table: throughput per target, and CPU per GiB delivered over all targets,
     * each compared with the separate transfers.
     */
    private void broadcastTable(StringBuilder sb, List<Result> rows) {
        Result base = find(Scenario.BROADCAST, BroadcastRows.SEPARATE);
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

    private static String times(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.2f\u00d7", v);
    }

    static String mdEsc(String s) {
        return s == null ? "" : s.replace("|", "\\|");
    }
}

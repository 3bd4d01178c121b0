package io.zerocopy.bench;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --calibrate}: for file->socket and file->file, times the copy loop against every
 * zero-copy strategy (each forced, threshold 0) at sizes from 64 B to 1 MiB, interleaved, and
 * reports for each strategy the size below which the copy loop is faster: the smallest size
 * from which the strategy wins at every larger size measured. Socket->socket has no known size,
 * so the engine's threshold never applies to it and it is not calibrated.
 */
final class Calibration {

    private final Options o;
    private final PrintStream out;
    private final Report.Progress progress;

    Calibration(Options o, PrintStream out, PrintStream err) {
        this.o = o;
        this.out = out;
        this.progress = new Report.Progress(err);
    }

    void run() throws IOException {
        long[] sizes = o.smoke ? new long[] {256, 4096, 65536} : new long[15];
        if (!o.smoke) {
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = 64L << i;
            }
        }
        int batches = o.smoke ? 1 : 9;
        long batchNs = o.smoke ? 1_000_000L : 15_000_000L;
        Files.createDirectories(o.out);
        StringBuilder csv = new StringBuilder(ReportWriter.SWEEP_HEADER).append('\n');
        StringBuilder md = new StringBuilder("## zerocopy-bench calibration\n\n- ")
                .append(ReportWriter.environment())
                .append("\n- per-transfer time, median of ").append(batches)
                .append(" interleaved batches of ~").append(batchNs / 1_000_000).append(" ms each; core default threshold ")
                .append(TransferEngine.DEFAULT_THRESHOLD).append(" B\n");
        try (Harness h = new Harness(sizes[sizes.length - 1])) {
            for (Scenario sc : o.scenarios) {
                if (sc.shape == Scenario.Shape.SOCKET_SOCKET || sc.shape == Scenario.Shape.BROADCAST
                        || sc.overVeth()) {
                    continue;
                }
                List<JavaRows.JavaRow> rows = new ArrayList<>();
                for (String name : JavaRows.strategyNames()) {
                    JavaRows.EngineRow r = new JavaRows.EngineRow(sc, "zc:" + name,
                            ZeroCopy.builder().strategies(name).threshold(0).build(), name);
                    try {
                        r.verify(h, 65536);
                        if (name.equals("copy")) {
                            rows.add(0, r);
                        } else {
                            rows.add(r);
                        }
                    } catch (Row.Unavailable e) {
                        progress.done(e.getMessage());
                    } catch (Exception e) {
                        progress.done("zc:" + name + " failed on " + sc.label + ": " + e);
                    }
                }
                if (rows.isEmpty() || !rows.get(0).name.equals("zc:copy")) {
                    continue;
                }
                List<SizeSweep.Point> pts = SizeSweep.run(h, sc, rows, sizes, batches, batchNs,
                        s -> progress.update("calibrate " + s));
                Map<String, Map<Long, SizeSweep.Point>> by = new LinkedHashMap<>();
                for (SizeSweep.Point p : pts) {
                    by.computeIfAbsent(p.row(), k -> new LinkedHashMap<>()).put(p.size(), p);
                    csv.append(sc.label).append(',').append(p.row()).append(',').append(p.size()).append(',')
                            .append(p.ops()).append(',').append(ReportWriter.num(p.medianNsPerOp())).append(',')
                            .append(ReportWriter.num(p.minNsPerOp())).append(',')
                            .append(ReportWriter.num(p.maxNsPerOp())).append(',')
                            .append(ReportWriter.num(p.mbps())).append(',')
                            .append(ReportWriter.csv(p.ran())).append('\n');
                }
                md.append("\n### ").append(sc.label).append(" (ns per transfer)\n\n| size |");
                for (String r : by.keySet()) {
                    md.append(' ').append(r).append(" |");
                }
                md.append("\n|---:|");
                for (int i = 0; i < by.size(); i++) {
                    md.append("---:|");
                }
                md.append('\n');
                for (long s : sizes) {
                    md.append("| ").append(Options.human(s)).append(" |");
                    for (Map<Long, SizeSweep.Point> m : by.values()) {
                        md.append(String.format(Locale.ROOT, " %.0f |", m.get(s).medianNsPerOp()));
                    }
                    md.append('\n');
                }
                md.append('\n');
                Map<Long, SizeSweep.Point> copy = by.get("zc:copy");
                for (Map.Entry<String, Map<Long, SizeSweep.Point>> e : by.entrySet()) {
                    if (e.getKey().equals("zc:copy")) {
                        continue;
                    }
                    long from = -1;
                    for (int i = sizes.length - 1; i >= 0; i--) {
                        if (e.getValue().get(sizes[i]).medianNsPerOp() <= copy.get(sizes[i]).medianNsPerOp()) {
                            from = sizes[i];
                        } else {
                            break;
                        }
                    }
                    String verdict;
                    if (from < 0) {
                        verdict = "no crossover: the copy loop is faster at " + Options.human(sizes[sizes.length - 1])
                                + ", the largest size measured";
                    } else if (from == sizes[0]) {
                        verdict = e.getKey() + " at least as fast as the copy loop at every size from "
                                + Options.human(sizes[0]) + ": threshold 0 would do";
                    } else {
                        verdict = "copy loop faster below " + Options.human(from) + "; " + e.getKey()
                                + " at least as fast from " + Options.human(from) + " up";
                    }
                    md.append("- ").append(sc.label).append(", ").append(e.getKey()).append(": ").append(verdict)
                            .append('\n');
                }
            }
        }
        progress.done("calibration done; " + o.out.resolve("calibration.csv"));
        Files.writeString(o.out.resolve("calibration.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("calibration.md"), md, StandardCharsets.UTF_8);
        out.print(md);
    }
}

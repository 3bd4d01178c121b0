package io.zerocopy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the new-file copies of one run found, in the report's forms: a Markdown section with one
 * table per file system, CSV rows, notes (what was skipped and why, {@code cp}'s start-up) and the
 * issue's targets as measured ratios. Immutable.
 */
final class NewFileSection {

    static final String CSV_HEADER = "file_system,fs_type,row,family,status,ran,bytes,reps,median_ms,min_ms,max_ms,"
            + "mb_s,new_space_bytes,new_space_pct,ratio_vs_best_strategy,note";
    /** The default engine's time against the fastest single strategy's, on every file system. */
    static final double AUTO_VS_BEST = 0.95;
    /** On a file system that shares extents: the most a copy may take, in ms and in new space. */
    static final double SHARED_MAX_MS = 5;
    static final double SHARED_MAX_SPACE_PERCENT = 1;

    private final long size;
    private final int reps;
    private final List<NewFileCopies.Place> places;
    private final List<NewFileResult> results;
    private final List<String> notes;
    private final List<String> skipped;
    private final double seconds;

    /**
     * @param size bytes per copy
     * @param reps measured copies per row
     * @param places the file systems measured, in order
     * @param results every row of every file system measured
     * @param notes what the run noted (skips, start-up)
     * @param skipped one line per file system not measured, with the reason
     * @param seconds how long the run took
     */
    NewFileSection(long size, int reps, List<NewFileCopies.Place> places, List<NewFileResult> results,
            List<String> notes, List<String> skipped, double seconds) {
        this.size = size;
        this.reps = reps;
        this.places = List.copyOf(places);
        this.results = List.copyOf(results);
        this.notes = List.copyOf(notes);
        this.skipped = List.copyOf(skipped);
        this.seconds = seconds;
    }

    /** @return every row of every file system measured */
    List<NewFileResult> results() {
        return results;
    }

    /** @return seconds the run took */
    double seconds() {
        return seconds;
    }

    /**
     * @return notes for the report's list: the file systems skipped and why, rows' prerequisites
     *     missing, {@code cp}'s start-up
     */
    List<String> notes() {
        List<String> all = new ArrayList<>(skipped);
        all.addAll(notes);
        return all;
    }

    /**
     * @param place a file system measured
     * @param name a row name, such as {@code zc:auto}
     * @return that row if it was measured, else null
     */
    NewFileResult find(NewFileCopies.Place place, String name) {
        for (NewFileResult r : results) {
            if (r.place.equals(place) && r.copier.name.equals(name) && r.measured()) {
                return r;
            }
        }
        return null;
    }

    /** @return the measured single-strategy row ({@code zc:<name>}) with the lowest median time, or null */
    NewFileResult bestStrategy(NewFileCopies.Place place) {
        NewFileResult best = null;
        for (NewFileResult r : results) {
            if (r.place.equals(place) && r.measured() && r.copier.name.startsWith("zc:")
                    && !r.copier.name.equals("zc:auto") && (best == null || r.medianMs() < best.medianMs())) {
                best = r;
            }
        }
        return best;
    }

    /** @return the fastest single strategy's median time over this row's, or NaN */
    private double vsBest(NewFileResult r) {
        NewFileResult best = bestStrategy(r.place);
        return best == null || !r.measured() ? Double.NaN : best.medianMs() / r.medianMs();
    }

    /**
     * The targets, each as measured: on every file system {@code zc:auto} at least
     * {@value #AUTO_VS_BEST}× the speed of the fastest single strategy; on the file systems that
     * share extents a copy in under {@value #SHARED_MAX_MS} ms taking under
     * {@value #SHARED_MAX_SPACE_PERCENT} % of the file's size in new space.
     *
     * @return one line per target and file system, "met" or "MISSED" decided by the figures
     */
    List<String> targets() {
        List<String> out = new ArrayList<>();
        for (NewFileCopies.Place p : places) {
            String what = p.label() + ", file->new file";
            NewFileResult auto = find(p, "zc:auto");
            NewFileResult best = bestStrategy(p);
            if (auto == null || best == null) {
                out.add(what + ": zc:auto vs best single strategy: not measured (" + (auto == null ? "zc:auto"
                        : "every single strategy") + " missing)");
            } else {
                double r = best.medianMs() / auto.medianMs();
                out.add(String.format(Locale.ROOT, "%s: zc:auto %s ms [%s-%s] vs best single strategy %s %s ms [%s-%s]"
                        + " = %.2f\u00d7 (target \u2265 %.2f\u00d7): %s", what, ms(auto.medianMs()), ms(auto.minMs()),
                        ms(auto.maxMs()), best.copier.name, ms(best.medianMs()), ms(best.minMs()), ms(best.maxMs()), r,
                        AUTO_VS_BEST, r >= AUTO_VS_BEST ? "met" : "MISSED")
                        + (best.medianMs() < 1 && auto.medianMs() < 1
                        ? " (both under 1 ms: the difference is per-call overhead, not bytes moved)" : ""));
            }
            if (!p.shares()) {
                continue;
            }
            if (auto == null) {
                out.add(what + ": zc:auto copy time and new space: not measured (zc:auto missing)");
                continue;
            }
            double ms = auto.medianMs();
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: zc:auto copy of %s %s ms [%s-%s]"
                    + " (target < %.0f ms): %s", what, Options.human(size), ms(ms), ms(auto.minMs()), ms(auto.maxMs()),
                    SHARED_MAX_MS, ms < SHARED_MAX_MS ? "met" : "MISSED"));
            double pct = auto.spacePercent();
            if (Double.isNaN(pct)) {
                sb.append("; new space: not measured");
            } else {
                sb.append(String.format(Locale.ROOT, "; new space %s = %.2f %% of the file (target < %.0f %%): %s",
                        bytes(auto.spaceMedian()), pct, SHARED_MAX_SPACE_PERCENT,
                        pct < SHARED_MAX_SPACE_PERCENT ? "met" : "MISSED"));
            }
            out.add(sb.toString());
        }
        for (String s : skipped) {
            out.add(s);
        }
        return out;
    }

    /** @return the section's Markdown: a heading, what was measured, one table per file system */
    String markdown() {
        StringBuilder sb = new StringBuilder("\n### file->new file, per file system\n\n");
        sb.append(String.format(Locale.ROOT, "A cached %s file copied to a new file (the previous copy deleted) on "
                + "each file system: one unmeasured copy per row (checked byte for byte), then %d measured, rows "
                + "shuffled every repetition; %.0f s in all. Time: from before the source is opened until the copy is "
                + "closed (Java rows in this JVM; %s inside the Go process, start-up excluded; cp from its start to "
                + "its exit, start-up included). New space: the file system's available bytes (statfs, after sync -f) "
                + "before the copy minus after, median; a copy that shares the source's extents takes about none. "
                + "\"vs best\" is the fastest single strategy's median time over the row's.\n", Options.human(size),
                reps, seconds, GoPeer.ROW));
        for (String s : skipped) {
            sb.append("\n- ").append(ReportWriter.mdEsc(s)).append('\n');
        }
        for (NewFileCopies.Place p : places) {
            sb.append("\n#### ").append(p.label()).append("\n\n");
            sb.append("| row | ran | ms median | ms min-max | MB/s | new space per copy | % of file | vs best |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (NewFileResult r : results) {
                if (!r.place.equals(p)) {
                    continue;
                }
                if (!r.measured()) {
                    sb.append("| ").append(ReportWriter.mdEsc(r.copier.name)).append(" | ").append(r.status)
                            .append(" | | | | | | ").append(ReportWriter.mdEsc(r.note)).append(" |\n");
                    continue;
                }
                double pct = r.spacePercent();
                double vs = vsBest(r);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s-%s | %.0f | %s | %s | %s |\n",
                        ReportWriter.mdEsc(r.copier.name), ReportWriter.mdEsc(r.copier.ran()), ms(r.medianMs()),
                        ms(r.minMs()), ms(r.maxMs()), r.mbps(), Double.isNaN(pct) ? "not measured" : bytes(r.spaceMedian()),
                        Double.isNaN(pct) ? "" : String.format(Locale.ROOT, "%.1f %%", pct),
                        Double.isNaN(vs) ? "" : String.format(Locale.ROOT, "%.2f\u00d7", vs)));
            }
        }
        return sb.toString();
    }

    /** @return {@link #CSV_HEADER} and one line per row and file system */
    String csv() {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (NewFileResult r : results) {
            sb.append(ReportWriter.csv(r.place.label())).append(',').append(ReportWriter.csv(r.place.type()))
                    .append(',').append(ReportWriter.csv(r.copier.name)).append(',').append(r.copier.family)
                    .append(',').append(r.status).append(',')
                    .append(r.measured() ? ReportWriter.csv(r.copier.ran()) : "").append(',');
            if (r.measured()) {
                sb.append(size).append(',').append(r.nanos.size()).append(',')
                        .append(ReportWriter.num(r.medianMs())).append(',').append(ReportWriter.num(r.minMs()))
                        .append(',').append(ReportWriter.num(r.maxMs())).append(',')
                        .append(ReportWriter.num(r.mbps())).append(',')
                        .append(r.space.isEmpty() ? "" : Long.toString(Math.round(r.spaceMedian()))).append(',')
                        .append(ReportWriter.num(r.spacePercent())).append(',')
                        .append(ReportWriter.num(vsBest(r))).append(',');
            } else {
                sb.append(",,,,,,,,,");
            }
            sb.append(ReportWriter.csv(r.note)).append('\n');
        }
        return sb.toString();
    }

    /** @return the section, its notes and its targets, for a run on its own */
    String standalone() {
        StringBuilder sb = new StringBuilder(markdown());
        sb.append("\n#### Notes\n\n");
        for (String n : notes()) {
            sb.append("- ").append(ReportWriter.mdEsc(n)).append('\n');
        }
        sb.append("\n#### Targets\n\n");
        for (String t : targets()) {
            sb.append("- ").append(ReportWriter.mdEsc(t)).append('\n');
        }
        return sb.toString();
    }

    /** Milliseconds with the precision that their size deserves: 0.12, 4.3, 512. */
    private static String ms(double v) {
        return String.format(Locale.ROOT, v < 1 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
    }

    /** Bytes as B, KiB or MiB with one decimal; negative when the file system gained space. */
    static String bytes(double v) {
        double a = Math.abs(v);
        if (a < 1024) {
            return String.format(Locale.ROOT, "%.0f B", v);
        }
        if (a < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", v / 1024);
        }
        return String.format(Locale.ROOT, "%.1f MiB", v / (1024 * 1024));
    }
}

package io.zerocopy.bench.timing.peers;

import io.zerocopy.bench.Commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The Markdown report of {@link RealPeers}: set-up, one table per scenario and client mode, the ratios, the commands. */
final class Report {

    private static final String[] MODES = {"sequential", "concurrent"};

    private Report() { }

    /** What the report describes, gathered by {@link RealPeers}. */
    static final class Run {
        Options options;
        String client;
        Instant start;
        String loadBefore;
        String loadAfter;
        Network net;
        List<RealPeers.JavaInfo> javas;
        Path file;
        List<Row> fileRows;
        List<Row> proxyRows;
        Peer upstream;
        String clientCheck;
        List<String> notes;
        List<String> commands;
    }

    static String markdown(Run r) {
        Options o = r.options;
        StringBuilder sb = new StringBuilder();
        sb.append("# Real peers over veth (MTU ").append(Network.MTU).append(")\n\n");
        sb.append(String.format(Locale.ROOT, "- %s; kernel %s; %d CPUs; load average %s before, %s after%n", r.start,
                Commands.firstLine("uname", "-r"), Cpu.MACHINE_CPUS, r.loadBefore,
                r.loadAfter));
        String fs;
        try {
            fs = Files.getFileStore(r.file).type();
        } catch (IOException e) {
            fs = "unknown";
        }
        sb.append(String.format(Locale.ROOT, "- file: %s in the page cache (%s); sequential: 1 connection fetching it"
                + " %d times (%s); concurrent: %d connections fetching it %d times each (%s); %d reps, rows in a new"
                + " random order each rep (seed %d); one warm-up fetch per connection, row and mode first%n",
                size(o.size), fs, o.fetches, size(o.size * o.fetches), o.concurrency, o.perConnection(),
                size(o.size * o.concurrency * o.perConnection()), o.reps, o.seed));
        sb.append("- nginx workers and HAProxy threads: ").append(o.workers).append(o.workers == 1
                ? " (one CPU at most, while the Java peers run a thread per connection direction: in the concurrent"
                        + " mode their throughput is not like for like; CPU per GiB is)\n" : "\n");
        sb.append("- client: `").append(r.client).append("` (").append(clientText(r.client)).append(")\n");
        if (r.clientCheck != null) {
            sb.append("- ").append(r.clientCheck).append('\n');
        }
        sb.append("- network: client pair ").append(r.net.client).append("; upstream pair ").append(r.net.upstream)
                .append("; servers and proxies in the root namespace\n");
        sb.append("- versions: ").append(Commands.firstLine("nginx", "-v")).append("; ")
                .append(Commands.firstLine("haproxy", "-v")).append("; ").append(Commands.firstLine("curl", "--version")
                        .replaceAll(" \\(.*", "")).append("; this JVM ").append(Runtime.version()).append('\n');
        for (RealPeers.JavaInfo j : r.javas) {
            sb.append("- child JVM: `").append(j.path).append("`: ").append(j.version).append('\n');
        }
        String irq = Cpu.irqAccounting();
        sb.append("- CPU columns: the peer's `utime+stime` from `/proc/<pid>/stat` (all threads; with nginx workers,"
                + " the master's and theirs), the machine's busy time (all but idle and iowait) and softirq time from"
                + " `/proc/stat`, each in CPU seconds per GiB delivered; machine busy includes the client, the"
                + " upstream, the kernel's TCP work on both sides and whatever else runs on the machine. The kernel's TCP work for a blocking sendfile or splice runs"
                + " partly in softirq, which is charged to nobody's process when it runs in ksoftirqd or on an idle"
                + " CPU");
        sb.append(irq == null ? "; how this kernel accounts IRQ time is unknown\n"
                : " and, without IRQ time accounting, to the stime of whichever task it interrupted (often the sender,"
                        + " paying for part of the receiver's work over veth); this kernel: `" + irq + "`\n");
        sb.append("- machine busy %: the median share of all ").append(Cpu.MACHINE_CPUS).append(" CPUs busy during"
                + " a sample; near 100 % the machine is saturated (other work included), throughput is then bound by"
                + " CPU, and machine busy per GiB is little more than the inverse of throughput\n");
        sb.append("- MB/s are 10^6 bytes per second of the whole fetch pattern, from the first client's start to the"
                + " last one's exit\n");
        scenario(sb, "File server", "server", r.fileRows, o);
        scenario(sb, "Proxy", "proxy", r.proxyRows, o);
        if (r.upstream != null && !r.proxyRows.isEmpty()) {
            sb.append("The proxy's upstream (").append(r.upstream.name)
                    .append(") runs in the upstream namespace; its CPU is in the machine column only.\n\n");
        }
        sb.append("## Engines as the child JVMs reported them\n\n");
        for (List<Row> rows : List.of(r.fileRows, r.proxyRows)) {
            for (Row row : rows) {
                if (row.plan != null) {
                    sb.append("- ").append(row.name).append(": ").append(row.plan).append('\n');
                }
            }
        }
        if (!r.notes.isEmpty()) {
            sb.append("\n## Notes\n\n");
            for (String n : r.notes) {
                sb.append("- ").append(n).append('\n');
            }
        }
        sb.append("\n## Commands\n\n");
        for (String c : r.commands) {
            sb.append("- ").append(c).append('\n');
        }
        return sb.toString();
    }

    private static void scenario(StringBuilder sb, String title, String peer, List<Row> rows, Options o) {
        if (rows.isEmpty()) {
            return;
        }
        sb.append("\n## ").append(title).append("\n\n");
        for (int mode = 0; mode < Row.MODES; mode++) {
            int conns = mode == 0 ? 1 : o.concurrency;
            int per = mode == 0 ? o.fetches : o.perConnection();
            sb.append(String.format(Locale.ROOT, "### %s: %d connection%s × %d fetch%s of %s%n%n", MODES[mode], conns,
                    conns == 1 ? "" : "s", per, per == 1 ? "" : "es", size(o.size)));
            sb.append("| row | MB/s median | MB/s min–max | ").append(peer).append(" CPU s/GiB | machine busy s/GiB |"
                    + " softirq s/GiB | machine busy % |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (Row row : rows) {
                Row.Spread mb = row.spread(mode, Row.Sample::mbPerSecond);
                sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f–%.0f | %s | %s | %s | %.0f |%n", row.name,
                        mb.median, mb.min, mb.max, spread(row.spread(mode, Row.Sample::peerPerGib)),
                        spread(row.spread(mode, Row.Sample::busyPerGib)),
                        spread(row.spread(mode, Row.Sample::softirqPerGib)),
                        row.spread(mode, Row.Sample::busyPercent).median));
            }
            sb.append('\n');
        }
        Row base = rows.get(0);
        if (rows.size() < 2 || base.plan != null) {
            return;
        }
        sb.append("### Ratios against ").append(base.name).append("\n\n");
        sb.append("Medians (min–max) of per-rep ratios; the target is at least 0.95× the throughput at no more than"
                + " 1.00× the ").append(peer).append(" CPU per GiB.\n\n");
        sb.append("| row | mode | throughput | ").append(peer).append(" CPU per GiB | machine busy per GiB | target |\n");
        sb.append("|---|---|---:|---:|---:|---|\n");
        for (Row row : rows.subList(1, rows.size())) {
            for (int mode = 0; mode < Row.MODES; mode++) {
                Row.Spread t = row.ratio(base, mode, Row.Sample::mbPerSecond);
                Row.Spread c = row.ratio(base, mode, Row.Sample::peerPerGib);
                Row.Spread m = row.ratio(base, mode, Row.Sample::busyPerGib);
                boolean met = t.median >= 0.95 && c.median <= 1.0;
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", row.name, MODES[mode],
                        ratio(t), ratio(c), ratio(m), met ? "met" : t.median >= 0.95 ? "not met (CPU)"
                                : c.median <= 1.0 ? "not met (throughput)" : "not met (both)"));
            }
        }
        sb.append('\n');
    }

    private static String spread(Row.Spread s) {
        return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", s.median, s.min, s.max);
    }

    private static String ratio(Row.Spread s) {
        return String.format(Locale.ROOT, "%.2f× (%.2f–%.2f)", s.median, s.min, s.max);
    }

    private static String size(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        return bytes + " bytes";
    }

    private static String clientText(String kind) {
        switch (kind) {
            case "curl":
                return "curl -s -o /dev/null, one keep-alive connection per process";
            case "read":
                return "C client compiled at run time, reading each body into a 1 MiB buffer";
            default:
                return "C client compiled at run time, discarding each body in the kernel with recv(MSG_TRUNC):"
                        + " the client copies nothing, so that its CPU does not limit the peer";
        }
    }
}

package io.zerocopy.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The performance targets, checked against one report: each line gives the measured
 * ratio and whether it meets the target; a target whose rows are missing says so.
 */
final class Targets {

    private Targets() { }

    /** @return one line per target, for the scenarios the report has, then those of the new-file copies */
    static List<String> evaluate(Report rep) {
        List<String> out = new ArrayList<>();
        Scenario fs = Scenario.FILE_SOCKET;
        if (rep.hasScenario(fs)) {
            ratio(out, fs.title() + ": ZeroCopy.transfer vs fastest C path", rep.find(fs, "zc:auto"),
                    fastest(rep, fs, Row.C), 0.95);
        }
        if (rep.hasScenario(Scenario.SOCKET_SOCKET)) {
            loopbackProxy(rep, out);
        }
        Scenario ff = Scenario.FILE_FILE;
        if (rep.hasScenario(ff)) {
            ratio(out, ff.title() + ": ZeroCopy.transfer vs fastest C path", rep.find(ff, "zc:auto"),
                    fastest(rep, ff, Row.C), 0.95);
        }
        autoAtEverySize(rep, out);
        veth(rep, out);
        broadcast(rep, out);
        Result trad = rep.find(Scenario.FILE_SOCKET, "traditional");
        if (trad != null) {
            StringBuilder sb = new StringBuilder("seed (file->socket, sendfile vs read-all-then-send-all; published "
                    + "490.83 vs 695.33 \"MB/s\" = 1.42\u00d7):");
            for (String n : new String[] {"jdk:transferTo", "zc:transferTo", "zc:auto", "c:sendfile"}) {
                Result r = rep.find(Scenario.FILE_SOCKET, n);
                if (r != null) {
                    sb.append(String.format(Locale.ROOT, " %s %.0f vs traditional %.0f MB/s = %.2f\u00d7;", n,
                            r.stats().mbps(), trad.stats().mbps(), r.stats().mbps() / trad.stats().mbps()));
                }
            }
            out.add(sb.toString());
        }
        if (rep.newFiles != null) {
            out.addAll(rep.newFiles.targets());
        }
        return out;
    }

    /** The proxy over loopback: against C splice, the JDK's direct-buffer loop, and Netty. */
    private static void loopbackProxy(Report rep, List<String> out) {
        Scenario ss = Scenario.SOCKET_SOCKET;
        String t = ss.title();
        Result ssAuto = rep.find(ss, "zc:auto");
        ratio(out, t + ": ZeroCopy.transfer vs C splice", ssAuto, rep.find(ss, "c:splice"), 0.95);
        Result direct = rep.find(ss, "jdk:direct-loop");
        ratio(out, t + ": ZeroCopy.transfer vs JDK direct-buffer loop, throughput", ssAuto, direct, 1.5);
        if (ssAuto != null && direct != null) {
            double r = ssAuto.stats().cpuPerGib / direct.stats().cpuPerGib;
            double total = ssAuto.stats().totalCpuPerGib / direct.stats().totalCpuPerGib;
            out.add(String.format(Locale.ROOT,
                    "%s: ZeroCopy.transfer proxy-thread CPU %.3f s/GiB vs JDK direct-buffer loop %.3f s/GiB"
                    + " = %.2f\u00d7 (target \u2264 0.40\u00d7): %s; with the loopback peers' CPU: %.3f vs %.3f s/GiB"
                    + " = %.2f\u00d7", t, ssAuto.stats().cpuPerGib, direct.stats().cpuPerGib, r,
                    r <= 0.4 ? "met" : "MISSED", ssAuto.stats().totalCpuPerGib, direct.stats().totalCpuPerGib, total));
        } else {
            out.add(t + ": CPU vs JDK direct-buffer loop: not measured");
        }
        ratio(out, t + ": ZeroCopy.transfer vs Netty epoll splice", ssAuto, rep.find(ss, "netty:splice"), 1.0);
    }

    /** The veth scenarios: file->socket against C, the proxy against the copy loop, CPU at 1 Gbit/s. */
    private static void veth(Report rep, List<String> out) {
        Scenario fv = Scenario.FILE_SOCKET_VETH;
        if (rep.hasScenario(fv)) {
            ratio(out, fv.label + ": ZeroCopy.transfer vs fastest C path", rep.find(fv, "zc:auto"),
                    fastest(rep, fv, Row.C), 0.95);
            if (!rep.sweep.isEmpty() && rep.sweep.stream().noneMatch(p -> p.scenario() == fv)) {
                out.add(fv.label + ": default engine vs best single strategy at every sweep size: not measured"
                        + " (its sweep failed; see the notes)");
            }
        }
        Scenario sv = Scenario.SOCKET_SOCKET_VETH;
        if (rep.hasScenario(sv)) {
            proxyAgainstCopyLoop(out, sv, rep.find(sv, "zc:auto"), rep.find(sv, "jdk:direct-loop"), 1.1, 0.6);
        }
        Scenario ft = Scenario.FILE_SOCKET_TBF;
        if (rep.hasScenario(ft)) {
            Result auto = rep.find(ft, "zc:auto");
            if (auto == null) {
                out.add(ft.label + ": CPU per GiB at equal speed: not measured (zc:auto missing)");
                return;
            }
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "%s: CPU per GiB at equal speed (no target; the qdisc sets the speed): zc:auto %.3f s/GiB at %.0f"
                    + " MB/s", ft.label, auto.stats().cpuPerGib, auto.stats().mbps()));
            for (String n : new String[] {"traditional", "jdk:direct-loop", "jdk:transferTo", "c:sendfile"}) {
                Result r = rep.find(ft, n);
                if (r != null) {
                    sb.append(String.format(Locale.ROOT, "; %s %.3f s/GiB at %.0f MB/s (zc:auto = %.2f\u00d7)", n,
                            r.stats().cpuPerGib, r.stats().mbps(), auto.stats().cpuPerGib / r.stats().cpuPerGib));
                }
            }
            out.add(sb.toString());
        }
    }

    /**
     * A proxy's throughput and proxy-thread CPU against a copy loop's: met if the throughput
     * ratio is at least {@code minSpeed} and the CPU ratio at most {@code maxCpu}.
     */
    private static void proxyAgainstCopyLoop(List<String> out, Scenario sc, Result auto, Result loop, double minSpeed,
            double maxCpu) {
        String what = String.format(Locale.ROOT, "%s: ZeroCopy.transfer vs JDK direct-buffer copy loop, throughput "
                + "\u2265 %.2f\u00d7 at proxy-thread CPU \u2264 %.2f\u00d7", sc.label, minSpeed, maxCpu);
        if (auto == null || loop == null) {
            out.add(what + ": not measured (" + (auto == null ? "zc:auto" : "jdk:direct-loop") + " missing)");
            return;
        }
        Stats a = auto.stats();
        Stats l = loop.stats();
        double speed = a.mbps() / l.mbps();
        double cpu = a.cpuPerGib / l.cpuPerGib;
        out.add(String.format(Locale.ROOT, "%s: %.0f vs %.0f MB/s = %.2f\u00d7, CPU %.3f vs %.3f s/GiB = %.2f\u00d7:"
                + " %s; with the peers' CPU: %.3f vs %.3f s/GiB = %.2f\u00d7", what, a.mbps(), l.mbps(), speed,
                a.cpuPerGib, l.cpuPerGib, cpu, speed >= minSpeed && cpu <= maxCpu ? "met" : "MISSED",
                a.totalCpuPerGib, l.totalCpuPerGib, a.totalCpuPerGib / l.totalCpuPerGib));
    }

    /** The sending thread's CPU per GiB delivered: tee broadcast vs separate transfers. */
    private static void broadcast(Report rep, List<String> out) {
        String what = "broadcast: tee CPU per GiB delivered \u2264 0.5\u00d7 " + Fanout.TARGETS + " separate sends";
        if (!rep.hasScenario(Scenario.BROADCAST)) {
            return;
        }
        Result tee = rep.find(Scenario.BROADCAST, BroadcastRows.TEE);
        Result sep = rep.find(Scenario.BROADCAST, BroadcastRows.SEPARATE);
        if (tee == null || sep == null) {
            out.add(what + ": not measured (" + (tee == null ? BroadcastRows.TEE : BroadcastRows.SEPARATE)
                    + " missing)");
            return;
        }
        Stats t = tee.stats();
        Stats s = sep.stats();
        double r = t.cpuPerGib / s.cpuPerGib;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%s: sending thread %.3f vs %.3f s/GiB = %.2f\u00d7: %s; with the %d reader threads %.3f vs %.3f s/GiB"
                + " = %.2f\u00d7; per-target MB/s %.0f vs %.0f", what, t.cpuPerGib, s.cpuPerGib, r,
                r <= 0.5 ? "met" : "MISSED", Fanout.TARGETS, t.totalCpuPerGib, s.totalCpuPerGib,
                t.totalCpuPerGib / s.totalCpuPerGib, t.mbps(), s.mbps()));
        Result copy = rep.find(Scenario.BROADCAST, BroadcastRows.COPY);
        if (copy != null) {
            sb.append(String.format(Locale.ROOT, " (copy broadcast: sending thread %.3f s/GiB = %.2f\u00d7, %.0f MB/s)",
                    copy.stats().cpuPerGib, copy.stats().cpuPerGib / s.cpuPerGib, copy.stats().mbps()));
        }
        out.add(sb.toString());
    }

    static Result fastest(Report rep, Scenario sc, String family) {
        Result best = null;
        for (Result r : rep.results) {
            if (r.row.scenario == sc && r.row.family.equals(family) && r.active() && r.stats() != null
                    && (best == null || r.stats().mbps() > best.stats().mbps())) {
                best = r;
            }
        }
        return best;
    }

    private static void ratio(List<String> out, String what, Result a, Result b, double target) {
        if (a == null || b == null) {
            out.add(what + ": not measured (" + (a == null ? "our row" : "reference row") + " missing)");
            return;
        }
        double r = a.stats().mbps() / b.stats().mbps();
        out.add(String.format(Locale.ROOT, "%s: %s %.0f MB/s [%.0f-%.0f] vs %s %.0f MB/s [%.0f-%.0f] = %.2f\u00d7"
                + " (target \u2265 %.2f\u00d7): %s", what, a.row.name, a.stats().mbps(), a.stats().mbpsLow(),
                a.stats().mbpsHigh(), b.row.name, b.stats().mbps(), b.stats().mbpsLow(), b.stats().mbpsHigh(), r,
                target, r >= target ? "met" : "MISSED"));
    }

    private static void autoAtEverySize(Report rep, List<String> out) {
        if (rep.sweep.isEmpty()) {
            out.add("auto vs best single strategy at every size: not measured (no sweep)");
            return;
        }
        Map<String, double[]> worst = new LinkedHashMap<>();
        Map<String, List<String>> misses = new LinkedHashMap<>();
        Map<String, Map<Long, Double>> auto = new LinkedHashMap<>();
        Map<String, Map<Long, Double>> best = new LinkedHashMap<>();
        Map<String, Map<Long, String>> bestName = new LinkedHashMap<>();
        Map<String, Scenario> scenarioOf = new LinkedHashMap<>();
        for (SizeSweep.Point p : rep.sweep) {
            String sc = p.scenario().title();
            scenarioOf.put(sc, p.scenario());
            if (p.row().equals("zc:auto")) {
                auto.computeIfAbsent(sc, k -> new LinkedHashMap<>()).put(p.size(), p.mbps());
            } else if (p.row().startsWith("zc:")) {
                Map<Long, Double> m = best.computeIfAbsent(sc, k -> new LinkedHashMap<>());
                if (p.mbps() > m.getOrDefault(p.size(), 0.0)) {
                    m.put(p.size(), p.mbps());
                    bestName.computeIfAbsent(sc, k -> new LinkedHashMap<>()).put(p.size(), p.row());
                }
            }
        }
        for (Map.Entry<String, Map<Long, Double>> e : auto.entrySet()) {
            String sc = e.getKey();
            for (Map.Entry<Long, Double> a : e.getValue().entrySet()) {
                Double b = best.getOrDefault(sc, Map.of()).get(a.getKey());
                if (b == null) {
                    continue;
                }
                double r = a.getValue() / b;
                double[] w = worst.computeIfAbsent(sc, k -> new double[] {Double.MAX_VALUE, 0});
                if (r < w[0]) {
                    w[0] = r;
                    w[1] = a.getKey();
                }
                if (r < 0.95) {
                    misses.computeIfAbsent(sc, k -> new ArrayList<>()).add(String.format(Locale.ROOT,
                            "%s %.2f\u00d7 of %s", Options.human(a.getKey()), r, bestName.get(sc).get(a.getKey())));
                }
            }
        }
        for (Map.Entry<String, double[]> e : worst.entrySet()) {
            List<String> m = misses.getOrDefault(e.getKey(), List.of());
            String informational = notFitTo(scenarioOf.get(e.getKey()));
            out.add(String.format(Locale.ROOT, "%s: default engine (zc:auto) vs best single strategy at every sweep size"
                    + " (%s):"
                    + " worst %.2f\u00d7 at %s: %s", e.getKey(),
                    informational != null ? "for information: " + informational : "target \u2265 0.95\u00d7",
                    e.getValue()[0], Options.human((long) e.getValue()[1]),
                    informational != null ? (m.isEmpty() ? "all \u2265 0.95\u00d7" : "below 0.95\u00d7 at " + String.join(", ", m))
                            : m.isEmpty() ? "met" : "MISSED at " + String.join(", ", m)));
        }
    }

    /**
     * @return why the defaults are not fit to this scenario, so that its sweep is no target
     *     (loopback, and overwriting a cached file); null for the scenarios users run
     */
    private static String notFitTo(Scenario sc) {
        if (sc == null) {
            return null;
        }
        if (sc.via == Scenario.Via.LOOPBACK) {
            return "loopback, to which the defaults are not fit";
        }
        if (sc.shape == Scenario.Shape.FILE_FILE) {
            return "overwriting a cached file; copies to new files are the target, below";
        }
        return null;
    }
}

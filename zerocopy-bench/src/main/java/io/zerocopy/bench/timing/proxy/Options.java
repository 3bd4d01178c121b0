package io.zerocopy.bench.timing.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options, as in the comment of {@link ProxyThreads}. */
final class Options {

    /** The N that {@code --max} adds. */
    private static final int MAX_CONNS = 10_000;

    List<Integer> conns = new ArrayList<>(List.of(100, 1000));
    List<String> threads = List.of("virtual", "platform", "async");
    List<String> engines = List.of("default", "copy");
    int idle = 8;
    long size = 8L << 20;
    int probes = 50;
    int reps = 3;
    int timeoutSeconds = 30;
    Path out = Path.of("bench-results", "proxy-threads");
    boolean max;
    int sockBuf = 128 << 10;

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--max")) {
                o.max = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--conns":
                    o.conns = new ArrayList<>();
                    for (String s : v.split(",")) {
                        o.conns.add(positive(a, Integer.parseInt(s.trim())));
                    }
                    break;
                case "--threads":
                    o.threads = names(a, v, List.of("virtual", "platform", "async"));
                    break;
                case "--engines":
                    o.engines = names(a, v, List.of("default", "copy"));
                    break;
                case "--idle":
                    o.idle = nonNegative(a, Integer.parseInt(v));
                    break;
                case "--size":
                    o.size = positive(a, Units.bytes(v));
                    break;
                case "--probes":
                    o.probes = nonNegative(a, Integer.parseInt(v));
                    break;
                case "--reps":
                    o.reps = positive(a, Integer.parseInt(v));
                    break;
                case "--timeout":
                    o.timeoutSeconds = positive(a, Integer.parseInt(v));
                    break;
                case "--out":
                    o.out = Path.of(v);
                    break;
                case "--sockbuf":
                    o.sockBuf = nonNegative(a, Math.toIntExact(Units.bytes(v)));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a
                            + " (--conns 100,1000 --threads virtual,platform,async --engines default,copy --idle 8 --size 8M --probes 50 --reps 3 --timeout 30 --sockbuf 128K --out DIR --max)");
            }
        }
        if (o.max && !o.conns.contains(MAX_CONNS)) {
            o.conns.add(MAX_CONNS);
        }
        return o;
    }

    /** @return the comma-separated names of {@code v}, each one of {@code allowed}, in the order of {@code allowed} */
    private static List<String> names(String option, String v, List<String> allowed) {
        List<String> given = new ArrayList<>();
        for (String s : v.split(",")) {
            String name = s.trim();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(option + " " + name + ": not one of " + allowed);
            }
            given.add(name);
        }
        List<String> ordered = new ArrayList<>(allowed);
        ordered.retainAll(given);
        return ordered;
    }

    private static <T extends Number> T positive(String option, T value) {
        if (value.longValue() <= 0) {
            throw new IllegalArgumentException(option + " must be positive");
        }
        return value;
    }

    private static int nonNegative(String option, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(option + " must be >= 0");
        }
        return value;
    }
}

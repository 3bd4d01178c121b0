package io.zerocopy.bench.timing.peers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The options of {@link RealPeers}, as its comment lists them. */
final class Options {

    static final String USAGE = "--size 512m --reps 5 --fetches 8 --concurrency 4 --client trunc|read|curl"
            + " --java PATH[,PATH] --workers 1 --scenarios files,proxy --dir DIR --seed N";

    long size = 512L << 20;
    int reps = 5;
    int fetches = 8;
    int concurrency = 4;
    /** nginx's worker processes and HAProxy's threads. */
    int workers = 1;
    /** Null: the first C client kind that can run, else curl. */
    String client;
    /** The child JVMs' java executables; empty: the one running this. */
    List<String> javas = new ArrayList<>();
    boolean files = true;
    boolean proxy = true;
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    long seed = System.nanoTime();

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                throw new IllegalArgumentException("options: " + USAGE);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a + "; options: " + USAGE);
            }
            String v = args[++i];
            switch (a) {
                case "--size":
                    o.size = positive(a, bytes(v));
                    break;
                case "--reps":
                    o.reps = (int) positive(a, Integer.parseInt(v));
                    break;
                case "--fetches":
                    o.fetches = (int) positive(a, Integer.parseInt(v));
                    break;
                case "--concurrency":
                    o.concurrency = (int) positive(a, Integer.parseInt(v));
                    break;
                case "--workers":
                    o.workers = (int) positive(a, Integer.parseInt(v));
                    break;
                case "--client":
                    o.client = v;
                    break;
                case "--java":
                    for (String s : v.split(",")) {
                        if (!s.isBlank()) {
                            o.javas.add(s.trim());
                        }
                    }
                    break;
                case "--scenarios":
                    o.files = false;
                    o.proxy = false;
                    for (String s : v.split(",")) {
                        switch (s.trim()) {
                            case "files":
                                o.files = true;
                                break;
                            case "proxy":
                                o.proxy = true;
                                break;
                            default:
                                throw new IllegalArgumentException("unknown scenario " + s + " (files, proxy)");
                        }
                    }
                    break;
                case "--dir":
                    o.dir = Path.of(v);
                    break;
                case "--seed":
                    o.seed = Long.parseLong(v);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a + "; options: " + USAGE);
            }
        }
        return o;
    }

    /** @return the fetches per connection of the concurrent mode: at least one */
    int perConnection() {
        return Math.max(1, fetches / concurrency);
    }

    private static long positive(String option, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be positive: " + value);
        }
        return value;
    }

    /** @return bytes from {@code 512m}, {@code 1g}, {@code 64k} or a plain number */
    static long bytes(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        return Math.multiplyExact(Long.parseLong(t), unit);
    }
}

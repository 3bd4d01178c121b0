package io.zerocopy.bench.timing.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options, as in the comment of {@link ProxyThreads}. */
final class Options {

    /** The N that {@code --max} adds. */
    private static final int MAX_CONNS = 10_000;
    /** From this N on, rows default to {@link #LARGE_SIZE}, {@link #LARGE_SOCKBUF} and {@link #LARGE_TIMEOUT}. */
    static final int LARGE = 10_000;
    /**
     * Bytes per connection at {@link #LARGE} connections and more, unless {@code --size}: a row
     * of 10,000 moves 10 GiB, within its timeout.
     */
    static final long LARGE_SIZE = 1L << 20;
    /**
     * Socket buffers at {@link #LARGE} connections and more, unless {@code --sockbuf}: 4 sockets
     * per connection, 3 of them filling, at 16 KiB (the kernel doubles it) stay under this
     * machine's {@code net.ipv4.tcp_mem} pressure threshold (about 1.5 GB) at 10,000.
     */
    static final int LARGE_SOCKBUF = 16 << 10;
    static final int LARGE_TIMEOUT = 120;
    private static final List<String> KINDS = List.of("virtual", "platform", "async");

    List<Integer> conns = new ArrayList<>(List.of(100, 1000));
    List<String> threads = KINDS;
    List<String> engines = List.of("default", "copy");
    /** Thread kind and engine pairs ({@code --configs}); null: every kind with every engine. */
    List<String[]> configs;
    int idle = 8;
    Long size;
    int probes = 50;
    int reps = 3;
    Integer timeoutSeconds;
    Path out = Path.of("bench-results", "proxy-threads");
    boolean max;
    Integer sockBuf;
    /**
     * {@code loopback}: everything in this process; {@code loopback-split}: over loopback, the
     * peers and proxies in processes of their own; {@code veth}: so, over a veth network
     * ({@link SplitRun}).
     */
    String link = "loopback";

    /** @return bytes per connection of a row of {@code n} connections */
    long size(int n) {
        return size != null ? size : n >= LARGE ? LARGE_SIZE : 8L << 20;
    }

    /** @return socket buffers of a row of {@code n} connections, 0 for the kernel's autotuning */
    int sockBuf(int n) {
        return sockBuf != null ? sockBuf : n >= LARGE ? LARGE_SOCKBUF : 128 << 10;
    }

    int timeoutSeconds(int n) {
        return timeoutSeconds != null ? timeoutSeconds : n >= LARGE ? LARGE_TIMEOUT : 30;
    }

    /** @return the thread kind and engine pairs to run, in report order */
    List<String[]> pairs() {
        if (configs != null) {
            return configs;
        }
        List<String[]> all = new ArrayList<>();
        for (String k : threads) {
            for (String e : engines) {
                all.add(new String[] {k, e});
            }
        }
        return all;
    }

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
                    o.threads = names(a, v, KINDS);
                    break;
                case "--engines":
                    o.engines = names(a, v, Engines.names());
                    break;
                case "--configs":
                    o.configs = new ArrayList<>();
                    for (String pair : v.split(",")) {
                        String[] ke = pair.trim().split("/");
                        if (ke.length != 2 || !KINDS.contains(ke[0]) || !Engines.names().contains(ke[1])) {
                            throw new IllegalArgumentException(a + " " + pair + ": not KIND/ENGINE with KIND one of "
                                    + KINDS + " and ENGINE one of " + Engines.names());
                        }
                        o.configs.add(ke);
                    }
                    break;
                case "--link":
                    if (!v.equals("loopback") && !v.equals("loopback-split") && !v.equals("veth")) {
                        throw new IllegalArgumentException(a + " " + v + ": not loopback, loopback-split or veth");
                    }
                    o.link = v;
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
                            + " (--conns 100,1000 --threads virtual,platform,async --engines " + String.join(",", Engines.names())
                            + " --configs KIND/ENGINE,... --link loopback|loopback-split|veth --idle 8 --size 8M --probes 50 --reps 3"
                            + " --timeout 30 --sockbuf 128K --out DIR --max)");
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

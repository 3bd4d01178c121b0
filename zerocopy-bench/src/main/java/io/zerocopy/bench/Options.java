package io.zerocopy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Command-line options of the report and the calibration. */
final class Options {

    static final String USAGE = String.join("\n",
            "usage: java -jar zerocopy-bench.jar [options]",
            "",
            "Default: the report. Serves a file of --size bytes to a client, relays it through a proxy and",
            "copies it over a cached file, with every strategy of the library and the JDK, Netty epoll, C",
            "(sendfile/splice/mmap/copy_file_range) and Go (io.Copy) peers, and broadcasts a file to 8",
            "loopback sockets, interleaved over --reps repetitions; then a size sweep; then small transfers",
            "through each binding of the C library; then copies a file to new files on the working file",
            "system and, as root, on loop-mounted XFS (reflink=1) and Btrfs images. Socket scenarios run over",
            "loopback (MTU 65536) and, when the process may create network namespaces (root), over veth pairs",
            "of MTU 1500 into namespaces of their own (zcb-<pid>-*, 10.213.0.0/16). Namespaces and images are",
            "removed afterwards and on Ctrl-C. Writes results.csv, sweep.csv, bindings.csv, new-files.csv,",
            "summary.md and SVG charts.",
            "",
            "  --size N          bytes per transfer, suffixes K M G (binary); default 100M (the seed's file)",
            "  --reps N          measured repetitions per row, interleaved; default 9",
            "  --warmup N        unmeasured runs per row before measuring; default 1",
            "  --scenarios LIST  comma-separated; default all:",
            "                      fs  file->socket over loopback",
            "                      fv  file->socket over veth (sink in its own namespace)",
            "                      ft  file->socket over veth shaped to 1 Gbit/s by tbf (--tbf-size)",
            "                      ss  socket->socket (proxy) over loopback",
            "                      sv  socket->socket over veth (feeder and sink in namespaces of their own,",
            "                          the proxy in between in the root namespace)",
            "                      ff  file->file",
            "                      bc  broadcast: one cached file to 8 loopback sockets, each drained by a",
            "                          reader thread (ZeroCopy.broadcast with tee, the portable copy",
            "                          broadcast, 8 separate transfers)",
            "                      sb  small transfers by binding: getpid and close(-1) per call, file->socket",
            "                          (sendfile) and socket->socket (splice) of 256 B to 64 KiB over loopback,",
            "                          through jnr-ffi and (JDK 22+) java.lang.foreign side by side; seconds",
            "                      fn  file->new file, per file system: a cached file of --size copied to a",
            "                          new file (the last copy deleted), min(--reps, 3) measured copies per row;",
            "                          time and new space per copy (needs root, mkfs.xfs, mkfs.btrfs and loop",
            "                          devices for the images; else the working file system only)",
            "  --bc-size N       bytes per target in the broadcast (8x that delivered per run); default 32M,",
            "                    at most --size",
            "  --tbf-size N      bytes per transfer over the 1 Gbit/s veth (ft); default 8M (67 ms), at most --size",
            "  --no-veth         skip the veth scenarios (fv, ft, sv)",
            "  --out DIR         output directory; default bench-results",
            "  --no-sweep        skip the throughput-by-size sweep (fs, fv, ff)",
            "  --no-new-files    skip the new-file copies (fn)",
            "  --no-c            skip the C peer",
            "  --no-go           skip the Go peer (built with the go tool at run time)",
            "  --no-netty        skip the Netty epoll peer",
            "  --smoke           seconds-long run with tiny sizes, for CI",
            "  --calibrate       find the size below which the copy loop beats each zero-copy path (loopback)",
            "  --jmh ARGS...     run the JMH suite (same as java -cp zerocopy-bench.jar org.openjdk.jmh.Main ARGS)",
            "  --help            this text");

    /**
     * The {@code --scenarios} code of the new-file copies, which are not a {@link Scenario}: they
     * run on file systems of their own, after the scenarios ({@link NewFileCopies}).
     */
    static final String NEW_FILES = "fn";
    static final String NEW_FILES_LABEL = "file->new file";
    /**
     * The {@code --scenarios} code of the small transfers by binding, which are not a
     * {@link Scenario}: they run after the scenarios ({@link BindingSection}).
     */
    static final String BINDINGS = "sb";
    static final String BINDINGS_LABEL = "small transfers by binding";

    long size = 100L << 20;
    /** Bytes per target of the broadcast scenario, capped by {@link #size}. */
    long bcSize = 32L << 20;
    /** Bytes per transfer of the tbf-shaped veth scenario, capped by {@link #size}. */
    long tbfSize = 8L << 20;
    int reps = 9;
    int warmup = 1;
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
    Path out = Path.of("bench-results");
    boolean sweep = true;
    boolean veth = true;
    boolean c = true;
    boolean go = true;
    /** Whether the new-file copies run ({@value #NEW_FILES}), after the scenarios and the sweep. */
    boolean newFiles = true;
    /** Whether the small transfers by binding run ({@value #BINDINGS}), after the scenarios and the sweep. */
    boolean bindings = true;
    boolean netty = true;
    boolean smoke;
    boolean calibrate;
    boolean help;
    long seed = 20261124L;
    /** Sweep sizes (bytes) and target time per measured batch. */
    long[] sweepSizes = {256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20};
    long sweepBatchNs = 10_000_000L;
    int sweepBatches = 5;
    List<String> jmhArgs;

    static Options parse(String... args) {
        Options o = new Options();
        boolean sizeSet = false;
        boolean repsSet = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--size":
                    o.size = parseSize(value(args, ++i, a));
                    sizeSet = true;
                    break;
                case "--bc-size":
                    o.bcSize = parseSize(value(args, ++i, a));
                    break;
                case "--tbf-size":
                    o.tbfSize = parseSize(value(args, ++i, a));
                    break;
                case "--no-veth":
                    o.veth = false;
                    break;
                case "--reps":
                    o.reps = positive(value(args, ++i, a), a);
                    repsSet = true;
                    break;
                case "--warmup":
                    o.warmup = Integer.parseInt(value(args, ++i, a));
                    if (o.warmup < 0) {
                        throw new IllegalArgumentException("--warmup < 0: " + o.warmup);
                    }
                    break;
                case "--scenarios":
                    o.scenarios = EnumSet.noneOf(Scenario.class);
                    o.newFiles = false;
                    o.bindings = false;
                    for (String s : value(args, ++i, a).split(",")) {
                        if (s.isBlank()) {
                            continue;
                        }
                        if (isNewFiles(s)) {
                            o.newFiles = true;
                        } else if (isBindings(s)) {
                            o.bindings = true;
                        } else {
                            o.scenarios.add(scenario(s));
                        }
                    }
                    if (o.scenarios.isEmpty() && !o.newFiles && !o.bindings) {
                        throw new IllegalArgumentException("--scenarios: none given");
                    }
                    break;
                case "--no-new-files":
                    o.newFiles = false;
                    break;
                case "--out":
                    o.out = Path.of(value(args, ++i, a));
                    break;
                case "--no-sweep":
                    o.sweep = false;
                    break;
                case "--no-c":
                    o.c = false;
                    break;
                case "--no-go":
                    o.go = false;
                    break;
                case "--no-netty":
                    o.netty = false;
                    break;
                case "--smoke":
                    o.smoke = true;
                    break;
                case "--calibrate":
                    o.calibrate = true;
                    break;
                case "--seed":
                    o.seed = Long.parseLong(value(args, ++i, a));
                    break;
                case "--help":
                case "-h":
                    o.help = true;
                    break;
                case "--jmh":
                    o.jmhArgs = new ArrayList<>(List.of(args).subList(i + 1, args.length));
                    return o;
                default:
                    throw new IllegalArgumentException("unknown option: " + a + "\n\n" + USAGE);
            }
        }
        if (o.smoke) {
            if (!sizeSet) {
                o.size = 1L << 20;
            }
            if (!repsSet) {
                o.reps = 2;
            }
            o.sweepSizes = new long[] {4 << 10, 64 << 10};
            o.sweepBatchNs = 1_000_000L;
            o.sweepBatches = 1;
        }
        return o;
    }

    /** @return bytes per target of the broadcast scenario */
    long broadcastSize() {
        return Math.min(size, bcSize);
    }

    /** @return bytes per transfer of the tbf-shaped veth scenario */
    long tbfSize() {
        return Math.min(size, tbfSize);
    }

    /** @return measured copies per row and file system of the new-file copies: {@link #reps}, at most 3 */
    int newFileReps() {
        return Math.min(reps, 3);
    }

    /** @return bytes per transfer of a row of this scenario */
    long sizeOf(Scenario sc) {
        switch (sc) {
            case BROADCAST:
                return broadcastSize();
            case FILE_SOCKET_TBF:
                return tbfSize();
            default:
                return size;
        }
    }

    /** @return whether {@code s} names the new-file copies: {@value #NEW_FILES} or {@value #NEW_FILES_LABEL} */
    private static boolean isNewFiles(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        return k.equals(NEW_FILES) || k.equals(NEW_FILES_LABEL);
    }

    /** @return whether {@code s} names the small transfers by binding: {@value #BINDINGS} or {@value #BINDINGS_LABEL} */
    private static boolean isBindings(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        return k.equals(BINDINGS) || k.equals(BINDINGS_LABEL);
    }

    /** {@link Scenario#parse}, with {@value #BINDINGS} and {@value #NEW_FILES} among the codes of its error. */
    private static Scenario scenario(String s) {
        try {
            return Scenario.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown scenario: " + s + " (" + Scenario.codes() + ", " + BINDINGS
                    + ", " + NEW_FILES + ")", e);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String v, String option) {
        int n = Integer.parseInt(v);
        if (n < 1) {
            throw new IllegalArgumentException(option + " < 1: " + n);
        }
        return n;
    }

    static long parseSize(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B")) {
            s = s.substring(0, s.length() - 1);
        }
        long mult = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K': mult = 1L << 10; break;
                case 'M': mult = 1L << 20; break;
                case 'G': mult = 1L << 30; break;
                default: break;
            }
        }
        if (mult != 1) {
            s = s.substring(0, s.length() - 1);
        }
        long n = Long.parseLong(s) * mult;
        if (n < 1) {
            throw new IllegalArgumentException("size < 1: " + v);
        }
        return n;
    }

    static String human(long bytes) {
        if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }
}

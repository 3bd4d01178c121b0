package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * What the JFR events cost per transfer (docs/observability.md): not a test. Times small
 * transfers on one thread, on the default engine, in ns per transfer:
 * <ul>
 *   <li>{@code send}: 4 KiB from a heap buffer to a channel that discards it (the cheapest
 *       transfer the engine runs, so the events' share is the largest);</li>
 *   <li>{@code file}: 4 KiB from a file to the start of another, both in the page cache.</li>
 * </ul>
 * Modes: {@code no JFR} (JFR never started in the JVM; its rounds run first, after as many
 * warm-up rounds, since JFR cannot be stopped once started), then, interleaved with their order
 * rotated each round: {@code on} (a recording with JFR's default settings, which record the
 * zerocopy events as their annotations say: no stack trace), {@code on, stack} (the Transfer
 * event with its stack trace), {@code on, zerocopy off} (the zerocopy events disabled in the
 * recording), {@code JFR idle} (JFR started earlier, no recording running). Prints the median
 * of the rounds and their range.
 *
 * <pre>
 * mvn -o -q -pl zerocopy-core test-compile
 * java -cp zerocopy-core/target/classes:zerocopy-core/target/test-classes io.zerocopy.JfrCost [dir] [rounds] [transfers]
 * </pre>
 */
public final class JfrCost {

    private static final int SIZE = 4096;
    private static final String[] LATER_MODES = {"on", "on, stack", "on, zerocopy off", "JFR idle"};

    private final TransferEngine engine = ZeroCopy.defaultEngine();
    private final ByteBuffer buffer = ByteBuffer.wrap(new byte[SIZE]);
    private final ByteBuffer[] buffers = {buffer};
    private final WritableByteChannel discard = new WritableByteChannel() {
        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() { }
    };
    private final FileChannel source;
    private final FileChannel target;
    private final int transfers;
    private long sink;

    private JfrCost(Path dir, int transfers) throws IOException {
        this.transfers = transfers;
        Path in = Files.write(dir.resolve("jfrcost-source"), new byte[SIZE]);
        Path out = dir.resolve("jfrcost-target");
        source = FileChannel.open(in, StandardOpenOption.READ);
        target = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
        in.toFile().deleteOnExit();
    }

    /** @return ns per transfer of {@code transfers} sends */
    private double send() throws IOException {
        long start = System.nanoTime();
        for (int i = 0; i < transfers; i++) {
            buffer.clear();
            sink += engine.send(buffers, discard);
        }
        return (System.nanoTime() - start) / (double) transfers;
    }

    /** @return ns per transfer of {@code transfers} file copies */
    private double file() throws IOException {
        long start = System.nanoTime();
        for (int i = 0; i < transfers; i++) {
            target.position(0);
            sink += engine.transfer(source, 0, SIZE, target);
        }
        return (System.nanoTime() - start) / (double) transfers;
    }

    /** Runs one round of both workloads in {@code mode}; adds the results. */
    private void round(String mode, Map<String, List<double[]>> results) throws IOException {
        Recording r = null;
        if (mode.startsWith("on")) {
            try {
                r = new Recording(Configuration.getConfiguration("default"));
            } catch (java.text.ParseException e) {
                throw new IOException(e);
            }
            if (mode.equals("on, stack")) {
                r.enable("io.zerocopy.Transfer").withStackTrace();
            } else if (mode.equals("on, zerocopy off")) {
                r.disable("io.zerocopy.Transfer");
                r.disable("io.zerocopy.Fallback");
            }
            r.start();
        }
        try {
            double s = send();
            double f = file();
            results.computeIfAbsent(mode, k -> new ArrayList<>()).add(new double[] {s, f});
        } finally {
            if (r != null) {
                r.close();
            }
        }
    }

    private static String stats(List<double[]> rounds, int column) {
        double[] v = rounds.stream().mapToDouble(a -> a[column]).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format("%7.0f (%.0f-%.0f)", median, v[0], v[v.length - 1]);
    }

    /**
     * @param args the directory for the two files (default the working directory), rounds per
     *     mode (default 9), transfers per round and workload (default 100000)
     * @throws Exception if a transfer fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int transfers = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        JfrCost cost = new JfrCost(dir, transfers);
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int i = 0; i < rounds; i++) {
            cost.round("warm-up", results);
        }
        results.clear();
        for (int i = 0; i < rounds; i++) {
            cost.round("no JFR", results);
        }
        for (int i = 0; i < rounds; i++) {
            for (int m = 0; m < LATER_MODES.length; m++) {
                cost.round(LATER_MODES[(i + m) % LATER_MODES.length], results);
            }
        }
        cost.source.close();
        cost.target.close();
        System.out.printf("ns per transfer, %d transfers a round, median of %d rounds (range); %s, %s%n", transfers,
                rounds, System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"));
        System.out.printf("%-18s %-20s %-20s%n", "mode", "send 4 KiB", "file->file 4 KiB");
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            System.out.printf("%-18s %-20s %-20s%n", e.getKey(), stats(e.getValue(), 0), stats(e.getValue(), 1));
        }
        if (cost.sink != (long) rounds * (2 + LATER_MODES.length) * transfers * 2 * SIZE) {
            throw new AssertionError("bytes moved: " + cost.sink + "; modes " + Arrays.toString(LATER_MODES));
        }
    }
}

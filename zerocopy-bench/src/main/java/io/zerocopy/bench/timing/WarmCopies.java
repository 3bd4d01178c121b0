package io.zerocopy.bench.timing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/**
 * The fixed cost of a copy to a new file where the file system shares extents (the bytes do not
 * move, so the call is all there is): {@code ZeroCopy.transfer(Path, Path)} with the default
 * engine, engines restricted to {@code reflink} and to {@code copyFileRange}, and the JDK's
 * {@code Files.copy}, each run {@code reps} times in turn, the order shuffled every round (seeded) so
 * that no row always follows the one that may copy every byte (each target deleted first), the
 * first half discarded as warm-up; prints the median and the 10th and 90th percentiles in
 * microseconds. {@code dir} must hold a file {@code src.bin} and be on XFS or Btrfs to measure
 * the sharing case. Not a test.
 *
 * <pre>java -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.WarmCopies DIR [reps]</pre>
 */
public final class WarmCopies {

    private WarmCopies() { }

    /**
     * @param args the directory, then the number of copies per row (default 400)
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        Path src = dir.resolve("src.bin");
        Map<String, TransferEngine> engines = new LinkedHashMap<>();
        engines.put("zc:auto", ZeroCopy.defaultEngine());
        engines.put("zc:reflink", ZeroCopy.builder().threshold(0).strategies("reflink").build());
        engines.put("zc:copyFileRange", ZeroCopy.builder().threshold(0).strategies("copyFileRange").build());
        engines.put("jdk:Files.copy", null);
        Map<String, List<Double>> micros = new LinkedHashMap<>();
        List<Map.Entry<String, TransferEngine>> order = new ArrayList<>(engines.entrySet());
        java.util.Random random = new java.util.Random(42);
        for (int r = 0; r < reps; r++) {
            Collections.shuffle(order, random);
            for (Map.Entry<String, TransferEngine> e : order) {
                Path dst = dir.resolve("warm-copy");
                Files.deleteIfExists(dst);
                long t0 = System.nanoTime();
                if (e.getValue() == null) {
                    Files.copy(src, dst);
                } else {
                    e.getValue().transfer(src, dst);
                }
                long t1 = System.nanoTime();
                if (r >= reps / 2) {
                    micros.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((t1 - t0) / 1e3);
                }
            }
        }
        Files.deleteIfExists(dir.resolve("warm-copy"));
        System.out.println("JVM " + Runtime.version() + ", " + Files.size(src) + " bytes, " + reps + " copies per row, the last "
                + (reps - reps / 2) + " measured");
        for (Map.Entry<String, List<Double>> e : micros.entrySet()) {
            List<Double> l = e.getValue();
            Collections.sort(l);
            System.out.printf("%-18s median %6.0f us  p10 %6.0f  p90 %6.0f%n", e.getKey(), l.get(l.size() / 2),
                    l.get(l.size() / 10), l.get(l.size() * 9 / 10));
        }
    }
}

package io.zerocopy.bench.timing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;

/**
 * Copies one file to new files in the same directory, several times, with
 * {@code ZeroCopy.transfer(Path, Path)} (the default engine) or the JDK's {@code Files.copy},
 * and prints the median time per copy, every time, the new space the copies took (usable
 * space before and after, each after {@code sync -f}) and the strategies that finished.
 * {@code zerocopy-bench/scripts/file-copies.sh} runs it on loop-mounted XFS and btrfs images
 * beside {@code cp --reflink=always}:
 *
 * <pre>
 * java -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.FileCopies zerocopy|files SOURCE COPIES
 * </pre>
 */
public final class FileCopies {

    private FileCopies() { }

    /**
     * @param args {@code zerocopy} or {@code files}, the source file, the number of copies
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("zerocopy") || args[0].equals("files"))) {
            System.err.println("usage: FileCopies zerocopy|files SOURCE COPIES");
            System.exit(2);
        }
        String mode = args[0];
        Path src = Path.of(args[1]).toAbsolutePath();
        Path dir = src.getParent();
        int n = Integer.parseInt(args[2]);
        List<String> strategies = new ArrayList<>();
        TransferEngine engine = ZeroCopy.builder().listener(new TransferListener() {
            @Override
            public void onComplete(TransferResult r) {
                strategies.add(r.strategy());
            }
        }).build();
        sync(dir);
        long free = Files.getFileStore(dir).getUsableSpace();
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            Path dst = dir.resolve(mode + "-copy-" + i);
            long t0 = System.nanoTime();
            if (mode.equals("zerocopy")) {
                engine.transfer(src, dst);
            } else {
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            }
            nanos[i] = System.nanoTime() - t0;
        }
        sync(dir);
        long used = free - Files.getFileStore(dir).getUsableSpace();
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        StringBuilder all = new StringBuilder();
        for (long x : nanos) {
            all.append(String.format(Locale.ROOT, "%.1f ", x / 1e6));
        }
        System.out.printf(Locale.ROOT, "%s java=%s median=%.1f ms (all: %s) new space=%d KiB strategies=%s%n", mode,
                System.getProperty("java.version"), sorted[n / 2] / 1e6, all.toString().trim(), used / 1024,
                new TreeSet<>(strategies));
    }

    private static void sync(Path dir) throws Exception {
        new ProcessBuilder("sync", "-f", dir.toString()).inheritIO().start().waitFor();
    }
}

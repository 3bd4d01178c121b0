package io.zerocopy.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Throughput by transfer size: repeated transfers of the first {@code size} bytes of the
 * source, on one connection per batch to the sink of the scenario's network path
 * (file->socket, over loopback or veth) or over the same destination bytes (file->file). A batch of {@code k} transfers is timed until the sink has counted its last
 * byte; {@code k} is chosen per row and size so that a batch lasts about the target time.
 * Rows are interleaved within each size. Socket->socket is not swept: the library's stream
 * transfer runs until end of stream, so each transfer would need a fresh connection.
 */
final class SizeSweep {

    /** One row at one size. */
    record Point(Scenario scenario, String row, long size, long ops, double medianNsPerOp, double minNsPerOp,
            double maxNsPerOp, String ran) {
        double mbps() {
            return Stats.mbps(size, medianNsPerOp);
        }
    }

    interface Progress {
        void update(String what);
    }

    /** Bytes sent on a fresh connection before a batch is timed. */
    static final long WARM_BYTES = 1L << 20;

    private SizeSweep() { }

    static List<Point> run(Harness h, Scenario sc, List<JavaRows.JavaRow> rows, long[] sizes, int batches,
            long batchNs, Progress progress) throws IOException {
        if (sc.shape != Scenario.Shape.FILE_SOCKET && sc.shape != Scenario.Shape.FILE_FILE) {
            throw new IllegalArgumentException(sc.label + " is not swept");
        }
        Link link = sc.shape == Scenario.Shape.FILE_SOCKET ? h.link(sc) : null;
        List<Point> points = new ArrayList<>();
        try (FileChannel src = FileChannel.open(h.ws.src, StandardOpenOption.READ);
             FileChannel dst = link == null ? FileChannel.open(h.ws.dst, StandardOpenOption.WRITE) : null) {
            for (long size : sizes) {
                int r = rows.size();
                long[] k = new long[r];
                String[] ran = new String[r];
                double[][] perOp = new double[r][batches];
                for (int i = 0; i < r; i++) {
                    ran[i] = whatRuns(link, rows.get(i), src, size, dst);
                    long probe = 4;
                    double est = batch(link, rows.get(i), src, size, probe, dst) / probe;
                    k[i] = Math.max(4, Math.min(1_000_000, (long) Math.ceil(batchNs / Math.max(est, 1))));
                }
                for (int b = 0; b < batches; b++) {
                    for (int j = 0; j < r; j++) {
                        int i = (j + b) % r;
                        progress.update(sc.code + " sweep " + Options.human(size) + " " + rows.get(i).name);
                        perOp[i][b] = batch(link, rows.get(i), src, size, k[i], dst) / k[i];
                    }
                }
                for (int i = 0; i < r; i++) {
                    double[] v = perOp[i];
                    points.add(new Point(sc, rows.get(i).name, size, k[i] * batches, Stats.quantile(v, 0.5),
                            Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0), ran[i]));
                }
            }
        }
        return points;
    }

    /** @return the strategies the engine tried for one transfer of this size, e.g. "splice" */
    private static String whatRuns(Link link, JavaRows.JavaRow row, FileChannel src, long size, FileChannel dst)
            throws IOException {
        if (!(row instanceof JavaRows.EngineRow)) {
            return row.ran;
        }
        String[] seen = new String[1];
        JavaRows.JavaRow probe = ((JavaRows.EngineRow) row).observed(seen);
        batch(link, probe, src, size, 1, dst);
        return seen[0];
    }

    /**
     * @param link the sink's path (file->socket); null for file->file
     * @param dst the destination file (file->file); null for file->socket
     * @return nanoseconds for {@code k} transfers of {@code size} bytes, until the target has
     *     them all; a socket target is a fresh connection per batch (opened, warmed with about
     *     {@link #WARM_BYTES} of the same transfers, and closed outside the timed window), so no
     *     row inherits another's socket state
     */
    private static double batch(Link link, JavaRows.JavaRow row, FileChannel src, long size, long k,
            FileChannel dst) throws IOException {
        if (dst != null) {
            long t0 = System.nanoTime();
            for (long i = 0; i < k; i++) {
                dst.position(0);
                long n = row.moveFile(src, size, dst);
                Harness.checkBytes(size, n);
            }
            return System.nanoTime() - t0;
        }
        // warm the fresh connection first (TCP windows start small), then time k transfers
        long warm = Math.min(k, Math.max(1, WARM_BYTES / size));
        Link.Session sink = link.expectSink((warm + k) * size);
        long t0;
        try (SocketChannel sock = Harness.open(link.sinkAddress())) {
            for (long i = 0; i < warm; i++) {
                Harness.checkBytes(size, row.moveFile(src, size, sock));
            }
            sink.awaitReceived(warm * size, 60_000_000_000L);
            t0 = System.nanoTime();
            for (long i = 0; i < k; i++) {
                long n = row.moveFile(src, size, sock);
                Harness.checkBytes(size, n);
            }
        } catch (IOException | RuntimeException e) {
            sink.settle();
            throw e;
        }
        sink.await();
        Harness.checkBytes((warm + k) * size, sink.received);
        return sink.endNs - t0;
    }
}

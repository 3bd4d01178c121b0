package io.zerocopy.bench;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.linux.BenchBinding;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Small transfers by binding ({@value Options#BINDINGS}): the cost of zerocopy-linux's two
 * bindings of the C library, jnr-ffi and {@code java.lang.foreign} (JDK 22+), measured side by
 * side in this JVM ({@link BenchBinding}), and what it does to small transfers:
 *
 * <ul>
 *   <li>per call: {@code sysconf(_SC_PAGESIZE)} (no system call: the binding's own cost),
 *       {@code getpid} (the smallest system call) and {@code close(-1)} (fails with
 *       {@code EBADF}, so the binding reads errno), batches of {@link #CALLS} calls;
 *   <li>file to socket over loopback with {@code sendfile}: the report's size sweep
 *       ({@link SizeSweep}: batches of transfers on a fresh, warmed connection, timed until the
 *       sink has the last byte);
 *   <li>socket to socket over loopback with {@code splice}: the relay call alone, on a fresh
 *       source connection whose bytes and FIN are already queued, into a target connection
 *       that lives for the batch; a batch is the median of its {@link #RELAYS} relays.
 * </ul>
 *
 * <p>Each engine holds one Linux strategy made with the binding (threshold 0, the copy loop
 * behind it); what served is recorded and must be that strategy. Bindings alternate within
 * every repetition. The strategies' call sites see both bindings in one JVM (bimorphic), where
 * production sees one: the JMH benchmarks (one fork per binding) are the reference for the
 * per-call cost. Immutable once run.
 */
final class BindingSection {

    static final String CSV_HEADER = "measure,size,binding,batches,ops_per_batch,median_ns,min_ns,max_ns,"
            + "downcalls_per_op,ran";
    static final String SYSCONF = "sysconf(_SC_PAGESIZE)";
    static final String GETPID = "getpid";
    static final String CLOSE = "close(-1)";
    static final String FILE_SOCKET = "file->socket";
    static final String SOCKET_SOCKET = "socket->socket";
    /** Transfer sizes: 256 B to 64 KiB. */
    static final long[] SIZES = {256, 1 << 10, 4 << 10, 16 << 10, 64 << 10};
    /** Calls per timed batch of getpid or close(-1). */
    static final int CALLS = 20_000;
    /** Relays per timed socket-to-socket batch. */
    static final int RELAYS = 80;
    private static final long BATCH_NS = 10_000_000L;
    private static final int WARM_CALL_BATCHES = 5;
    private static final int WARM_RELAYS = 600;

    /**
     * One measure of one binding.
     *
     * @param measure {@link #GETPID}, {@link #CLOSE}, {@link #FILE_SOCKET} or {@link #SOCKET_SOCKET}
     * @param size bytes per transfer; 0 for a call
     * @param binding the binding's own name ({@code jnr-ffi}, {@code java.lang.foreign})
     * @param batches timed batches
     * @param opsPerBatch calls or transfers per batch
     * @param medianNs median over the batches of ns per call or transfer
     * @param minNs the fastest batch
     * @param maxNs the slowest batch
     * @param downcalls calls through the binding per operation
     * @param ran the strategy that served (transfers), else ""
     */
    record Point(String measure, long size, String binding, int batches, long opsPerBatch, double medianNs,
            double minNs, double maxNs, long downcalls, String ran) { }

    private final List<String> bindings;
    private final List<Point> points;
    private final List<String> notes;
    private final double seconds;

    private BindingSection(List<String> bindings, List<Point> points, List<String> notes, double seconds) {
        this.bindings = List.copyOf(bindings);
        this.points = List.copyOf(points);
        this.notes = List.copyOf(notes);
        this.seconds = seconds;
    }

    /**
     * Measures every binding that loads here; one that does not is a note with the reason.
     *
     * @param h the run's fixture: its source file (at least 64 KiB) and loopback link
     * @param reps timed batches per measure and binding
     * @param smoke whether to shrink the batches to a seconds-long run
     * @param progress status line
     * @return the section
     * @throws IOException if a transfer fails
     */
    static BindingSection run(Harness h, int reps, boolean smoke, SizeSweep.Progress progress) throws IOException {
        long started = System.nanoTime();
        List<String> notes = new ArrayList<>();
        List<BenchBinding> loaded = new ArrayList<>();
        try {
            for (String name : BenchBinding.names()) {
                try {
                    loaded.add(BenchBinding.load(name));
                } catch (UnsupportedOperationException e) {
                    notes.add(name + " not measured: " + e.getMessage());
                }
            }
            List<String> names = new ArrayList<>();
            for (BenchBinding b : loaded) {
                names.add(b.toString());
            }
            List<Point> points = new ArrayList<>();
            if (!loaded.isEmpty()) {
                int div = smoke ? 10 : 1;
                calls(loaded, reps, CALLS / div, points, progress);
                List<SizeSweep.Point> fs = fileToSocket(h, loaded, reps, BATCH_NS / div, progress);
                Relays ss = socketToSocket(h, loaded, reps, Math.max(2, RELAYS / div), WARM_RELAYS / div, progress);
                // counted last: the counting views add a third implementation to the strategies' call sites
                progress.update("sb counting downcalls");
                for (int i = 0; i < loaded.size(); i++) {
                    BenchBinding b = loaded.get(i);
                    for (SizeSweep.Point s : fs) {
                        if (s.row().equals(b.toString())) {
                            points.add(new Point(FILE_SOCKET, s.size(), s.row(), reps, s.ops() / reps,
                                    s.medianNsPerOp(), s.minNsPerOp(), s.maxNsPerOp(), countFileToSocket(h, b, s.size()),
                                    s.ran()));
                        }
                    }
                }
                for (int i = 0; i < loaded.size(); i++) {
                    for (int s = 0; s < SIZES.length; s++) {
                        points.add(point(SOCKET_SOCKET, SIZES[s], loaded.get(i), ss.perOp()[i][s],
                                Math.max(2, RELAYS / div), countRelay(h, loaded.get(i), SIZES[s]), ss.ran()[i][s]));
                    }
                }
                for (Point p : points) {
                    String want = p.measure.equals(FILE_SOCKET) ? "sendfile" : p.measure.equals(SOCKET_SOCKET) ? "splice" : "";
                    if (!want.equals(p.ran)) {
                        notes.add(p.measure + " " + Options.human(p.size) + " through " + p.binding + " ran " + p.ran
                                + ", not " + want + " alone");
                    }
                }
            }
            return new BindingSection(names, points, notes, (System.nanoTime() - started) / 1e9);
        } finally {
            for (BenchBinding b : loaded) {
                b.close();
            }
        }
    }

    /** sysconf, getpid and close(-1): batches of {@code n} calls, bindings alternating. */
    private static void calls(List<BenchBinding> bs, int reps, int n, List<Point> points, SizeSweep.Progress progress) {
        int k = bs.size();
        double[][] page = new double[k][reps];
        double[][] pid = new double[k][reps];
        double[][] bad = new double[k][reps];
        for (int w = 0; w < WARM_CALL_BATCHES; w++) {
            for (BenchBinding b : bs) {
                progress.update("sb warm-up: calls through " + b);
                pageSizes(b, n);
                getpids(b, n);
                closes(b, n);
            }
        }
        for (int rep = 0; rep < reps; rep++) {
            for (int j = 0; j < k; j++) {
                int i = (j + rep) % k;
                progress.update("sb calls " + (rep + 1) + "/" + reps + " " + bs.get(i));
                page[i][rep] = pageSizes(bs.get(i), n);
                pid[i][rep] = getpids(bs.get(i), n);
                bad[i][rep] = closes(bs.get(i), n);
            }
        }
        for (int i = 0; i < k; i++) {
            points.add(point(SYSCONF, 0, bs.get(i), page[i], n, 1, ""));
            points.add(point(GETPID, 0, bs.get(i), pid[i], n, 1, ""));
            points.add(point(CLOSE, 0, bs.get(i), bad[i], n, 1, ""));
        }
    }

    /** @return ns per {@code sysconf(_SC_PAGESIZE)} over {@code n} calls */
    private static double pageSizes(BenchBinding b, int n) {
        long expected = b.pageSize();
        long t0 = System.nanoTime();
        int same = 0;
        for (int i = 0; i < n; i++) {
            same += b.pageSize() == expected ? 1 : 0;
        }
        long t = System.nanoTime() - t0;
        if (same != n) {
            throw new IllegalStateException(b + ": the page size changed");
        }
        return (double) t / n;
    }

    /** @return ns per {@code getpid} over {@code n} calls */
    private static double getpids(BenchBinding b, int n) {
        int expected = b.getpid();
        long t0 = System.nanoTime();
        int same = 0;
        for (int i = 0; i < n; i++) {
            same += b.getpid() == expected ? 1 : 0;
        }
        long t = System.nanoTime() - t0;
        if (same != n) {
            throw new IllegalStateException(b + ": getpid changed");
        }
        return (double) t / n;
    }

    /** @return ns per {@code close(-1)} over {@code n} calls */
    private static double closes(BenchBinding b, int n) {
        int expected = b.closeInvalid();
        long t0 = System.nanoTime();
        int same = 0;
        for (int i = 0; i < n; i++) {
            same += b.closeInvalid() == expected ? 1 : 0;
        }
        long t = System.nanoTime() - t0;
        if (same != n || expected >= 0) {
            throw new IllegalStateException(b + ": close(-1) gave " + expected);
        }
        return (double) t / n;
    }

    /**
     * File to socket: one {@link SizeSweep} over both bindings' sendfile rows, after an
     * unrecorded one at 4 KiB.
     *
     * @return the sweep's points, rows named by binding
     */
    private static List<SizeSweep.Point> fileToSocket(Harness h, List<BenchBinding> bs, int reps, long batchNs,
            SizeSweep.Progress progress) throws IOException {
        List<JavaRows.JavaRow> rows = new ArrayList<>();
        for (BenchBinding b : bs) {
            rows.add(new JavaRows.EngineRow(Scenario.FILE_SOCKET, b.toString(), b.sendfileEngine(), "sendfile"));
        }
        SizeSweep.Progress p = what -> progress.update("sb " + what);
        SizeSweep.run(h, Scenario.FILE_SOCKET, rows, new long[] {4 << 10}, 2, batchNs, p);
        return SizeSweep.run(h, Scenario.FILE_SOCKET, rows, SIZES, reps, batchNs, p);
    }

    /** @return calls through the binding for one sendfile transfer of {@code size} bytes to a fresh connection */
    private static long countFileToSocket(Harness h, BenchBinding b, long size) throws IOException {
        Link link = h.link(Scenario.FILE_SOCKET);
        BenchBinding counting = b.counting();
        TransferEngine engine = counting.sendfileEngine();
        Link.Session sink = link.expectSink(size);
        try (FileChannel src = FileChannel.open(h.ws.src, StandardOpenOption.READ);
             SocketChannel out = Harness.open(link.sinkAddress())) {
            Harness.checkBytes(size, engine.transfer(src, 0, size, out));
        } catch (IOException | RuntimeException e) {
            sink.settle();
            throw e;
        }
        sink.await();
        return counting.calls();
    }

    /** Per binding and size ({@code [binding][size]}): what served, and ns per relay of each batch. */
    private record Relays(String[][] ran, double[][][] perOp) { }

    /** Socket to socket: batches of relays per size and binding, bindings alternating. */
    private static Relays socketToSocket(Harness h, List<BenchBinding> bs, int reps, int relays, int warm,
            SizeSweep.Progress progress) throws IOException {
        Link link = h.link(Scenario.SOCKET_SOCKET);
        int k = bs.size();
        TransferEngine[] engines = new TransferEngine[k];
        String[][] ran = new String[k][SIZES.length];
        double[][][] perOp = new double[k][SIZES.length][reps];
        ByteBuffer data = ByteBuffer.allocateDirect((int) SIZES[SIZES.length - 1]);
        try (ServerSocketChannel sources = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < k; i++) {
                engines[i] = bs.get(i).spliceEngine();
                progress.update("sb warm-up: " + SOCKET_SOCKET + " through " + bs.get(i));
                relayBatch(link, sources, engines[i], data, 4 << 10, warm);
                for (int s = 0; s < SIZES.length; s++) {
                    ran[i][s] = ranOnce(link, sources, engines[i], data, (int) SIZES[s]);
                }
            }
            for (int rep = 0; rep < reps; rep++) {
                for (int s = 0; s < SIZES.length; s++) {
                    for (int j = 0; j < k; j++) {
                        int i = (j + rep + s) % k;
                        progress.update("sb " + SOCKET_SOCKET + " " + (rep + 1) + "/" + reps + " "
                                + Options.human(SIZES[s]) + " " + bs.get(i));
                        perOp[i][s][rep] = relayBatch(link, sources, engines[i], data, (int) SIZES[s], relays);
                    }
                }
            }
        }
        return new Relays(ran, perOp);
    }

    /** @return calls through the binding for one splice relay of {@code size} bytes */
    private static long countRelay(Harness h, BenchBinding b, long size) throws IOException {
        BenchBinding counting = b.counting();
        ByteBuffer data = ByteBuffer.allocateDirect((int) size);
        try (ServerSocketChannel sources = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            relayBatch(h.link(Scenario.SOCKET_SOCKET), sources, counting.spliceEngine(), data, (int) size, 1);
        }
        return counting.calls();
    }

    /** @return the strategies one observed relay of {@code size} bytes tried, e.g. "splice" */
    private static String ranOnce(Link link, ServerSocketChannel sources, TransferEngine engine, ByteBuffer data,
            int size) throws IOException {
        String[] seen = new String[1];
        TransferListener l = new TransferListener() {
            @Override
            public void onComplete(TransferResult r) {
                StringBuilder sb = new StringBuilder();
                for (TransferResult.Attempt a : r.attempts()) {
                    sb.append(sb.length() == 0 ? "" : ">").append(a.strategy());
                }
                seen[0] = sb.toString();
            }
        };
        relayBatch(link, sources, engine.withListener(l), data, size, 1);
        return seen[0] == null ? "?" : seen[0];
    }

    /**
     * Relays {@code n} fresh source connections of {@code size} bytes each into one target
     * connection to the link's sink, timing each relay call alone.
     *
     * @return the median ns of the relays (a relay the scheduler preempted moves it little)
     * @throws IOException if a relay fails, or the sink did not receive every byte
     */
    private static double relayBatch(Link link, ServerSocketChannel sources, TransferEngine engine, ByteBuffer data,
            int size, int n) throws IOException {
        Link.Session sink = link.expectSink((long) n * size);
        double[] ns = new double[n];
        try (SocketChannel target = Harness.open(link.sinkAddress())) {
            for (int i = 0; i < n; i++) {
                try (SocketChannel feed = SocketChannel.open(sources.getLocalAddress());
                     SocketChannel source = sources.accept()) {
                    data.clear().limit(size);
                    while (data.hasRemaining()) {
                        feed.write(data);
                    }
                    feed.shutdownOutput();
                    long t0 = System.nanoTime();
                    long moved = engine.transfer(source, target);
                    ns[i] = System.nanoTime() - t0;
                    Harness.checkBytes(size, moved);
                }
            }
        } catch (IOException | RuntimeException e) {
            sink.settle();
            throw e;
        }
        sink.await();
        Harness.checkBytes((long) n * size, sink.received);
        return Stats.quantile(ns, 0.5);
    }

    private static Point point(String measure, long size, BenchBinding b, double[] ns, long ops, long calls, String ran) {
        return new Point(measure, size, b.toString(), ns.length, ops, Stats.quantile(ns, 0.5),
                Arrays.stream(ns).min().orElse(0), Arrays.stream(ns).max().orElse(0), calls, ran);
    }

    /** @return every point: per binding, the calls, then file to socket and socket to socket by size */
    List<Point> points() {
        return points;
    }

    /** @return the bindings measured, by their own names, in column order */
    List<String> bindings() {
        return bindings;
    }

    /** @return why a binding was not measured, and any transfer not served by its strategy */
    List<String> notes() {
        return notes;
    }

    /** @return the point of that measure, size and binding, or null */
    Point find(String measure, long size, String binding) {
        for (Point p : points) {
            if (p.measure.equals(measure) && p.size == size && p.binding.equals(binding)) {
                return p;
            }
        }
        return null;
    }

    /** @return bindings.csv */
    String csv() {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Point p : points) {
            sb.append(ReportWriter.csv(p.measure)).append(',').append(p.size).append(',')
                    .append(ReportWriter.csv(p.binding)).append(',').append(p.batches).append(',')
                    .append(p.opsPerBatch).append(',').append(ReportWriter.num(p.medianNs)).append(',')
                    .append(ReportWriter.num(p.minNs)).append(',').append(ReportWriter.num(p.maxNs)).append(',')
                    .append(p.downcalls).append(',').append(ReportWriter.csv(p.ran)).append('\n');
        }
        return sb.toString();
    }

    /** @return the section of summary.md: one table, a column per binding, the ratio of the second to the first */
    String markdown() {
        StringBuilder sb = new StringBuilder("\n### Small transfers by binding: jnr-ffi and java.lang.foreign\n\n");
        sb.append("Median (min-max) over ").append(points.isEmpty() ? 0 : points.get(0).batches)
                .append(" batches, bindings alternating. Calls: ").append(points.isEmpty() ? 0 : points.get(0).opsPerBatch)
                .append(" per batch; sysconf(_SC_PAGESIZE) makes no system call (the binding's own cost), getpid is the "
                + "smallest one, close(-1) fails and the binding reads errno. file->socket (sendfile): batches of "
                + "transfers on a fresh connection until the sink has the last byte. socket->socket (splice): the relay "
                + "call alone, the source's bytes and FIN already queued; a batch is the median of ")
                .append(relaysPerBatch()).append(" relays. Loopback; engines of one strategy made with the binding, "
                + "threshold 0; downcalls = calls through the binding per operation. Both bindings share this JVM (the "
                + "JMH benchmarks DowncallBenchmark and SmallTransferBenchmark fork per binding). ")
                .append(String.format(Locale.ROOT, "Took %.1f s.", seconds)).append("\n\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        if (points.isEmpty()) {
            return sb.toString();
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
        }
        boolean ratio = bindings.size() > 1;
        sb.append("| measure | size | downcalls |");
        for (String b : bindings) {
            sb.append(' ').append(b).append(" |");
        }
        sb.append(ratio ? " " + bindings.get(1) + " / " + bindings.get(0) + " |\n" : "\n");
        sb.append("|---|---:|---:|");
        for (int i = 0; i < bindings.size() + (ratio ? 1 : 0); i++) {
            sb.append("---:|");
        }
        sb.append('\n');
        row(sb, SYSCONF + ", ns/call", SYSCONF, 0, 1);
        row(sb, GETPID + ", ns/call", GETPID, 0, 1);
        row(sb, CLOSE + " (EBADF), ns/call", CLOSE, 0, 1);
        for (long s : SIZES) {
            row(sb, FILE_SOCKET + " (sendfile), \u00b5s", FILE_SOCKET, s, 1000);
        }
        for (long s : SIZES) {
            row(sb, SOCKET_SOCKET + " (splice), \u00b5s", SOCKET_SOCKET, s, 1000);
        }
        return sb.toString();
    }

    private long relaysPerBatch() {
        for (Point p : points) {
            if (p.measure.equals(SOCKET_SOCKET)) {
                return p.opsPerBatch;
            }
        }
        return 0;
    }

    private void row(StringBuilder sb, String label, String measure, long size, double unitNs) {
        Point first = find(measure, size, bindings.get(0));
        if (first == null) {
            return;
        }
        sb.append("| ").append(label).append(" | ").append(size == 0 ? "" : Options.human(size)).append(" | ")
                .append(first.downcalls).append(" |");
        String fmt = unitNs == 1 ? "%.1f (%.1f-%.1f)" : "%.2f (%.2f-%.2f)";
        for (String b : bindings) {
            Point p = find(measure, size, b);
            sb.append(' ').append(p == null ? "" : String.format(Locale.ROOT, fmt, p.medianNs / unitNs,
                    p.minNs / unitNs, p.maxNs / unitNs)).append(" |");
        }
        if (bindings.size() > 1) {
            Point p = find(measure, size, bindings.get(1));
            sb.append(p == null ? " |" : String.format(Locale.ROOT, " %.2f\u00d7 |", p.medianNs / first.medianNs));
        }
        sb.append('\n');
    }
}

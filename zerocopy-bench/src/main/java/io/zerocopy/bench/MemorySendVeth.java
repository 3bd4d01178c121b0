package io.zerocopy.bench;

import io.zerocopy.bench.timing.Readers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.linux.Linux;
import io.zerocopy.spi.TransferStrategy;

/**
 * A timing run (not a test, not JMH): memory sends ({@link TransferEngine#send}) of one direct
 * buffer, repeated until {@code MiB} (default 256) are sent, over a veth link to a receiver in
 * another network namespace (the sink pair of a {@link VethNetwork}), per buffer size (default 64 KiB, 1 MiB,
 * 16 MiB). Rows, each an engine without providers:
 * <ul>
 *   <li>{@code copy}: the core's gathering write;</li>
 *   <li>{@code vmsplice(true)}: unsafe reuse. This run never modifies the buffer, so the pages
 *       the receiver's queue still references hold the bytes sent;</li>
 *   <li>{@code vmsplice()}: safe mode, which refuses a socket whose local address is on a
 *       virtual interface (the peer may be in another namespace of this kernel, whose receive
 *       queue keeps the caller's pages after the acknowledgement) and so falls back to the
 *       gathering write; the row says what ran;</li>
 *   <li>{@code sendZc}: io_uring SEND_ZC, returning after the kernel's notification; JDK 22+
 *       with io_uring available, else skipped with the reason.</li>
 * </ul>
 * One TCP connection for the whole run; the receiver is a thread of this JVM reading it as fast
 * as it can into a 256 KiB direct buffer whose contents it discards. The rows are interleaved
 * (their order rotated each repetition), {@code reps} (default 5) runs each after a warm-up
 * round. Per run: MB/s (10^6 bytes) from the first send until the receiver has read every
 * byte; CPU seconds per GiB of the sending thread
 * ({@link ThreadMXBean#getCurrentThreadCpuTime()} around the sends), of the receiving thread
 * (until it has read every byte), and of both. Printed as median (min–max) of the repetitions,
 * with which strategy completed each send and why another fell back. Kernel
 * work done in softirq is charged to whichever thread it interrupted (veth delivers a packet
 * to the other namespace's stack on the sending CPU), and work on other tasks (ksoftirqd,
 * io_uring's workers) to neither: compare the "both" column across rows, not one thread.
 *
 * <p>Needs root (it creates a namespace and a veth pair, removed at the end, on failure and on
 * Ctrl-C). From the repository root, after
 * {@code mvn -o -q -pl zerocopy-bench -am package -DskipTests}, on JDK 22+ for the
 * {@code sendZc} row:
 * <pre>java --enable-native-access=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
 *     -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.MemorySendVeth [MiB] [reps] [sizeKiB...]</pre>
 * docs/benchmarks.md, "Memory sends over veth", quotes a run.
 */
public final class MemorySendVeth {

    private static final int[] DEFAULT_SIZES_KIB = {64, 1024, 16384};
    private static final int RECEIVE_BUFFER = 256 << 10;
    private static final long STALL_NANOS = 30_000_000_000L;
    private static final double GIB = 1L << 30;

    private MemorySendVeth() { }

    /** One row: an engine, and what its sends ended with. */
    private static final class Row implements TransferListener {
        final String label;
        final TransferEngine engine;
        final String skipped;
        final Map<String, Long> ran = new TreeMap<>();
        final Map<String, String> fellBack = new TreeMap<>();
        double[] mbps;
        double[] sendCpu;
        double[] receiveCpu;
        double[] bothCpu;

        Row(String label, TransferStrategy first, String skipped) {
            this.label = label;
            this.skipped = skipped;
            if (skipped != null) {
                engine = null;
                return;
            }
            TransferEngine.Builder b = ZeroCopy.builder().providers(false).threshold(0).listener(this);
            if (first != null) {
                b.addFirst(first);
            }
            engine = b.strategies("copy").build();
        }

        /** Called on the sending thread only. */
        @Override
        public void onComplete(TransferResult result) {
            ran.merge(result.strategy(), 1L, Long::sum);
            for (TransferResult.Attempt a : result.attempts()) {
                if (a.fallbackReason() != null) {
                    fellBack.putIfAbsent(a.strategy(), a.fallbackReason());
                }
            }
        }

        void reset(int reps) {
            ran.clear();
            fellBack.clear();
            mbps = new double[reps];
            sendCpu = new double[reps];
            receiveCpu = new double[reps];
            bothCpu = new double[reps];
        }
    }

    /**
     * @param args {@code [MiB] [reps] [sizeKiB...]}, as in the class comment
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        long total = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int[] sizes = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(s -> Integer.parseInt(s) << 10)
                .toArray() : Arrays.stream(DEFAULT_SIZES_KIB).map(k -> k << 10).toArray();
        if (total <= 0 || reps < 1) {
            throw new IllegalArgumentException("MiB and reps must be positive: " + Arrays.toString(args));
        }
        for (int size : sizes) {
            if (size <= 0 || total % size != 0) {
                throw new IllegalArgumentException("size " + size + " B must be positive and divide " + total + " B");
            }
        }
        Linux.ensureAvailability();
        String zcSkipped = Linux.ioUringAvailable() ? null
                : "io_uring unavailable: " + Linux.ioUringUnavailabilityCause();
        List<Row> rows = List.of(
                new Row("gathering write (`copy`)", null, null),
                new Row("`vmsplice(true)` (unsafe reuse)", Linux.vmsplice(true), null),
                new Row("`vmsplice()` (safe)", Linux.vmsplice(), null),
                new Row("`sendZc`", zcSkipped == null ? Linux.sendZc() : null, zcSkipped));

        System.out.printf("MemorySendVeth %s%n", String.join(" ", args));
        System.out.printf("JDK %s (%s), %s %s, binding %s, io_uring %s%n", Runtime.version(),
                System.getProperty("java.vendor"), System.getProperty("os.name"), System.getProperty("os.version"),
                Linux.binding(), zcSkipped == null ? "available" : "unavailable");
        System.out.printf("start %s, load average %s%n", now(), loadAverage());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported() || !threads.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("thread CPU time is not supported by this JVM");
        }
        threads.setThreadCpuTimeEnabled(true);
        VethNetwork net;
        try {
            net = VethNetwork.create(false);
        } catch (io.zerocopy.bench.Row.Unavailable e) {
            throw new IllegalStateException("no veth link: " + e.getMessage(), e);
        }
        try (net) {
            for (String s : net.removedStale) {
                System.out.println(s);
            }
            System.out.println("link: " + net.describe());
            run(net.sink, rows, sizes, total, reps, threads);
        }
        System.out.printf("end %s, load average %s%n", now(), loadAverage());
    }

    private static void run(VethNetwork.Pair link, List<Row> rows, int[] sizes, long total, int reps, ThreadMXBean threads)
            throws IOException, InterruptedException {
        AtomicLong received = new AtomicLong();
        try (ServerSocketChannel server = link.listen();
                SocketChannel client = SocketChannel.open()) {
            client.connect(new InetSocketAddress(link.farAddress, ((InetSocketAddress) server.getLocalAddress())
                    .getPort()));
            SocketChannel accepted = server.accept();
            Thread reader = Readers.drain(accepted, RECEIVE_BUFFER, received::addAndGet, "zcm-receiver");
            try {
                System.out.printf("%d MiB per run, %d runs per row and size after one warm-up, rows interleaved%n",
                        total >> 20, reps);
                System.out.println();
                System.out.println(
                        "| buffer | row | completed by | MB/s | sender CPU s/GiB | receiver CPU s/GiB | both |");
                System.out.println("|---|---|---|---:|---:|---:|---:|");
                List<String> notes = new ArrayList<>();
                for (int size : sizes) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(size);
                    for (int i = 0; i < size; i++) {
                        buf.put(i, (byte) (i * 31 + 7));
                    }
                    List<Row> live = new ArrayList<>();
                    for (Row r : rows) {
                        if (r.skipped == null) {
                            r.reset(reps);
                            live.add(r);
                        }
                    }
                    for (int rep = -1; rep < reps; rep++) {
                        if (rep == 0) {
                            for (Row r : live) {
                                r.ran.clear();
                                r.fellBack.clear();
                            }
                        }
                        int shift = Math.floorMod(rep, live.size());
                        for (int k = 0; k < live.size(); k++) {
                            once(live.get((k + shift) % live.size()), rep, buf, client, total, received, reader,
                                    threads);
                        }
                    }
                    for (Row r : rows) {
                        String buffer = size >= 1 << 20 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
                        if (r.skipped != null) {
                            System.out.printf("| %s | %s | skipped | | | | |%n", buffer, r.label);
                            if (!notes.contains(r.label + ": " + r.skipped)) {
                                notes.add(r.label + ": " + r.skipped);
                            }
                            continue;
                        }
                        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", buffer, r.label,
                                ran(r), spread(r.mbps, "%.0f"), spread(r.sendCpu, "%.3f"),
                                spread(r.receiveCpu, "%.3f"), spread(r.bothCpu, "%.3f"));
                        r.fellBack.forEach((s, why) -> {
                            String n = r.label + ": " + s + " fell back: " + why;
                            if (!notes.contains(n)) {
                                notes.add(n);
                            }
                        });
                    }
                }
                System.out.println();
                for (String n : notes) {
                    System.out.println("- " + n);
                }
                if (rows.stream().anyMatch(r -> r.ran.containsKey("sendZc"))) {
                    System.out.println("- sendZc's notification: the strategy does not ask for "
                            + "IORING_SEND_ZC_REPORT_USAGE, so this run cannot say whether the kernel copied");
                }
            } finally {
                accepted.close();
            }
        }
    }

    /** One run of one row: sends {@code total} bytes, then waits until the receiver has them. */
    private static void once(Row r, int rep, ByteBuffer buf, SocketChannel target, long total, AtomicLong received,
            Thread reader, ThreadMXBean threads) throws IOException, InterruptedException {
        ByteBuffer[] one = {buf};
        long start = received.get();
        long receiveCpu = threads.getThreadCpuTime(reader.getId());
        long t0 = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        for (long sent = 0; sent < total; sent += buf.capacity()) {
            buf.clear();
            long n = r.engine.send(one, target);
            if (n != buf.capacity()) {
                throw new IllegalStateException(r.label + ": send returned " + n + " of " + buf.capacity());
            }
        }
        cpu = threads.getCurrentThreadCpuTime() - cpu;
        long last = received.get();
        long progress = System.nanoTime();
        while (received.get() - start < total) {
            Thread.sleep(0, 100_000);
            long now = received.get();
            if (now != last) {
                last = now;
                progress = System.nanoTime();
            } else if (System.nanoTime() - progress > STALL_NANOS) {
                throw new IllegalStateException(r.label + ": the receiver has " + (now - start) + " of " + total
                        + " bytes and read nothing for 30 s");
            }
        }
        long nanos = System.nanoTime() - t0;
        receiveCpu = threads.getThreadCpuTime(reader.getId()) - receiveCpu;
        if (received.get() - start != total) {
            throw new IllegalStateException(r.label + ": received " + (received.get() - start) + " of " + total);
        }
        if (rep >= 0) {
            r.mbps[rep] = total / 1e6 / (nanos / 1e9);
            r.sendCpu[rep] = cpu / 1e9 / (total / GIB);
            r.receiveCpu[rep] = receiveCpu / 1e9 / (total / GIB);
            r.bothCpu[rep] = r.sendCpu[rep] + r.receiveCpu[rep];
        }
    }

    private static String ran(Row r) {
        StringBuilder sb = new StringBuilder();
        r.ran.forEach((s, n) -> sb.append(sb.length() == 0 ? "" : ", ").append('`').append(s).append("` ×").append(n));
        return sb.toString();
    }

    private static String spread(double[] v, String format) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", Readers.median(v), s[0],
                s[s.length - 1]);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS) + "";
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }
}

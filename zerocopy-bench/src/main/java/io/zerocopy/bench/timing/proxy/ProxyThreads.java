package io.zerocopy.bench.timing.proxy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.zerocopy.spi.ChannelKind;

/**
 * A timing run (not a test, not JMH) for "virtual threads and idle timeouts" and the
 * asynchronous API: a loopback TCP proxy that relays upstream to client, per client connection
 * either on a thread of its own, a virtual or a platform thread, with one
 * {@code engine.transfer(upstreamSocket, clientSocket)}, or ({@code async}) with no thread of
 * its own: the acceptor thread connects upstream and starts one
 * {@code engine.transferAsync(upstreamSocket, clientSocket)}, and both sockets are closed when
 * the transfer has stopped (socket to socket: with zerocopy-linux on the class path the default
 * engine splices; a strategy without a non-blocking form runs on the library's blocking pool).
 *
 * <p>Per row (thread kind x engine x N): an upstream server sends {@code --size} bytes (default
 * 8 MiB) of a cached file per connection (sendfile from a selector thread, as fast as the proxy
 * takes them); {@code --idle} K connections (default 8) are first opened through the proxy to an
 * upstream that sends nothing, so their proxy threads (or transfers) wait for the whole row;
 * then N client connections are opened at once and read to their end by one selector thread;
 * once they are open, {@code --probes} (default 50) extra connections are opened open-loop,
 * one every 10 ms whether or not the earlier ones got a byte, each on its own platform thread,
 * timed from before its connect to its first byte and then reset.
 * The engines are those of {@link Engines}, by name: {@code default} is
 * {@code ZeroCopy.defaultEngine()}, {@code copy} is
 * {@code ZeroCopy.builder().strategies("copy").build()}; rows are interleaved (every
 * configuration once per repetition, after one unreported warm-up row per thread kind and
 * engine with the smallest N and 1 MiB).
 *
 * <p>Reported per configuration, median and min–max over {@code --reps} (default 3): MB/s =
 * bulk bytes received by the clients / wall time from the first connect to the last byte; CPU
 * s/GiB = process CPU time (com.sun.management.OperatingSystemMXBean, so it includes the
 * upstream and client loops of this process, not only the proxy) over the same window / GiB
 * received; TTFB p50 and p99 of the probes in ms (nearest rank; with 50 probes p99 is the
 * slowest); threads used, handlers and io_uring workers as sampled by {@link ThreadSampler}
 * (threads used: the most live platform threads of the proxy, the library and the JVM, less
 * idle workers of the library's blocking pool; handlers: connection threads, or transfers in
 * flight); and the transfers by strategy path (the strategies that gave up, with their reason,
 * and the one that finished), from a listener's {@code onComplete}. A row whose bulk bytes have not all arrived within {@code --timeout} seconds
 * (default 30) is reported as {@code DID NOT FINISH (x of y bytes)}; every socket of the row is
 * then closed, every transfer cancelled, and every thread of it interrupted and joined before
 * the next row (threads still alive and transfers not stopped after 15 s are counted in the
 * CSV column {@code threads_left}). N is skipped when
 * 4 descriptors per connection (bulk, idle and probe), the pipe pool's 128 and 256 more would
 * exceed the soft limit of open files.
 *
 * <p>Every socket of the run (upstream, proxy, clients, probes) has SO_RCVBUF and SO_SNDBUF
 * fixed to {@code --sockbuf} (default 128 KiB; 0 leaves them to the kernel's autotuning): with
 * autotuned buffers 1000 loopback connections through two hops reach the kernel's TCP memory
 * limit ({@code net.ipv4.tcp_mem}), which drops segments and stalls connections for
 * retransmission timeouts of seconds, in any row. The rows' retransmission timeouts
 * (TcpExt {@code TCPTimeouts}, counted for the network namespace, so other loopback traffic
 * counts too) are reported with the results.
 *
 * <p>Virtual rows need JDK 21 or later ({@code Thread.ofVirtual()} is reached through method
 * handles, since the bench compiles for release 17); on older JDKs they are skipped with a
 * message. On loopback everything binds to the loopback address; all threads are daemons.
 *
 * <p>{@code --link veth} (root only): the same rows over a veth network that the run builds and
 * removes ({@link SplitRun}): the upstream in one network namespace and the clients, idle
 * connections and probes in another, each a child JVM ({@link PeerMain}, through
 * {@code ip netns exec}), and the proxy in the root namespace in as many child JVMs as its
 * descriptors need (the open-file limit caps one process: at 10,000 connections 3 processes
 * sharing the listening ports with SO_REUSEPORT), so both hops cross a veth pair of MTU 1500.
 * CPU is then the proxy processes' own (and, reported apart, the peers'), and a row at 10,000
 * connections or more defaults to 1 MiB per connection, 16 KiB socket buffers and a 120 s
 * timeout ({@link Options#LARGE}), printed with the row's N. The rows of one N all run on the
 * same number of proxy processes. {@code --link loopback-split} (no root needed) runs the same
 * processes over loopback, without namespaces: for N beyond what one process's descriptors
 * allow on loopback (10,000 here).
 *
 * <p>Options: {@code --conns 100,1000} (N values), {@code --threads virtual,platform,async}
 * (thread kinds), {@code --engines default,copy}, {@code --configs async/default,virtual/default,platform/copy}
 * (thread kind and engine pairs instead of every kind with every engine), {@code --link loopback|loopback-split|veth}, {@code --max} (adds 10000 when the descriptor
 * limit allows), {@code --idle 8}, {@code --size 8M} (K, M, G suffixes; 1M at 10,000 connections), {@code --probes 50},
 * {@code --reps 3}, {@code --timeout 30} (seconds per row; 120 at 10,000), {@code --sockbuf 128K} (16K at 10,000), {@code --out
 * bench-results/proxy-threads} (results.csv per row, summary.csv and summary.md per
 * configuration). The timeout default is 30 s, not 60 s, so that a run in which the default
 * engine deadlocks on virtual threads (zerocopy-linux before its epoll poller) stays under five
 * minutes with the options of that run, {@code --threads virtual,platform} (4 min 10 s on 2
 * cores; 1 min 10 s without the deadlock).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.proxy.ProxyThreads --conns 100,1000 --reps 3 --threads virtual,platform,async</pre>
 */
public final class ProxyThreads {

    /** Sockets per proxied connection in this process: the client's, the proxy's two, the upstream's. */
    private static final int FDS_PER_CONNECTION = 4;
    /** zerocopy-linux's pipe pool: at most 64 pipes of two descriptors. */
    private static final int PIPE_FDS = 128;
    /** Descriptors a process needs besides its sockets and pipes: the JVM's, the selector's, the listeners'. */
    private static final int RESERVE_FDS = 512;
    /** The most connections of a warm-up row. */
    private static final int WARM_UP_CONNS = 1000;

    private ProxyThreads() { }

    /** One row of a configuration: in this process, or over veth. */
    private interface Rows {
        Result run(Config c, long size, int probes, int timeoutSeconds) throws IOException, InterruptedException;
    }

    /**
     * @param args as in the class comment
     * @throws Exception if the run cannot be set up
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        long start = System.nanoTime();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String jdk = System.getProperty("java.vm.name") + " " + Runtime.version();
        int cores = Runtime.getRuntime().availableProcessors();
        long fdLimit = Proc.openFileLimit();
        boolean veth = o.link.equals("veth");
        boolean split = !o.link.equals("loopback");
        System.out.printf("ProxyThreads on %s, %d cores, open-file limit %s, link %s, %s, load average %s%n", jdk, cores,
                fdLimit < 0 ? "unknown" : Long.toString(fdLimit), o.link,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.RFC_1123_DATE_TIME), loadAverage());

        List<String[]> pairs = new ArrayList<>();
        for (String[] pair : o.pairs()) {
            if (Kind.named(pair[0]) == null) {
                System.out.println(pair[0] + "/" + pair[1] + " rows skipped: Thread.ofVirtual() needs JDK 21 or later, this is JDK "
                        + Runtime.version().feature());
            } else {
                pairs.add(pair);
            }
        }
        Set<String> engines = new LinkedHashSet<>();
        pairs.forEach(p -> engines.add(p[1]));
        for (String e : engines) {
            System.out.println("socket->socket plan of engine " + e + ": "
                    + Engines.get(e).strategies(ChannelKind.SOCKET, ChannelKind.SOCKET));
        }

        List<Config> configs = new ArrayList<>();
        int maxProcesses = 1;
        long maxSize = 1L << 20;
        for (int n : o.conns) {
            int perConnection = n + o.idle + o.probes;
            int processes = 1;
            if (split) {
                processes = SplitRun.processesFor(perConnection, fdLimit, PIPE_FDS + RESERVE_FDS);
                if (fdLimit >= 0 && perConnection + RESERVE_FDS > fdLimit) {
                    System.out.printf("N=%d skipped: the clients' and the upstream's processes need about %d descriptors"
                            + " each, the open-file limit (ulimit -n) is %d%n", n, perConnection + RESERVE_FDS, fdLimit);
                    continue;
                }
            } else {
                long needed = FDS_PER_CONNECTION * (long) perConnection + PIPE_FDS + Proc.openFiles() + 256;
                if (fdLimit >= 0 && needed > fdLimit) {
                    System.out.printf("N=%d skipped: needs about %d descriptors, the open-file limit (ulimit -n) is %d%s%n",
                            n, needed, fdLimit, " (--link loopback-split or veth run the proxy in processes of its own)");
                    continue;
                }
            }
            maxProcesses = Math.max(maxProcesses, processes);
            maxSize = Math.max(maxSize, o.size(n));
            System.out.printf("N=%d: %s per connection, socket buffers %s, timeout %d s, %s%n", n, Units.human(o.size(n)),
                    o.sockBuf(n) == 0 ? "autotuned" : Units.human(o.sockBuf(n)), o.timeoutSeconds(n),
                    !split ? "proxy, upstream and clients in this process over loopback"
                            : processes == 1 ? "1 proxy process"
                            : processes + " proxy processes sharing the listening ports (SO_REUSEPORT): a proxied connection"
                                    + " holds up to " + SplitRun.FDS_PER_CONNECTION + " descriptors in the proxy (2 sockets"
                                    + " and zerocopy-linux's duplicates of them during a transfer), so " + n
                                    + " connections need about " + SplitRun.FDS_PER_CONNECTION * perConnection
                                    + ", more than one process may open (" + fdLimit + ")");
            for (String[] pair : pairs) {
                configs.add(new Config(Kind.named(pair[0]), pair[1], n, o.size(n), o.sockBuf(n), o.timeoutSeconds(n),
                        processes));
            }
        }
        if (configs.isEmpty()) {
            System.out.println("nothing to run");
            return;
        }
        System.out.printf("configurations %s, %d idle, %d probes, %d reps%n", labels(pairs), o.idle, o.probes, o.reps);

        if (split) {
            try (SplitRun run = SplitRun.start(veth, maxProcesses, maxSize)) {
                if (veth) {
                    run.links.removedStale().forEach(System.out::println);
                    System.out.println("link: " + run.links.describe() + "; upstream in the feeder's namespace, clients,"
                            + " idle connections and probes in the sink's, " + maxProcesses
                            + " proxy process(es) in the root namespace");
                } else {
                    System.out.println("link: loopback; upstream, clients and " + maxProcesses
                            + " proxy process(es) each a process of its own");
                }
                runAll(configs, pairs, o, maxProcesses, (c, size, probes, timeout) -> run.run(c, size, o.idle, probes, timeout));
                if (veth) {
                    System.out.println(run.links.traffic());
                }
            }
        } else {
            Path file = Files.createTempFile("zerocopy-proxy-threads", ".bin");
            try (FileChannel data = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                DataFile.fill(data, maxSize);
                runAll(configs, pairs, o, 1, (c, size, probes, timeout) -> {
                    Sockets.bufferBytes(c.sockBuf);
                    return Row.run(c, data, size, o.idle, probes, timeout, os);
                });
            } finally {
                Files.deleteIfExists(file);
            }
        }
        String md = Table.markdown(configs, o, jdk, cores);
        System.out.println();
        System.out.print(md);
        Files.createDirectories(o.out);
        Files.writeString(o.out.resolve("summary.md"), md, StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("results.csv"), Csv.results(configs, o, jdk), StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("summary.csv"), Csv.summary(configs, o, jdk), StandardCharsets.UTF_8);
        System.out.printf("wrote %s (results.csv, summary.csv, summary.md); total %.0f s; %s, load average %s%n",
                o.out.toAbsolutePath(), (System.nanoTime() - start) / 1e9,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.RFC_1123_DATE_TIME), loadAverage());
    }

    /**
     * One unreported warm-up row per configuration pair (at most {@value #WARM_UP_CONNS}
     * connections of 1 MiB, on every proxy process), then every configuration once per rep.
     */
    private static void runAll(List<Config> configs, List<String[]> pairs, Options o, int processes, Rows rows)
            throws IOException, InterruptedException {
        int warmConns = WARM_UP_CONNS;
        for (Config c : configs) {
            warmConns = Math.min(warmConns, c.conns);
        }
        for (String[] pair : pairs) {
            Config c = new Config(Kind.named(pair[0]), pair[1], warmConns, Math.min(o.size(warmConns), 1L << 20),
                    o.sockBuf(warmConns), Math.min(o.timeoutSeconds(warmConns), 10), processes);
            Result r = rows.run(c, c.size, Math.min(o.probes, 10), c.timeoutSeconds);
            System.out.printf("warm-up  %-28s %s, %.2f s%n", c.label(), r.status(), r.wallSeconds);
        }
        for (int rep = 0; rep < o.reps; rep++) {
            for (Config c : configs) {
                Result r = rows.run(c, c.size, o.probes, c.timeoutSeconds);
                r.rep = rep;
                c.results.add(r);
                System.out.printf("rep %d    %-28s %s, %s MB/s, %s CPU s/GiB%s, TTFB p50 %s p99 %s ms (%d/%d probes, %d during load),"
                        + " idle up %d/%d, handler errors %d%s, threads left %d, fds %d, TCP RTOs %d, memory pressures %d, rcvq drops %d,"
                        + " threads used %d (before %d, live %d), handlers %d, tasks %d, iou- %d%s%n",
                        rep, c.label(), r.status(), fmt("%.0f", r.mbps()), fmt("%.2f", r.cpuPerGib()),
                        r.proxyProcesses > 1 || !Double.isNaN(r.peerCpuSeconds) ? " in " + r.proxyProcesses
                                + " proxy process(es) (peers " + fmt("%.2f", r.peerCpuPerGib()) + ")" : "",
                        ms(r.ttfbP50), ms(r.ttfbP99), r.probesOk,
                        r.probesTotal, r.probesInLoad, r.idleUp, o.idle, r.handlerErrors,
                        r.firstError.isEmpty() ? "" : " (" + r.firstError + ")", r.threadsLeft, r.fdsAfter,
                        r.tcpTimeouts, r.tcpMemoryPressures, r.tcpRcvQDrops, r.threadsUsedPeak, r.threadsAtStart,
                        r.threadsLivePeak, r.handlersPeak, r.tasksPeak, r.iouPeak,
                        r.finishedBy.isEmpty() ? "" : ", finished by " + r.finishedBy);
            }
        }
    }

    private static String labels(List<String[]> pairs) {
        List<String> l = new ArrayList<>();
        pairs.forEach(p -> l.add(p[0] + "/" + p[1]));
        return String.join(", ", l);
    }

    /** @return the 1, 5 and 15 minute load averages, or "unknown" */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String ms(double v) {
        return fmt("%.1f", v);
    }

    private static String fmt(String format, double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
    }
}

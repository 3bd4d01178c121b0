package io.zerocopy.bench.timing.proxy;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
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
 * The engines are {@code ZeroCopy.defaultEngine()} and
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
 * message. Everything binds to the loopback address only; all threads are daemons.
 *
 * <p>Options: {@code --conns 100,1000} (N values), {@code --threads virtual,platform,async}
 * (thread kinds), {@code --engines default,copy}, {@code --max} (adds 10000 when the descriptor
 * limit allows), {@code --idle 8}, {@code --size 8M} (K, M, G suffixes), {@code --probes 50},
 * {@code --reps 3}, {@code --timeout 30} (seconds per row), {@code --sockbuf 128K}, {@code --out
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

    private ProxyThreads() { }

    /**
     * @param args as in the class comment
     * @throws Exception if the run cannot be set up
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Sockets.bufferBytes(o.sockBuf);
        long start = System.nanoTime();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String jdk = System.getProperty("java.vm.name") + " " + Runtime.version();
        int cores = Runtime.getRuntime().availableProcessors();
        long fdLimit = Proc.openFileLimit();
        System.out.printf("ProxyThreads on %s, %d cores, open-file limit %s, %s%n", jdk, cores,
                fdLimit < 0 ? "unknown" : Long.toString(fdLimit), ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));

        List<Kind> kinds = new ArrayList<>();
        if (o.threads.contains("virtual")) {
            Kind virtual = Kind.virtual();
            if (virtual != null) {
                kinds.add(virtual);
            } else {
                System.out.println("virtual rows skipped: Thread.ofVirtual() needs JDK 21 or later, this is JDK "
                        + Runtime.version().feature());
            }
        }
        if (o.threads.contains("platform")) {
            kinds.add(Kind.platform());
        }
        if (o.threads.contains("async")) {
            kinds.add(Kind.async());
        }
        TransferEngine defaultEngine = ZeroCopy.defaultEngine();
        TransferEngine copyEngine = ZeroCopy.builder().strategies("copy").build();
        System.out.println("socket->socket plan: default " + defaultEngine.strategies(ChannelKind.SOCKET, ChannelKind.SOCKET)
                + ", copy " + copyEngine.strategies(ChannelKind.SOCKET, ChannelKind.SOCKET));

        List<Integer> conns = new ArrayList<>();
        for (int n : o.conns) {
            long needed = FDS_PER_CONNECTION * (long) (n + o.idle + o.probes) + PIPE_FDS + Proc.openFiles() + 256;
            if (fdLimit >= 0 && needed > fdLimit) {
                System.out.printf("N=%d skipped: needs about %d descriptors, the open-file limit (ulimit -n) is %d%n",
                        n, needed, fdLimit);
            } else {
                conns.add(n);
            }
        }
        if (conns.isEmpty()) {
            System.out.println("nothing to run");
            return;
        }
        List<Config> configs = new ArrayList<>();
        for (int n : conns) {
            for (Kind k : kinds) {
                for (String e : o.engines) {
                    configs.add(new Config(k, e, e.equals("default") ? defaultEngine : copyEngine, n));
                }
            }
        }
        System.out.printf("threads %s, engines %s, size %d bytes per connection, %d idle, %d probes, %d reps, timeout %d s per row,"
                + " N %s, socket buffers %s%n", o.threads, o.engines, o.size, o.idle, o.probes, o.reps, o.timeoutSeconds, conns, o.sockBuf == 0 ? "autotuned" : Units.human(o.sockBuf));

        Path file = Files.createTempFile("zerocopy-proxy-threads", ".bin");
        try (FileChannel data = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            byte[] block = new byte[1 << 20];
            new Random(1).nextBytes(block);
            for (long at = 0; at < o.size; at += block.length) {
                data.write(ByteBuffer.wrap(block, 0, (int) Math.min(block.length, o.size - at)), at);
            }
            data.force(false);
            int minConns = conns.get(0);
            for (int n : conns) {
                minConns = Math.min(minConns, n);
            }
            for (Kind k : kinds) {
                for (String e : o.engines) {
                    Config c = new Config(k, e, e.equals("default") ? defaultEngine : copyEngine, minConns);
                    Result r = Row.run(c, data, Math.min(o.size, 1L << 20), o.idle, Math.min(o.probes, 10),
                            Math.min(o.timeoutSeconds, 10), os);
                    System.out.printf("warm-up  %-28s %s, %.2f s%n", c.label(), r.status(), r.wallSeconds);
                }
            }
            for (int rep = 0; rep < o.reps; rep++) {
                for (Config c : configs) {
                    Result r = Row.run(c, data, o.size, o.idle, o.probes, o.timeoutSeconds, os);
                    r.rep = rep;
                    c.results.add(r);
                    System.out.printf("rep %d    %-28s %s, %s MB/s, %s CPU s/GiB, TTFB p50 %s p99 %s ms (%d/%d probes, %d during load),"
                            + " idle up %d/%d, handler errors %d%s, threads left %d, fds %d, TCP RTOs %d, memory pressures %d, rcvq drops %d,"
                            + " threads used %d (before %d, live %d), handlers %d, tasks %d, iou- %d%s%n",
                            rep, c.label(), r.status(), fmt("%.0f", r.mbps()), fmt("%.2f", r.cpuPerGib()), ms(r.ttfbP50), ms(r.ttfbP99), r.probesOk,
                            r.probesTotal, r.probesInLoad, r.idleUp, o.idle, r.handlerErrors,
                            r.firstError.isEmpty() ? "" : " (" + r.firstError + ")", r.threadsLeft, r.fdsAfter,
                            r.tcpTimeouts, r.tcpMemoryPressures, r.tcpRcvQDrops, r.threadsUsedPeak, r.threadsAtStart,
                            r.threadsLivePeak, r.handlersPeak, r.tasksPeak, r.iouPeak,
                            r.finishedBy.isEmpty() ? "" : ", finished by " + r.finishedBy);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        String md = Table.markdown(configs, o, jdk, cores);
        System.out.println();
        System.out.print(md);
        Files.createDirectories(o.out);
        Files.writeString(o.out.resolve("summary.md"), md, StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("results.csv"), Csv.results(configs, o, jdk), StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("summary.csv"), Csv.summary(configs, o, jdk), StandardCharsets.UTF_8);
        System.out.printf("wrote %s (results.csv, summary.csv, summary.md); total %.0f s%n", o.out.toAbsolutePath(),
                (System.nanoTime() - start) / 1e9);
    }

    private static String ms(double v) {
        return fmt("%.1f", v);
    }

    private static String fmt(String format, double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
    }
}

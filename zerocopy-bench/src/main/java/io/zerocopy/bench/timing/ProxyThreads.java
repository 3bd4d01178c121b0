package io.zerocopy.bench.timing;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.ChannelKind;

/**
 * A timing run (not a test, not JMH) for "virtual threads and idle timeouts": a loopback TCP
 * proxy that serves each client connection on its own thread, a virtual or a platform thread,
 * and relays upstream to client with one {@code engine.transfer(upstreamSocket, clientSocket)}
 * (socket to socket: with zerocopy-linux on the class path the default engine splices).
 *
 * <p>Per row (thread kind x engine x N): an upstream server sends {@code --size} bytes (default
 * 8 MiB) of a cached file per connection (sendfile from a selector thread, as fast as the proxy
 * takes them); {@code --idle} K connections (default 8) are first opened through the proxy to an
 * upstream that sends nothing, so their proxy threads wait inside {@code transfer} for the
 * whole row; then N client connections are opened at once and read to their end by one
 * selector thread; once they are open, {@code --probes} (default 50) extra connections are
 * opened open-loop, one every 10 ms whether or not the earlier ones got a byte, each on its own
 * platform thread, timed from before its connect to its first byte and then reset.
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
 * slowest). A row whose bulk bytes have not all arrived within {@code --timeout} seconds
 * (default 30) is reported as {@code DID NOT FINISH (x of y bytes)}; every socket of the row is
 * then closed and every thread of it interrupted and joined before the next row (threads still
 * alive after 15 s are counted in the CSV column {@code threads_left}). N is skipped when
 * 6 descriptors per connection would exceed the soft limit of open files.
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
 * <p>Options: {@code --conns 100,1000} (N values), {@code --max} (adds 10000 when the descriptor
 * limit allows), {@code --idle 8}, {@code --size 8M} (K, M, G suffixes), {@code --probes 50},
 * {@code --reps 3}, {@code --timeout 30} (seconds per row), {@code --sockbuf 128K}, {@code --out
 * bench-results/proxy-threads} (results.csv per row, summary.csv and summary.md per
 * configuration). The timeout default is 30 s, not 60 s, so that a run in which the default
 * engine deadlocks on virtual threads (zerocopy-linux before its epoll poller) stays under five
 * minutes with the default options (4 min 10 s on 2 cores; 1 min 10 s without the deadlock).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.ProxyThreads --conns 100,1000 --reps 3</pre>
 */
public final class ProxyThreads {

    private static final int MAX_CONNS = 10_000;
    private static final int FDS_PER_CONNECTION = 6;
    private static final long PROBE_GAP_NANOS = 10_000_000L;
    private static final long JOIN_MILLIS = 15_000;
    private static final int READ_BUFFER = 256 << 10;
    /** Most bytes the upstream sends to one connection per turn of its loop, so that a new connection waits little. */
    private static final long SEND_CHUNK = 64 << 10;

    /** SO_RCVBUF and SO_SNDBUF of every socket of the run ({@code --sockbuf}); 0 for the kernel's autotuning. */
    private static int sockBuf = 128 << 10;

    private ProxyThreads() { }

    /** The options, as in the class comment. */
    private static final class Options {
        List<Integer> conns = new ArrayList<>(List.of(100, 1000));
        int idle = 8;
        long size = 8L << 20;
        int probes = 50;
        int reps = 3;
        int timeoutSeconds = 30;
        Path out = Path.of("bench-results", "proxy-threads");
        boolean max;
        int sockBuf = 128 << 10;

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
                    case "--idle":
                        o.idle = Integer.parseInt(v);
                        if (o.idle < 0) {
                            throw new IllegalArgumentException("--idle must be >= 0");
                        }
                        break;
                    case "--size":
                        o.size = positive(a, bytes(v));
                        break;
                    case "--probes":
                        o.probes = Integer.parseInt(v);
                        if (o.probes < 0) {
                            throw new IllegalArgumentException("--probes must be >= 0");
                        }
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
                        o.sockBuf = Math.toIntExact(bytes(v));
                        if (o.sockBuf < 0) {
                            throw new IllegalArgumentException("--sockbuf must be >= 0");
                        }
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a
                                + " (--conns 100,1000 --idle 8 --size 8M --probes 50 --reps 3 --timeout 30 --sockbuf 128K --out DIR --max)");
                }
            }
            if (o.max && !o.conns.contains(MAX_CONNS)) {
                o.conns.add(MAX_CONNS);
            }
            return o;
        }

        private static <T extends Number> T positive(String option, T value) {
            if (value.longValue() <= 0) {
                throw new IllegalArgumentException(option + " must be positive");
            }
            return value;
        }

        private static long bytes(String v) {
            String s = v.trim().toUpperCase(Locale.ROOT);
            int shift = 0;
            if (s.endsWith("K") || s.endsWith("M") || s.endsWith("G")) {
                shift = "KMG".indexOf(s.charAt(s.length() - 1)) * 10 + 10;
                s = s.substring(0, s.length() - 1);
            }
            return Long.parseLong(s) << shift;
        }
    }

    /** One thread kind: how the proxy starts a connection's thread. */
    private static final class Kind {
        final String name;
        final ThreadFactory factory;

        Kind(String name, ThreadFactory factory) {
            this.name = name;
            this.factory = factory;
        }
    }

    /** One configuration: thread kind, engine, N. */
    private static final class Config {
        final Kind kind;
        final String engineName;
        final TransferEngine engine;
        final int conns;
        final List<Result> results = new ArrayList<>();

        Config(Kind kind, String engineName, TransferEngine engine, int conns) {
            this.kind = kind;
            this.engineName = engineName;
            this.engine = engine;
            this.conns = conns;
        }

        String label() {
            return kind.name + " / " + engineName + " / " + conns;
        }
    }

    /** What one row measured. */
    private static final class Result {
        int rep;
        boolean finished;
        long bytes;
        long expected;
        int shortConnections;
        double wallSeconds;
        double cpuSeconds;
        int idleUp;
        int probesOk;
        int probesInLoad;
        int probesTotal;
        double ttfbP50 = Double.NaN;
        double ttfbP99 = Double.NaN;
        long handlerErrors;
        String firstError = "";
        int threadsLeft;
        long fdsAfter;
        String rowError = "";
        long tcpTimeouts;
        long tcpMemoryPressures;
        long tcpRcvQDrops;

        double mbps() {
            return finished ? bytes / 1e6 / wallSeconds : Double.NaN;
        }

        double cpuPerGib() {
            return finished && bytes > 0 ? cpuSeconds / (bytes / (double) (1L << 30)) : Double.NaN;
        }

        String status() {
            if (!finished) {
                return "DID NOT FINISH (" + bytes + " of " + expected + " bytes)"
                        + (rowError.isEmpty() ? "" : ": " + rowError);
            }
            return shortConnections == 0 ? "ok" : "SHORT (" + bytes + " of " + expected + " bytes)";
        }
    }

    /**
     * @param args as in the class comment
     * @throws Exception if the run cannot be set up
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        sockBuf = o.sockBuf;
        long start = System.nanoTime();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String jdk = System.getProperty("java.vm.name") + " " + Runtime.version();
        int cores = Runtime.getRuntime().availableProcessors();
        long fdLimit = openFileLimit();
        System.out.printf("ProxyThreads on %s, %d cores, open-file limit %s, %s%n", jdk, cores,
                fdLimit < 0 ? "unknown" : Long.toString(fdLimit), ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));

        List<Kind> kinds = new ArrayList<>();
        ThreadFactory virtual = virtualThreadFactory();
        if (virtual != null) {
            kinds.add(new Kind("virtual", virtual));
        } else {
            System.out.println("virtual rows skipped: Thread.ofVirtual() needs JDK 21 or later, this is JDK "
                    + Runtime.version().feature());
        }
        kinds.add(new Kind("platform", r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }));
        TransferEngine defaultEngine = ZeroCopy.defaultEngine();
        TransferEngine copyEngine = ZeroCopy.builder().strategies("copy").build();
        System.out.println("socket->socket plan: default " + defaultEngine.strategies(ChannelKind.SOCKET, ChannelKind.SOCKET)
                + ", copy " + copyEngine.strategies(ChannelKind.SOCKET, ChannelKind.SOCKET));

        List<Integer> conns = new ArrayList<>();
        for (int n : o.conns) {
            long needed = FDS_PER_CONNECTION * (long) (n + o.idle + 2) + openFiles() + 256;
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
                configs.add(new Config(k, "default", defaultEngine, n));
                configs.add(new Config(k, "copy", copyEngine, n));
            }
        }
        System.out.printf("size %d bytes per connection, %d idle, %d probes, %d reps, timeout %d s per row, N %s, socket buffers %s%n",
                o.size, o.idle, o.probes, o.reps, o.timeoutSeconds, conns, o.sockBuf == 0 ? "autotuned" : human(o.sockBuf));

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
                for (int e = 0; e < 2; e++) {
                    Config c = new Config(k, e == 0 ? "default" : "copy", e == 0 ? defaultEngine : copyEngine, minConns);
                    Result r = runRow(c, data, Math.min(o.size, 1L << 20), o.idle, Math.min(o.probes, 10),
                            Math.min(o.timeoutSeconds, 10), os);
                    System.out.printf("warm-up  %-28s %s, %.2f s%n", c.label(), r.status(), r.wallSeconds);
                }
            }
            for (int rep = 0; rep < o.reps; rep++) {
                for (Config c : configs) {
                    Result r = runRow(c, data, o.size, o.idle, o.probes, o.timeoutSeconds, os);
                    r.rep = rep;
                    c.results.add(r);
                    System.out.printf("rep %d    %-28s %s, %s MB/s, %s CPU s/GiB, TTFB p50 %s p99 %s ms (%d/%d probes, %d during load),"
                            + " idle up %d/%d, handler errors %d%s, threads left %d, fds %d, TCP RTOs %d, memory pressures %d, rcvq drops %d%n",
                            rep, c.label(), r.status(), fmt("%.0f", r.mbps()), fmt("%.2f", r.cpuPerGib()), ms(r.ttfbP50), ms(r.ttfbP99), r.probesOk,
                            r.probesTotal, r.probesInLoad, r.idleUp, o.idle, r.handlerErrors,
                            r.firstError.isEmpty() ? "" : " (" + r.firstError + ")", r.threadsLeft, r.fdsAfter,
                            r.tcpTimeouts, r.tcpMemoryPressures, r.tcpRcvQDrops);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        String md = markdown(configs, o, jdk, cores);
        System.out.println();
        System.out.print(md);
        Files.createDirectories(o.out);
        Files.writeString(o.out.resolve("summary.md"), md, StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("results.csv"), resultsCsv(configs, o, jdk), StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("summary.csv"), summaryCsv(configs, o, jdk), StandardCharsets.UTF_8);
        System.out.printf("wrote %s (results.csv, summary.csv, summary.md); total %.0f s%n", o.out.toAbsolutePath(),
                (System.nanoTime() - start) / 1e9);
    }

    /** Runs one row with a deadline and closes everything it opened, whatever happened. */
    private static Result runRow(Config c, FileChannel data, long size, int idle, int probes, int timeoutSeconds,
            com.sun.management.OperatingSystemMXBean os) throws IOException, InterruptedException {
        Result r = new Result();
        Map<String, Long> tcp0 = tcpCounters();
        r.expected = size * c.conns;
        r.probesTotal = probes;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int backlog = c.conns + idle + probes + 64;
        Upstream upstream = new Upstream(data, size, backlog);
        Proxy proxy = null;
        Clients clients = null;
        Probes prober = null;
        List<SocketChannel> idleClients = new ArrayList<>();
        try {
            proxy = new Proxy(c.kind.factory, c.engine, upstream, backlog);
            clients = new Clients(c.conns, size);
            for (int i = 0; i < idle; i++) {
                idleClients.add(connect(proxy.idleAddress()));
            }
            long idleWait = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            while (upstream.idleAccepted.get() < idle && System.nanoTime() < idleWait) {
                Thread.sleep(1);
            }
            r.idleUp = upstream.idleAccepted.get();
            Thread.sleep(50); // the idle connections' proxy threads enter their wait
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < c.conns; i++) {
                clients.add(connect(proxy.bulkAddress()));
            }
            prober = new Probes(proxy.probeAddress(), probes, deadline, clients.done);
            boolean finished = clients.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            long cpu1 = os.getProcessCpuTime();
            prober.await();
            r.finished = finished;
            r.bytes = clients.bytes.get();
            r.shortConnections = clients.shortConnections.get();
            r.wallSeconds = ((finished ? clients.lastByteNanos : System.nanoTime()) - t0) / 1e9;
            r.cpuSeconds = (cpu1 - cpu0) / 1e9;
        } catch (IOException e) {
            r.bytes = clients == null ? 0 : clients.bytes.get();
            r.rowError = e.toString();
        } finally {
            if (prober != null) {
                prober.close();
                r.probesOk = prober.ok();
                r.probesInLoad = prober.inLoad();
                r.ttfbP50 = prober.percentile(0.50);
                r.ttfbP99 = prober.percentile(0.99);
            }
            closeQuietly(clients);
            for (SocketChannel ch : idleClients) {
                closeQuietly(ch);
            }
            if (proxy != null) {
                r.threadsLeft = proxy.shutdown();
                r.handlerErrors = proxy.errors.get();
                r.firstError = proxy.firstError.get() == null ? "" : proxy.firstError.get();
            }
            closeQuietly(upstream);
            r.fdsAfter = openFiles();
            Map<String, Long> tcp1 = tcpCounters();
            r.tcpTimeouts = delta(tcp0, tcp1, "TCPTimeouts");
            r.tcpMemoryPressures = delta(tcp0, tcp1, "TCPMemoryPressures");
            r.tcpRcvQDrops = delta(tcp0, tcp1, "TCPRcvQDrop");
        }
        return r;
    }

    /**
     * The upstream server: one listener whose connections each get {@code size} bytes of the
     * file (sendfile, non-blocking, at most {@link #SEND_CHUNK} per connection per turn, from one
     * selector thread) and are then closed; one whose
     * connections get nothing and are held until the row ends.
     */
    private static final class Upstream implements Closeable {
        final ServerSocketChannel bulk;
        final ServerSocketChannel idle;
        final AtomicInteger idleAccepted = new AtomicInteger();
        private final Selector selector;
        private final FileChannel data;
        private final long size;
        private final List<SocketChannel> held = new ArrayList<>();
        private final Thread loop;
        private volatile boolean running = true;

        Upstream(FileChannel data, long size, int backlog) throws IOException {
            this.data = data;
            this.size = size;
            selector = Selector.open();
            bulk = listen(backlog);
            idle = listen(backlog);
            bulk.configureBlocking(false).register(selector, SelectionKey.OP_ACCEPT);
            idle.configureBlocking(false).register(selector, SelectionKey.OP_ACCEPT);
            loop = daemon(this::run, "upstream");
        }

        private void run() {
            try {
                while (running) {
                    selector.select(100);
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept((ServerSocketChannel) key.channel());
                        } else if (key.isWritable()) {
                            send(key);
                        }
                    }
                }
            } catch (IOException e) {
                if (running) {
                    System.out.println("upstream loop failed: " + e);
                }
            }
        }

        private void accept(ServerSocketChannel server) throws IOException {
            SocketChannel ch;
            while ((ch = server.accept()) != null) {
                buffers(ch);
                if (server == bulk) {
                    ch.configureBlocking(false);
                    ch.register(selector, SelectionKey.OP_WRITE, new long[1]);
                } else {
                    held.add(ch);
                    idleAccepted.incrementAndGet();
                }
            }
        }

        private void send(SelectionKey key) {
            SocketChannel ch = (SocketChannel) key.channel();
            long[] sent = (long[]) key.attachment();
            try {
                sent[0] += data.transferTo(sent[0], Math.min(SEND_CHUNK, size - sent[0]), ch);
                if (sent[0] < size) {
                    return;
                }
            } catch (IOException e) {
                // the proxy closed (a probe's connection, or the end of the row)
            }
            key.cancel();
            closeQuietly(ch);
        }

        @Override
        public void close() {
            running = false;
            selector.wakeup();
            join(loop);
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key.channel());
            }
            for (SocketChannel ch : held) {
                closeQuietly(ch);
            }
            closeQuietly(bulk);
            closeQuietly(idle);
            closeQuietly(selector);
        }
    }

    /**
     * The proxy: three listeners (bulk, idle and probe connections; the first and last relay
     * from the upstream's bulk listener, the second from its idle one), each with a platform
     * acceptor thread that starts one thread of the row's kind per connection.
     */
    private static final class Proxy {
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        private final ThreadFactory threads;
        private final TransferEngine engine;
        private final ServerSocketChannel bulk;
        private final ServerSocketChannel idle;
        private final ServerSocketChannel probe;
        private final List<Thread> acceptors = new ArrayList<>();
        private final Queue<Thread> handlers = new ConcurrentLinkedQueue<>();
        private final Queue<SocketChannel> channels = new ConcurrentLinkedQueue<>();
        private volatile boolean closing;

        Proxy(ThreadFactory threads, TransferEngine engine, Upstream upstream, int backlog) throws IOException {
            this.threads = threads;
            this.engine = engine;
            bulk = listen(backlog);
            idle = listen(backlog);
            probe = listen(backlog);
            acceptors.add(daemon(() -> accept(bulk, address(upstream.bulk), true), "proxy-accept-bulk"));
            acceptors.add(daemon(() -> accept(idle, address(upstream.idle), true), "proxy-accept-idle"));
            acceptors.add(daemon(() -> accept(probe, address(upstream.bulk), false), "proxy-accept-probe"));
        }

        InetSocketAddress bulkAddress() {
            return address(bulk);
        }

        InetSocketAddress idleAddress() {
            return address(idle);
        }

        InetSocketAddress probeAddress() {
            return address(probe);
        }

        private void accept(ServerSocketChannel server, InetSocketAddress upstream, boolean countErrors) {
            try {
                while (true) {
                    SocketChannel client = server.accept();
                    buffers(client);
                    track(client);
                    Thread t = threads.newThread(() -> relay(client, upstream, countErrors));
                    handlers.add(t);
                    t.start();
                }
            } catch (IOException e) {
                // the listener was closed at the end of the row
            }
        }

        /** One connection's thread: connect upstream, one transfer, close both. */
        private void relay(SocketChannel client, InetSocketAddress upstream, boolean countErrors) {
            SocketChannel up = null;
            try {
                up = SocketChannel.open();
                track(up);
                buffers(up);
                up.connect(upstream);
                engine.transfer(up, client);
            } catch (IOException | RuntimeException e) {
                if (countErrors && !closing) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e.toString());
                }
            } finally {
                closeQuietly(up);
                closeQuietly(client);
            }
        }

        /** Registers a channel for the end of the row; closes it now if the row is ending. */
        private void track(SocketChannel ch) {
            channels.add(ch);
            if (closing) {
                closeQuietly(ch);
            }
        }

        /**
         * Closes the listeners and every channel, interrupts every connection thread and joins
         * them for at most {@value #JOIN_MILLIS} ms in all.
         *
         * @return the threads still alive
         */
        int shutdown() {
            closing = true;
            closeQuietly(bulk);
            closeQuietly(idle);
            closeQuietly(probe);
            for (Thread t : acceptors) {
                join(t);
            }
            for (SocketChannel ch : channels) {
                closeQuietly(ch);
            }
            for (Thread t : handlers) {
                t.interrupt();
            }
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
            int alive = 0;
            for (Thread t : handlers) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                try {
                    if (left > 0) {
                        t.join(left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (t.isAlive()) {
                    alive++;
                }
            }
            return alive;
        }
    }

    /** The N bulk clients: one selector thread reads every connection to its end. */
    private static final class Clients implements Closeable {
        final AtomicLong bytes = new AtomicLong();
        final AtomicInteger shortConnections = new AtomicInteger();
        final CountDownLatch done;
        volatile long lastByteNanos;
        private final long size;
        private final Selector selector;
        private final Queue<SocketChannel> pending = new ConcurrentLinkedQueue<>();
        private final List<SocketChannel> all = new ArrayList<>();
        private final Thread loop;
        private volatile boolean running = true;

        Clients(int n, long size) throws IOException {
            this.size = size;
            done = new CountDownLatch(n);
            selector = Selector.open();
            loop = daemon(this::run, "clients");
        }

        void add(SocketChannel ch) throws IOException {
            all.add(ch);
            ch.configureBlocking(false);
            pending.add(ch);
            selector.wakeup();
        }

        private void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER);
            try {
                while (running) {
                    selector.select(100);
                    SocketChannel ch;
                    while ((ch = pending.poll()) != null) {
                        ch.register(selector, SelectionKey.OP_READ, new long[1]);
                    }
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (key.isValid() && key.isReadable()) {
                            read(key, buf);
                        }
                    }
                }
            } catch (IOException e) {
                if (running) {
                    System.out.println("client loop failed: " + e);
                }
            }
        }

        private void read(SelectionKey key, ByteBuffer buf) {
            SocketChannel ch = (SocketChannel) key.channel();
            long[] got = (long[]) key.attachment();
            int n;
            try {
                while ((n = ch.read(buf)) > 0) {
                    got[0] += n;
                    bytes.addAndGet(n);
                    buf.clear();
                }
            } catch (IOException e) {
                n = -1;
            }
            buf.clear();
            if (n < 0) {
                key.cancel();
                closeQuietly(ch);
                if (got[0] != size) {
                    shortConnections.incrementAndGet();
                }
                lastByteNanos = System.nanoTime();
                done.countDown();
            }
        }

        @Override
        public void close() {
            running = false;
            selector.wakeup();
            join(loop);
            for (SocketChannel ch : all) {
                closeQuietly(ch);
            }
            closeQuietly(selector);
        }
    }

    /**
     * The probes, open-loop: a scheduler thread starts one probe thread every 10 ms, whether or
     * not the earlier probes got their byte; each times its connection from before the connect
     * to the first byte (blocking, bounded by the row's deadline) and then resets it.
     */
    private static final class Probes implements Closeable {
        final Thread thread;
        private final double[] ttfb;
        private final boolean[] during;
        private final Thread[] probes;
        private final Socket[] sockets;
        private final InetSocketAddress address;
        private final long deadline;
        private final CountDownLatch load;
        private volatile boolean stopped;

        Probes(InetSocketAddress address, int count, long deadline, CountDownLatch load) {
            this.address = address;
            this.deadline = deadline;
            this.load = load;
            ttfb = new double[count];
            Arrays.fill(ttfb, Double.NaN);
            during = new boolean[count];
            probes = new Thread[count];
            sockets = new Socket[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new Socket();
            }
            thread = daemon(this::schedule, "probes");
        }

        private void schedule() {
            long next = System.nanoTime();
            for (int i = 0; i < probes.length && !stopped && System.nanoTime() < deadline; i++) {
                int index = i;
                probes[i] = daemon(() -> probe(index), "probe-" + i);
                next += PROBE_GAP_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        private void probe(int i) {
            boolean loaded = load.getCount() > 0;
            long t0 = System.nanoTime();
            try (Socket s = sockets[i]) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - t0);
                if (left < 1 || stopped) {
                    return;
                }
                if (sockBuf > 0) {
                    s.setReceiveBufferSize(sockBuf);
                    s.setSendBufferSize(sockBuf);
                }
                s.connect(address, (int) Math.min(Integer.MAX_VALUE, left));
                s.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                if (s.getInputStream().read() >= 0) {
                    ttfb[i] = (System.nanoTime() - t0) / 1e6;
                    during[i] = loaded;
                }
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // timed out at the deadline, or closed at the end of the row
            }
        }

        /** Waits for every probe until the deadline. */
        void await() throws InterruptedException {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            for (Thread t : probes) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (t != null && left > 0) {
                    t.join(left);
                }
            }
        }

        int ok() {
            return (int) Arrays.stream(ttfb).filter(v -> !Double.isNaN(v)).count();
        }

        int inLoad() {
            int n = 0;
            for (int i = 0; i < during.length; i++) {
                n += during[i] && !Double.isNaN(ttfb[i]) ? 1 : 0;
            }
            return n;
        }

        double percentile(double p) {
            double[] s = Arrays.stream(ttfb).filter(v -> !Double.isNaN(v)).sorted().toArray();
            return s.length == 0 ? Double.NaN : s[(int) Math.max(0, Math.ceil(p * s.length) - 1)];
        }

        /** Stops the scheduler, closes every probe's socket and joins every probe thread. */
        @Override
        public void close() {
            stopped = true;
            thread.interrupt();
            join(thread);
            for (Socket s : sockets) {
                closeQuietly(s);
            }
            for (Thread t : probes) {
                if (t != null) {
                    join(t);
                }
            }
        }
    }

    private static String markdown(List<Config> configs, Options o, String jdk, int cores) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Proxy threads: %s, %d cores; %s per connection, %d idle connections held,"
                + " %d TTFB probes, median (min–max) of %d interleaved reps, timeout %d s per row%n%n",
                jdk, cores, human(o.size), o.idle, o.probes, o.reps, o.timeoutSeconds));
        sb.append("| threads | engine | conns | MB/s | CPU s/GiB | TTFB p50 ms | TTFB p99 ms | probes ok (during load) | TCP RTOs | status |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Config c : configs) {
            List<Result> fin = new ArrayList<>();
            int probesOk = 0;
            int probes = 0;
            int inLoad = 0;
            long rtos = 0;
            for (Result r : c.results) {
                rtos += r.tcpTimeouts;
                if (r.finished) {
                    fin.add(r);
                }
                probesOk += r.probesOk;
                probes += r.probesTotal;
                inLoad += r.probesInLoad;
            }
            sb.append("| ").append(c.kind.name).append(" | ").append(c.engineName).append(" | ").append(c.conns)
                    .append(" | ").append(stat(fin, Result::mbps, "%.0f"))
                    .append(" | ").append(stat(fin, Result::cpuPerGib, "%.2f"))
                    .append(" | ").append(stat(c.results, r -> r.ttfbP50, "%.1f"))
                    .append(" | ").append(stat(c.results, r -> r.ttfbP99, "%.1f"))
                    .append(" | ").append(probesOk).append('/').append(probes).append(" (").append(inLoad).append(')')
                    .append(" | ").append(rtos)
                    .append(" | ").append(status(c)).append(" |\n");
        }
        sb.append(String.format(Locale.ROOT, "%nMB/s and CPU over finished reps only; CPU is the whole process"
                + " (upstream sendfile loop, proxy, client read loop); TTFB over the probes that got a byte;"
                + " \"during load\": probes begun before the last bulk byte arrived; TCP RTOs: retransmission timeouts"
                + " (TcpExt TCPTimeouts of the network namespace) during the row's reps, summed; socket buffers %s.%n",
                o.sockBuf == 0 ? "autotuned by the kernel" : "fixed at " + human(o.sockBuf) + " (SO_RCVBUF, SO_SNDBUF)"));
        return sb.toString();
    }

    private static String status(Config c) {
        int dnf = 0;
        int shortRows = 0;
        List<Long> got = new ArrayList<>();
        long expected = 0;
        for (Result r : c.results) {
            expected = r.expected;
            if (!r.finished) {
                dnf++;
                got.add(r.bytes);
            } else if (r.shortConnections > 0) {
                shortRows++;
            }
        }
        StringBuilder sb = new StringBuilder();
        if (dnf > 0) {
            sb.append("DID NOT FINISH in ").append(dnf).append(" of ").append(c.results.size()).append(" reps (");
            for (int i = 0; i < got.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(got.get(i));
            }
            sb.append(" of ").append(expected).append(" bytes)");
        }
        if (shortRows > 0) {
            sb.append(sb.length() == 0 ? "" : "; ").append("SHORT in ").append(shortRows).append(" reps");
        }
        return sb.length() == 0 ? "ok" : sb.toString();
    }

    private interface Metric {
        double of(Result r);
    }

    private static String stat(List<Result> results, Metric m, String format) {
        double[] v = results.stream().mapToDouble(m::of).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) {
            return "–";
        }
        double min = Arrays.stream(v).min().getAsDouble();
        double max = Arrays.stream(v).max().getAsDouble();
        String med = String.format(Locale.ROOT, format, Readers.median(v));
        return v.length == 1 ? med : med + " (" + String.format(Locale.ROOT, format, min) + "–"
                + String.format(Locale.ROOT, format, max) + ")";
    }

    private static String resultsCsv(List<Config> configs, Options o, String jdk) {
        StringBuilder sb = new StringBuilder("jdk,threads,engine,conns,idle,size_bytes,rep,status,bytes,expected_bytes,"
                + "wall_s,mb_per_s,cpu_s,cpu_s_per_gib,idle_up,probes_ok,probes_during_load,probes_total,ttfb_p50_ms,"
                + "ttfb_p99_ms,handler_errors,first_error,threads_left,fds_after,tcp_timeouts,tcp_memory_pressures,tcp_rcvq_drops,"
                + "sockbuf\n");
        List<Result> all = new ArrayList<>();
        for (Config c : configs) {
            all.addAll(c.results);
        }
        for (int rep = 0; rep < o.reps; rep++) {
            for (Config c : configs) {
                Result r = c.results.get(rep);
                sb.append(csv(jdk)).append(',').append(c.kind.name).append(',').append(c.engineName).append(',')
                        .append(c.conns).append(',').append(o.idle).append(',').append(o.size).append(',').append(rep)
                        .append(',').append(csv(r.status())).append(',').append(r.bytes).append(',').append(r.expected)
                        .append(',').append(num(r.wallSeconds)).append(',').append(num(r.mbps())).append(',')
                        .append(num(r.cpuSeconds)).append(',').append(num(r.cpuPerGib())).append(',').append(r.idleUp)
                        .append(',').append(r.probesOk).append(',').append(r.probesInLoad).append(',')
                        .append(r.probesTotal).append(',').append(num(r.ttfbP50)).append(',').append(num(r.ttfbP99))
                        .append(',').append(r.handlerErrors).append(',').append(csv(r.firstError)).append(',')
                        .append(r.threadsLeft).append(',').append(r.fdsAfter).append(',').append(r.tcpTimeouts).append(',')
                        .append(r.tcpMemoryPressures).append(',').append(r.tcpRcvQDrops).append(',').append(o.sockBuf)
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static String summaryCsv(List<Config> configs, Options o, String jdk) {
        StringBuilder sb = new StringBuilder("jdk,threads,engine,conns,idle,size_bytes,reps,finished_reps,"
                + "mb_per_s_median,mb_per_s_min,mb_per_s_max,cpu_s_per_gib_median,cpu_s_per_gib_min,cpu_s_per_gib_max,"
                + "ttfb_p50_ms_median,ttfb_p50_ms_min,ttfb_p50_ms_max,ttfb_p99_ms_median,ttfb_p99_ms_min,ttfb_p99_ms_max,"
                + "status\n");
        for (Config c : configs) {
            List<Result> fin = new ArrayList<>();
            for (Result r : c.results) {
                if (r.finished) {
                    fin.add(r);
                }
            }
            sb.append(csv(jdk)).append(',').append(c.kind.name).append(',').append(c.engineName).append(',')
                    .append(c.conns).append(',').append(o.idle).append(',').append(o.size).append(',')
                    .append(c.results.size()).append(',').append(fin.size()).append(',')
                    .append(triple(fin, Result::mbps)).append(',').append(triple(fin, Result::cpuPerGib)).append(',')
                    .append(triple(c.results, r -> r.ttfbP50)).append(',').append(triple(c.results, r -> r.ttfbP99))
                    .append(',').append(csv(status(c))).append('\n');
        }
        return sb.toString();
    }

    private static String triple(List<Result> results, Metric m) {
        double[] v = results.stream().mapToDouble(m::of).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) {
            return ",,";
        }
        return num(Readers.median(v)) + ',' + num(Arrays.stream(v).min().getAsDouble()) + ','
                + num(Arrays.stream(v).max().getAsDouble());
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private static String ms(double v) {
        return fmt("%.1f", v);
    }

    private static String fmt(String format, double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
    }

    private static String human(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        return bytes % (1L << 10) == 0 ? (bytes >> 10) + " KiB" : bytes + " bytes";
    }

    /** @return a factory of virtual threads, or null before JDK 21 */
    private static ThreadFactory virtualThreadFactory() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle create = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            return (ThreadFactory) factory.invoke(create.invoke());
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.ofVirtual() failed", e);
        }
    }

    private static ServerSocketChannel listen(int backlog) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            if (sockBuf > 0) {
                s.setOption(StandardSocketOptions.SO_RCVBUF, sockBuf);
            }
            return s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Opens a blocking connection with the socket buffers of the run. */
    private static SocketChannel connect(InetSocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            buffers(ch);
            ch.connect(address);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Fixes both socket buffers of {@code ch} to {@code --sockbuf}, unless that is 0. */
    private static void buffers(SocketChannel ch) throws IOException {
        if (sockBuf > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, sockBuf);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, sockBuf);
        }
    }

    /** @return the TcpExt counters of this network namespace, empty if unknown */
    private static Map<String, Long> tcpCounters() {
        Map<String, Long> m = new HashMap<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                    String[] names = lines.get(i).split("\\s+");
                    String[] values = lines.get(i + 1).split("\\s+");
                    for (int k = 1; k < names.length && k < values.length; k++) {
                        m.put(names[k], Long.parseLong(values[k]));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return m;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }

    private static InetSocketAddress address(ServerSocketChannel s) {
        try {
            return (InetSocketAddress) s.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing at the end of a row
            }
        }
    }

    /** @return the soft limit of open files of this process, or -1 if unknown */
    private static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** @return descriptors open in this process now, or -1 if unknown */
    private static long openFiles() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }
}

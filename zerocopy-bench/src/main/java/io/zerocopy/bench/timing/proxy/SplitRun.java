package io.zerocopy.bench.timing.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zerocopy.bench.VethLinks;

/**
 * The processes of a run split over processes ({@code --link veth} or {@code --link
 * loopback-split}) and its rows: the upstream ({@link PeerMain} {@code upstream}), the clients,
 * idle connections and probes ({@code clients}) and the proxy as {@code P} processes
 * ({@code proxy}) whose listeners share their ports with SO_REUSEPORT, so the kernel spreads
 * the connections over them. Over veth ({@link VethLinks}) the upstream runs in the feeder
 * pair's namespace, the clients in the sink pair's and the proxy in the root namespace, so a
 * proxied connection crosses both veth pairs: upstream → feeder pair → proxy → sink pair →
 * client; over loopback every process is in the root namespace and binds to the loopback
 * address.
 *
 * <p>Why several proxy processes: a proxied connection holds {@value #FDS_PER_CONNECTION}
 * descriptors in the proxy (2 sockets and zerocopy-linux's duplicates of them), and a process
 * may have at most its open-file limit of descriptors; a row with N connections uses
 * the fewest processes whose share fits ({@link #processesFor}), the first of those started.
 * The peers hold one socket per connection each, one process each.
 *
 * <p>Per row the coordinator (this process) measures what it does not take part in: CPU as
 * utime + stime of /proc/PID/stat, summed over the row's proxy processes and separately over
 * the two peer processes, from the clients' first connect to their last byte; the proxy
 * processes' kernel tasks (/proc/PID/status Threads, summed) every 100 ms; the TcpExt counters
 * of the three namespaces. Each proxy process samples its own threads ({@link ThreadSampler}),
 * and the row reports the sums of their peaks. Veth delivers a packet to the receiving
 * namespace in softirq on the sending CPU, charged to whatever task it interrupted: the proxy's
 * CPU includes part of its peers' receive work and theirs part of its.
 *
 * <p>Lifetime: every child is killed and the network removed on {@link #close()}, on a
 * failure while starting, and by shutdown hooks if the JVM exits first (Ctrl-C); a child also
 * exits when its input ends, that is when this JVM does.
 */
final class SplitRun implements AutoCloseable {

    /** The most time a child may take to answer a command that does not wait for the load. */
    private static final long ANSWER_MILLIS = 60_000;
    /**
     * Descriptors a proxied connection holds in the proxy: its 2 sockets and, while
     * zerocopy-linux transfers between them, a duplicate of each (F_DUPFD_CLOEXEC, kept for the
     * transfer; seen as "Too many open files" with 2 processes at 10,000 connections).
     */
    static final int FDS_PER_CONNECTION = 4;
    /** Per-process share of the open-file limit the proxy may plan to fill: the kernel's spread over SO_REUSEPORT listeners is uneven. */
    private static final double SPREAD_SLACK = 1.15;

    /** The veth network, or null over loopback. */
    final VethLinks links;
    final List<Child> proxies = new ArrayList<>();
    private final Child upstream;
    private final Child clients;
    private final Thread killer;

    private SplitRun(VethLinks links, int processes, long maxSize) throws IOException {
        this.links = links;
        List<Child> started = new ArrayList<>();
        killer = new Thread(() -> started.forEach(Child::kill), "zc-proxy-threads-children");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            upstream = add(started, Child.start("upstream", links == null ? null : links.feederNamespace(), "upstream",
                    upstreamAddress(), Long.toString(maxSize)));
            clients = add(started, Child.start("clients", links == null ? null : links.sinkNamespace(), "clients"));
            for (int i = 0; i < processes; i++) {
                proxies.add(add(started, Child.start("proxy-" + i, null, "proxy")));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(Child::close);
            throw e;
        }
    }

    private static Child add(List<Child> started, Child c) {
        synchronized (started) {
            started.add(c);
        }
        return c;
    }

    /** @return where the proxy reaches the upstream */
    private String upstreamAddress() {
        return (links == null ? InetAddress.getLoopbackAddress() : links.feederFarAddress()).getHostAddress();
    }

    /** @return where the clients reach the proxy */
    private String proxyAddress() {
        return (links == null ? InetAddress.getLoopbackAddress() : links.sinkRootAddress()).getHostAddress();
    }

    /**
     * Builds the network (over veth) and starts the children.
     *
     * @param veth true for the veth network, false for loopback
     * @param processes the proxy processes to start (the most any row needs)
     * @param maxSize the largest size per connection of any row
     * @throws IOException if the network cannot be built or a child started; nothing is left behind
     */
    static SplitRun start(boolean veth, int processes, long maxSize) throws IOException {
        VethLinks links = veth ? VethLinks.create() : null;
        try {
            return new SplitRun(links, processes, maxSize);
        } catch (IOException | RuntimeException e) {
            try {
                if (links != null) {
                    links.close();
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * @param fdLimit the open-file limit of a process, negative if unknown
     * @return the fewest proxy processes whose share of {@code conns} connections (the idle
     *     and probe connections included) fits under the limit at {@link #FDS_PER_CONNECTION}
     *     descriptors each, with the pipe pool's descriptors and {@code reserve} more
     */
    static int processesFor(int conns, long fdLimit, int reserve) {
        if (fdLimit < 0) {
            return 1;
        }
        for (int p = 1; ; p++) {
            double share = (double) FDS_PER_CONNECTION * conns / p * (p == 1 ? 1 : SPREAD_SLACK);
            if (share + reserve <= fdLimit) {
                return p;
            }
        }
    }

    /**
     * Runs one row over veth; closes what it opened in every child, whatever happened.
     *
     * @throws IOException if a child has ended (killed, or the JVM is exiting): no row can run
     */
    Result run(Config c, long size, int idle, int probes, int timeoutSeconds) throws IOException {
        for (Child child : all()) {
            if (!child.isAlive()) {
                throw new IOException("child process " + child.name + " has ended");
            }
        }
        Result r = new Result();
        r.expected = size * c.conns;
        r.probesTotal = probes;
        r.proxyProcesses = c.processes;
        List<Child> rowProxies = proxies.subList(0, c.processes);
        Map<String, Long> tcp0 = tcpCounters();
        int backlog = c.conns + idle + probes + 64;
        String host = proxyAddress();
        TaskSampler tasks = null;
        try {
            String[] up = upstream.call(ANSWER_MILLIS, "open", size, c.sockBuf, backlog).split(" ");
            String[] ports = {"0", "0", "0"};
            for (Child p : rowProxies) {
                ports = p.call(ANSWER_MILLIS, "open", c.kind.name, c.engineName, c.sockBuf, host, ports[0], ports[1],
                        ports[2], upstreamAddress(), up[0], up[1], backlog).split(" ");
            }
            clients.call(ANSWER_MILLIS, "idle", host, ports[1], idle, c.sockBuf);
            long idleWait = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((r.idleUp = Integer.parseInt(upstream.call(ANSWER_MILLIS, "idle"))) < idle
                    && System.nanoTime() < idleWait) {
                Thread.sleep(1);
            }
            Thread.sleep(50); // the idle connections' proxy threads enter their wait
            for (Child p : rowProxies) {
                p.call(ANSWER_MILLIS, "sample");
            }
            tasks = new TaskSampler(rowProxies);
            long timeoutMillis = TimeUnit.SECONDS.toMillis(timeoutSeconds);
            clients.call(ANSWER_MILLIS, "bulk", host, ports[0], ports[2], c.conns, probes, size, timeoutMillis);
            double cpu0 = cpu(rowProxies);
            double peers0 = cpu(List.of(upstream, clients));
            r.finished = clients.answer(timeoutMillis + ANSWER_MILLIS).equals("done 1");
            r.cpuSeconds = cpu(rowProxies) - cpu0;
            r.peerCpuSeconds = cpu(List.of(upstream, clients)) - peers0;
            String[] res = clients.answer(timeoutMillis + ANSWER_MILLIS).split(" ");
            r.bytes = Long.parseLong(res[1]);
            r.shortConnections = Integer.parseInt(res[2]);
            r.wallSeconds = Long.parseLong(res[3]) / 1e9;
            r.probesOk = Integer.parseInt(res[4]);
            r.probesInLoad = Integer.parseInt(res[5]);
            r.ttfbP50 = Double.parseDouble(res[6]);
            r.ttfbP99 = Double.parseDouble(res[7]);
        } catch (IOException | RuntimeException e) {
            r.finished = false;
            r.rowError = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.rowError = e.toString();
        } finally {
            if (tasks != null) {
                tasks.close();
                r.tasksPeak = tasks.peak;
            }
            endRow(r, rowProxies);
            Map<String, Long> tcp1 = tcpCounters();
            r.tcpTimeouts = Proc.delta(tcp0, tcp1, "TCPTimeouts");
            r.tcpMemoryPressures = Proc.delta(tcp0, tcp1, "TCPMemoryPressures");
            r.tcpRcvQDrops = Proc.delta(tcp0, tcp1, "TCPRcvQDrop");
        }
        return r;
    }

    /** Closes the row in every child (clients first, then the proxies, then the upstream), adding up the proxies' reports. */
    private void endRow(Result r, List<Child> rowProxies) {
        List<String> problems = new ArrayList<>();
        quietly(problems, () -> clients.call(ANSWER_MILLIS, "close"));
        Map<String, Long> paths = new HashMap<>();
        for (Child p : rowProxies) {
            quietly(problems, () -> {
                String[] f = p.call(ANSWER_MILLIS, "close").split("\t", -1);
                r.threadsAtStart += Integer.parseInt(f[0]);
                r.threadsUsedPeak += Integer.parseInt(f[1]);
                r.threadsLivePeak += Integer.parseInt(f[2]);
                r.handlersPeak += Integer.parseInt(f[3]);
                r.iouPeak += Integer.parseInt(f[4]);
                r.threadsLeft += Integer.parseInt(f[5]);
                r.handlerErrors += Long.parseLong(f[6]);
                r.fdsAfter = Math.max(r.fdsAfter, Long.parseLong(f[7]));
                for (String path : f[8].isEmpty() ? new String[0] : f[8].split(", ")) {
                    int at = path.lastIndexOf(' ');
                    paths.merge(path.substring(0, at), Long.parseLong(path.substring(at + 1)), Long::sum);
                }
                if (r.firstError.isEmpty()) {
                    r.firstError = f[9];
                }
                return "";
            });
        }
        quietly(problems, () -> upstream.call(ANSWER_MILLIS, "close"));
        r.finishedBy = Proxy.describe(paths);
        if (!problems.isEmpty()) {
            r.rowError = (r.rowError.isEmpty() ? "" : r.rowError + "; ") + String.join("; ", problems);
            r.finished = false;
        }
    }

    private interface Call {
        String call() throws IOException;
    }

    private static void quietly(List<String> problems, Call call) {
        try {
            call.call();
        } catch (IOException | RuntimeException e) {
            problems.add(e.toString());
        }
    }

    private static double cpu(List<Child> children) {
        double sum = 0;
        for (Child c : children) {
            sum += Proc.cpuSeconds(c.pid());
        }
        return sum;
    }

    /** @return the TcpExt counters of the root namespace, and over veth of the feeder's and sink's, added up */
    private Map<String, Long> tcpCounters() {
        Map<String, Long> sum = new HashMap<>(Proc.tcpCounters());
        for (Child c : links == null ? List.<Child>of() : List.of(upstream, clients)) {
            Proc.tcpCounters(c.pid()).forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        return sum;
    }

    /** Samples the kernel tasks of the row's proxy processes, summed, every {@value ThreadSampler#SLOW_MILLIS} ms. */
    private static final class TaskSampler implements AutoCloseable {
        private final List<Child> children;
        private final Thread thread;
        private volatile boolean running = true;
        volatile int peak;

        TaskSampler(List<Child> children) {
            this.children = children;
            sample();
            thread = Threads.daemon(this::run, "task-sampler");
        }

        private void run() {
            while (running) {
                sample();
                try {
                    TimeUnit.MILLISECONDS.sleep(ThreadSampler.SLOW_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            int sum = 0;
            for (Child c : children) {
                sum += Proc.threads(c.pid());
            }
            peak = Math.max(peak, sum);
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
            Threads.join(thread);
        }
    }

    private List<Child> all() {
        List<Child> all = new ArrayList<>(List.of(upstream, clients));
        all.addAll(proxies);
        return all;
    }

    /** Ends every child, then removes the network, if any. */
    @Override
    public void close() throws IOException {
        all().forEach(Child::close);
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // exiting: the hook runs anyway
        }
        if (links != null) {
            links.close();
        }
    }
}

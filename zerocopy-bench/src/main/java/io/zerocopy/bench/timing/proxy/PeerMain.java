package io.zerocopy.bench.timing.proxy;

import static io.zerocopy.bench.timing.proxy.Sockets.closeQuietly;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A child process of a split run of {@link ProxyThreads} ({@link SplitRun}), driven over its
 * standard input and output, one command a line, each answered by lines beginning {@code ok},
 * or one line {@code error <why>}; standard output carries nothing else (the classes' own
 * messages go to standard error). The process ends at the end of its input, so it does not
 * outlive its coordinator.
 *
 * <ul>
 *   <li>{@code upstream HOST MAX_SIZE} (in the feeder's namespace): the {@link Upstream}, bound
 *       to HOST, serving a file of MAX_SIZE bytes. {@code open SIZE SOCKBUF BACKLOG} → {@code ok
 *       BULK_PORT IDLE_PORT}; {@code idle} → {@code ok IDLE_ACCEPTED}; {@code close} → {@code ok}.</li>
 *   <li>{@code clients} (in the sink's namespace): the idle connections, the {@link Clients}
 *       and the {@link Probes}. {@code idle HOST PORT K SOCKBUF} → {@code ok};
 *       {@code bulk HOST BULK_PORT PROBE_PORT N PROBES SIZE TIMEOUT_MS} → {@code ok start} just
 *       before the first connect, {@code ok done FINISHED} when every connection has ended or
 *       the timeout passed, {@code ok result BYTES SHORT WALL_NS PROBES_OK IN_LOAD P50_MS P99_MS}
 *       when the probes are done; {@code close} → {@code ok}.</li>
 *   <li>{@code proxy} (in the root namespace): one {@link Proxy}, whose listeners take
 *       SO_REUSEPORT so that several proxy processes share their ports. {@code open KIND ENGINE
 *       SOCKBUF HOST BULK_PORT IDLE_PORT PROBE_PORT UP_HOST UP_BULK UP_IDLE BACKLOG} (ports 0:
 *       ephemeral) → {@code ok BULK_PORT IDLE_PORT PROBE_PORT}; {@code sample} starts its
 *       {@link ThreadSampler} → {@code ok}; {@code close} → {@code ok} and, tab-separated, the
 *       sampler's threads used at start, used peak, live peak, handlers peak and io_uring workers
 *       peak, the threads left, the handler errors, the descriptors open after, the paths that
 *       finished transfers and the first error.</li>
 * </ul>
 */
public final class PeerMain {

    private final PrintStream out;

    private PeerMain(PrintStream out) {
        this.out = out;
    }

    /**
     * @param args {@code upstream HOST MAX_SIZE}, {@code clients} or {@code proxy}
     * @throws IOException if standard input cannot be read
     */
    public static void main(String[] args) throws IOException {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err);
        PeerMain main = new PeerMain(protocol);
        Role role;
        switch (args.length == 0 ? "" : args[0]) {
            case "upstream":
                role = main.new UpstreamRole(InetAddress.getByName(args[1]), Long.parseLong(args[2]));
                break;
            case "clients":
                role = main.new ClientsRole();
                break;
            case "proxy":
                role = main.new ProxyRole();
                break;
            default:
                throw new IllegalArgumentException("usage: PeerMain upstream HOST MAX_SIZE | clients | proxy");
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String[] a = line.trim().split(" ");
                try {
                    role.command(a);
                } catch (IOException | RuntimeException | InterruptedException e) {
                    protocol.println("error " + String.valueOf(e).replace('\n', ' '));
                }
            }
        } finally {
            role.close();
        }
        // daemon threads only: the process ends here
    }

    /** What a child does, one command at a time. */
    private interface Role {
        void command(String[] a) throws IOException, InterruptedException;

        void close();
    }

    private void reply(Object... fields) {
        StringBuilder sb = new StringBuilder("ok");
        for (Object f : fields) {
            sb.append(' ').append(f);
        }
        out.println(sb);
    }

    private final class UpstreamRole implements Role {
        private final InetAddress host;
        private final Path file;
        private final FileChannel data;
        private Upstream upstream;

        UpstreamRole(InetAddress host, long maxSize) throws IOException {
            this.host = host;
            file = Files.createTempFile("zerocopy-proxy-threads-upstream", ".bin");
            data = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            DataFile.fill(data, maxSize);
        }

        @Override
        public void command(String[] a) throws IOException {
            switch (a[0]) {
                case "open":
                    closeQuietly(upstream);
                    Sockets.bufferBytes(Integer.parseInt(a[2]));
                    upstream = new Upstream(data, Long.parseLong(a[1]), host, Integer.parseInt(a[3]));
                    reply(Sockets.address(upstream.bulk).getPort(), Sockets.address(upstream.idle).getPort());
                    break;
                case "idle":
                    reply(upstream == null ? 0 : upstream.idleAccepted.get());
                    break;
                case "close":
                    closeQuietly(upstream);
                    upstream = null;
                    reply();
                    break;
                default:
                    throw new IllegalArgumentException("unknown command " + a[0]);
            }
        }

        @Override
        public void close() {
            closeQuietly(upstream);
            closeQuietly(data);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                System.err.println("cannot delete " + file + ": " + e);
            }
        }
    }

    private final class ClientsRole implements Role {
        private final List<SocketChannel> idle = new ArrayList<>();
        private Clients clients;
        private Probes probes;

        @Override
        public void command(String[] a) throws IOException, InterruptedException {
            switch (a[0]) {
                case "idle":
                    Sockets.bufferBytes(Integer.parseInt(a[4]));
                    InetSocketAddress at = new InetSocketAddress(a[1], Integer.parseInt(a[2]));
                    for (int i = Integer.parseInt(a[3]); i > 0; i--) {
                        idle.add(Sockets.connect(at));
                    }
                    reply();
                    break;
                case "bulk":
                    bulk(a);
                    break;
                case "close":
                    close();
                    reply();
                    break;
                default:
                    throw new IllegalArgumentException("unknown command " + a[0]);
            }
        }

        private void bulk(String[] a) throws IOException, InterruptedException {
            InetSocketAddress bulkAt = new InetSocketAddress(a[1], Integer.parseInt(a[2]));
            InetSocketAddress probeAt = new InetSocketAddress(a[1], Integer.parseInt(a[3]));
            int n = Integer.parseInt(a[4]);
            int probeCount = Integer.parseInt(a[5]);
            long size = Long.parseLong(a[6]);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a[7]));
            clients = new Clients(n, size);
            reply("start");
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                clients.add(Sockets.connect(bulkAt));
            }
            probes = new Probes(probeAt, probeCount, deadline, clients.done);
            boolean finished = clients.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            reply("done", finished ? 1 : 0);
            probes.await();
            long wall = (finished ? clients.lastByteNanos : System.nanoTime()) - t0;
            reply("result", clients.bytes.get(), clients.shortConnections.get(), wall, probes.ok(), probes.inLoad(),
                    num(probes.percentile(0.50)), num(probes.percentile(0.99)));
        }

        @Override
        public void close() {
            closeQuietly(probes);
            closeQuietly(clients);
            for (SocketChannel ch : idle) {
                closeQuietly(ch);
            }
            idle.clear();
            probes = null;
            clients = null;
        }
    }

    private final class ProxyRole implements Role {
        private Proxy proxy;
        private ThreadSampler sampler;

        @Override
        public void command(String[] a) throws IOException {
            switch (a[0]) {
                case "open":
                    open(a);
                    break;
                case "sample":
                    Proxy p = proxy;
                    sampler = new ThreadSampler(p.handlersAlive::get);
                    reply();
                    break;
                case "close":
                    ThreadSampler s = sampler;
                    if (s != null) {
                        s.close();
                    }
                    Proxy q = proxy;
                    String finishedBy = q == null ? "" : q.finishedBy();
                    int left = q == null ? 0 : q.shutdown();
                    out.println(String.join("\t", "ok", Integer.toString(s == null ? 0 : s.usedAtStart()),
                            Integer.toString(s == null ? 0 : s.usedPeak()), Integer.toString(s == null ? 0 : s.livePeak()),
                            Integer.toString(s == null ? 0 : s.handlersPeak()), Integer.toString(s == null ? 0 : s.iouPeak()),
                            Integer.toString(left), Long.toString(q == null ? 0 : q.errors.get()),
                            Long.toString(Proc.openFiles()), finishedBy,
                            q == null || q.firstError.get() == null ? "" : q.firstError.get().replace('\t', ' ')));
                    proxy = null;
                    sampler = null;
                    break;
                default:
                    throw new IllegalArgumentException("unknown command " + a[0]);
            }
        }

        private void open(String[] a) throws IOException {
            Kind kind = Kind.named(a[1]);
            if (kind == null) {
                throw new IllegalArgumentException(a[1] + " threads need JDK 21 or later");
            }
            Sockets.bufferBytes(Integer.parseInt(a[3]));
            InetAddress host = InetAddress.getByName(a[4]);
            InetSocketAddress[] listen = {new InetSocketAddress(host, Integer.parseInt(a[5])),
                new InetSocketAddress(host, Integer.parseInt(a[6])), new InetSocketAddress(host, Integer.parseInt(a[7]))};
            proxy = new Proxy(kind.factory, Engines.get(a[2]), new InetSocketAddress(a[8], Integer.parseInt(a[9])),
                    new InetSocketAddress(a[8], Integer.parseInt(a[10])), listen, true, Integer.parseInt(a[11]));
            reply(proxy.bulkAddress().getPort(), proxy.idleAddress().getPort(), proxy.probeAddress().getPort());
        }

        @Override
        public void close() {
            if (sampler != null) {
                sampler.close();
            }
            if (proxy != null) {
                proxy.shutdown();
            }
        }
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}

package io.zerocopy.bench.timing.peers;

import io.zerocopy.bench.Commands;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real peers over a real-MTU link: a file server and a TCP proxy built on the library, each
 * against the established program doing the same job, nginx with {@code sendfile} and HAProxy
 * with {@code splice}, over veth pairs of MTU 1500 (issue 12's targets: at least 0.95 times
 * their throughput, at no more CPU).
 *
 * <pre>java -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.peers.RealPeers [options]</pre>
 *
 * Options: {@code --size 512m} (the file), {@code --reps 5}, {@code --fetches 8} (the
 * sequential fetches of the one-connection mode, and the total of the concurrent mode),
 * {@code --concurrency 4} (connections of the concurrent mode, each fetching
 * {@code fetches / concurrency} times), {@code --client trunc|read|curl} (see {@link Fetcher};
 * default trunc if a C compiler is found, else curl), {@code --java PATH[,PATH]} (the child
 * JVMs' java; one set of library rows per java; default the java running this),
 * {@code --workers 1} (nginx's worker processes and HAProxy's threads),
 * {@code --scenarios files,proxy}, {@code --dir DIR} (where the run's temporary directory and
 * file go; default java.io.tmpdir), {@code --seed N} (the rows' order). Needs root (network
 * namespaces); rows whose program (nginx, HAProxy, a JDK with virtual threads) is missing are
 * skipped with the reason.
 *
 * <p>Layout ({@link Network}): the servers and proxies run in the root namespace as child
 * processes, the clients in {@code zcp-<pid>-client} through {@code ip netns exec}, the proxy's
 * upstream (nginx, else the library's file server on the JDK's transferTo) in
 * {@code zcp-<pid>-upstream}. Every peer is started once and stays up for the whole run; idle,
 * they cost nothing measurable.
 *
 * <p>Measurement: each row is warmed up by one fetch per connection in each mode, then every
 * rep measures every row in each mode, rows in a new random order each time. A sample is the
 * wall time from starting the clients to the last one's exit (process start included, a few
 * milliseconds), the peer process's {@code utime + stime} over that window, and the machine's
 * busy and softirq time ({@link Cpu}); the tables give medians and min–max over reps, per GiB
 * delivered to the client; the ratios are medians of per-rep ratios against the baseline row
 * measured in the same rep.
 *
 * <p>Cleanup: the {@link Undo} stops the peers, removes the devices and namespaces and deletes
 * the temporary directory, at the end and on Ctrl-C.
 */
public final class RealPeers {

    private static final int FIRST_PORT = 18080;
    private static final String FILE_NAME = "peers.bin";
    private static final String[] MODE_NAMES = {"sequential", "concurrent"};

    private final Options o;
    private final Undo undo;
    private final List<String> notes = new ArrayList<>();
    private final List<String> commands = new ArrayList<>();
    private final List<Row> fileRows = new ArrayList<>();
    private final List<Row> proxyRows = new ArrayList<>();
    private Path dir;
    private Path file;
    private Network net;
    private Fetcher fetcher;
    private Peer upstream;
    private int nextPort = FIRST_PORT;
    private String clientCheck;

    private RealPeers(Options o, Undo undo) {
        this.o = o;
        this.undo = undo;
    }

    /**
     * @param args the options
     */
    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("real-peers: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            System.out.println("real-peers: skipped: needs Linux (network namespaces, veth, /proc)");
            return;
        }
        String cause = Network.unavailabilityCause();
        if (cause != null) {
            System.out.println("real-peers: skipped: " + cause);
            return;
        }
        int status = 0;
        Undo undo = new Undo();
        try (undo) {
            new RealPeers(o, undo).run();
        } catch (IOException | RuntimeException e) {
            if (undo.exiting()) {
                System.err.println("real-peers: stopped; peers, network and files removed");
                return;
            }
            System.err.println("real-peers: failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        if (status != 0) {
            System.exit(status);
        }
    }

    private void run() throws IOException {
        String loadBefore = Cpu.loadAverage();
        Instant start = Instant.now();
        dir = Files.createTempDirectory(o.dir, "zcp-peers-");
        Path made = dir;
        undo.add("directory " + dir, () -> deleteTree(made));
        net = Network.create(undo);
        notes.addAll(net.removedStale);
        file = dir.resolve(FILE_NAME);
        writeFile(file, o.size);
        chooseClient();
        List<JavaInfo> javas = javas();
        if (o.files) {
            startFileRows(javas);
        }
        if (o.proxy) {
            startProxyRows(javas);
        }
        checkClients();
        Random random = new Random(o.seed);
        if (o.files) {
            measure("files", fileRows, random);
        }
        if (o.proxy) {
            measure("proxy", proxyRows, random);
        }
        Report.Run r = new Report.Run();
        r.options = o;
        r.client = fetcher.kind;
        r.start = start;
        r.loadBefore = loadBefore;
        r.loadAfter = Cpu.loadAverage();
        r.net = net;
        r.javas = javas;
        r.file = file;
        r.fileRows = fileRows;
        r.proxyRows = proxyRows;
        r.upstream = upstream;
        r.clientCheck = clientCheck;
        r.notes = notes;
        for (List<Row> rows : List.of(fileRows, proxyRows)) {
            if (!rows.isEmpty()) {
                Row first = rows.get(0);
                commands.add("client (" + (rows == fileRows ? "file server" : "proxy") + ", sequential, one process; the"
                        + " concurrent mode starts " + o.concurrency + " with " + o.perConnection() + " fetches each): `"
                        + String.join(" ", fetcher.command(first.peer.address, first.peer.port, "/" + FILE_NAME,
                                o.fetches)) + "`");
            }
        }
        r.commands = commands;
        System.out.print(Report.markdown(r));
        System.out.flush();
    }

    // ---------------------------------------------------------------- set-up

    private static void writeFile(Path f, long size) throws IOException {
        byte[] chunk = new byte[1 << 20];
        new Random(12).nextBytes(chunk);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long left = size;
            while (left > 0) {
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, left));
                while (b.hasRemaining()) {
                    left -= ch.write(b);
                }
            }
            // written back now, so that no writeback runs during the measurements; the pages stay cached
            ch.force(true);
        }
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            while (ch.read(b) >= 0) {
                b.clear();
            }
        }
    }

    private void chooseClient() throws IOException {
        String kind = o.client;
        if (kind == null) {
            kind = Fetcher.unavailabilityCause("trunc") == null ? "trunc" : "curl";
            if (!kind.equals("trunc")) {
                notes.add("client: curl, since " + Fetcher.unavailabilityCause("trunc"));
            }
        }
        String cause = Fetcher.unavailabilityCause(kind);
        if (cause != null) {
            throw new IOException("client " + kind + " cannot run: " + cause);
        }
        fetcher = Fetcher.create(kind, net.client.namespace, dir, o.size);
    }

    /** A child java: its executable and version. */
    static final class JavaInfo {
        final String path;
        final int feature;
        final String version;

        JavaInfo(String path, int feature, String version) {
            this.path = path;
            this.feature = feature;
            this.version = version;
        }
    }

    private List<JavaInfo> javas() throws IOException {
        List<String> paths = new ArrayList<>(o.javas);
        if (paths.isEmpty()) {
            paths.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        List<JavaInfo> list = new ArrayList<>();
        Pattern p = Pattern.compile("version \"(\\d+)[^\"]*\"");
        for (String path : paths) {
            Commands.Result r = Commands.runAny(path, "-version");
            Matcher m = p.matcher(r.out);
            if (r.exit != 0 || !m.find()) {
                notes.add("java " + path + " skipped: `-version` exited " + r.exit + ": " + r.out);
                continue;
            }
            String[] lines = r.out.split("\n");
            list.add(new JavaInfo(path, Integer.parseInt(m.group(1)), lines.length > 1 ? lines[1].trim() : lines[0]));
        }
        if (list.isEmpty()) {
            throw new IOException("no usable java for the child JVMs");
        }
        return list;
    }

    private List<String> jvm(JavaInfo java, String main) {
        List<String> cmd = new ArrayList<>(List.of(java.path, "-Xms64m", "-Xmx256m"));
        if (java.feature >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        if (java.feature >= 23) {
            // jnr-ffi still reads memory through sun.misc.Unsafe
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of("-cp", Path.of(System.getProperty("java.class.path")).toAbsolutePath().toString(), main));
        return cmd;
    }

    private Peer start(String name, List<String> cmd, String address, int port) throws IOException {
        Peer p = Peer.start(name, cmd, address, port, dir.resolve("peer-" + port + ".log"), undo);
        commands.add(name + ": `" + p.commandLine() + "`");
        return p;
    }

    private String plan(Peer p) {
        String line = p.logTail();
        int at = line.indexOf("plan: ");
        return at < 0 ? "(no plan printed)" : line.substring(at + 6).split(" \\| ")[0];
    }

    private void startFileRows(List<JavaInfo> javas) throws IOException {
        String address = net.client.rootAddress;
        if (Commands.find("nginx") == null) {
            notes.add("file server: nginx row skipped: no nginx found");
        } else {
            int port = nextPort++;
            Path conf = Configs.nginx(dir, "files", address, port, o.workers);
            commands.add("nginx configuration (" + conf.getFileName() + "):\n\n```\n" + Files.readString(conf) + "```");
            Peer p = start("nginx sendfile", Configs.nginxCommand(dir, "files", conf), address, port);
            fileRows.add(new Row("nginx (sendfile on, tcp_nopush on, " + workers(o.workers, "worker") + ")", p, null));
        }
        String path = file.toString();
        for (JavaInfo j : javas) {
            String[][] rows = {
                {"default", "platform", "zc default engine, platform threads"},
                {"default", "virtual", "zc default engine, virtual threads"},
                {"sendfile", "platform", "zc sendfile-only engine, platform threads"},
                {"jdk", "platform", "JDK FileChannel.transferTo, platform threads"},
                {"copy", "platform", "zc copy-only engine, platform threads"},
            };
            for (String[] r : rows) {
                String name = r[2] + ", JDK " + j.feature;
                if (r[1].equals("virtual") && j.feature < 21) {
                    notes.add("file server: \"" + name + "\" skipped: virtual threads need JDK 21 or later");
                    continue;
                }
                int port = nextPort++;
                List<String> cmd = jvm(j, FileServerMain.class.getName());
                cmd.addAll(List.of(address, Integer.toString(port), path, r[0], r[1]));
                Peer p = start(name, cmd, address, port);
                fileRows.add(new Row(name, p, plan(p)));
            }
        }
    }

    private void startProxyRows(List<JavaInfo> javas) throws IOException {
        String upAddress = net.upstream.farAddress;
        int upPort = nextPort++;
        List<String> inNs = new ArrayList<>(List.of(Commands.find("ip").toString(), "netns", "exec", net.upstream.namespace));
        if (Commands.find("nginx") != null) {
            Path conf = Configs.nginx(dir, "upstream", upAddress, upPort, o.workers);
            commands.add("upstream nginx configuration (" + conf.getFileName() + "):\n\n```\n" + Files.readString(conf)
                    + "```");
            inNs.addAll(Configs.nginxCommand(dir, "upstream", conf));
            upstream = start("upstream nginx", inNs, upAddress, upPort);
        } else {
            notes.add("proxy: upstream is the library's file server on FileChannel.transferTo: no nginx found");
            inNs.addAll(jvm(javas.get(0), FileServerMain.class.getName()));
            inNs.addAll(List.of(upAddress, Integer.toString(upPort), file.toString(), "jdk", "platform"));
            upstream = start("upstream file server", inNs, upAddress, upPort);
        }
        String address = net.client.rootAddress;
        String haproxyCause = Configs.haproxyUnavailabilityCause();
        if (haproxyCause != null) {
            notes.add("proxy: HAProxy rows skipped: " + haproxyCause);
        } else {
            for (boolean splice : new boolean[] {true, false}) {
                int port = nextPort++;
                Path conf = Configs.haproxy(dir, address, port, upAddress, upPort, splice, o.workers);
                commands.add("HAProxy configuration (" + conf.getFileName() + "):\n\n```\n" + Files.readString(conf)
                        + "```");
                String name = splice ? "HAProxy splice (mode tcp, splice-request/response, nbthread " + o.workers + ")"
                        : "HAProxy without splice (mode tcp, nbthread " + o.workers + ")";
                proxyRows.add(new Row(name, start(name, Configs.haproxyCommand(conf), address, port), null));
            }
        }
        for (JavaInfo j : javas) {
            String[][] rows = {
                {"default", "platform", "zc default engine, platform threads"},
                {"default", "virtual", "zc default engine, virtual threads"},
                {"copy", "platform", "zc copy-only engine, platform threads"},
            };
            for (String[] r : rows) {
                String name = r[2] + ", JDK " + j.feature;
                if (r[1].equals("virtual") && j.feature < 21) {
                    notes.add("proxy: \"" + name + "\" skipped: virtual threads need JDK 21 or later");
                    continue;
                }
                int port = nextPort++;
                List<String> cmd = jvm(j, ProxyMain.class.getName());
                cmd.addAll(List.of(address, Integer.toString(port), upAddress, Integer.toString(upPort), r[0], r[1]));
                Peer p = start(name, cmd, address, port);
                proxyRows.add(new Row(name, p, plan(p)));
            }
        }
    }

    private static String workers(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /**
     * One fetch of the file through each client kind that can run here, against the first file
     * row (nginx if present), to show whether the client limits the measurement.
     */
    private void checkClients() {
        List<Row> rows = fileRows.isEmpty() ? proxyRows : fileRows;
        if (rows.isEmpty()) {
            return;
        }
        Row r = rows.get(0);
        StringBuilder sb = new StringBuilder("client check, one connection fetching the file twice from " + r.name
                + ", one run each:");
        for (String kind : new String[] {"curl", "read", "trunc"}) {
            String cause = Fetcher.unavailabilityCause(kind);
            if (cause != null) {
                sb.append(' ').append(kind).append(" skipped (").append(cause).append(");");
                continue;
            }
            try {
                Fetcher f = kind.equals(fetcher.kind) ? fetcher : Fetcher.create(kind, net.client.namespace, dir, o.size);
                long t0 = System.nanoTime();
                long n = f.fetch(r.peer.address, r.peer.port, "/" + FILE_NAME, 1, 2);
                sb.append(String.format(Locale.ROOT, " %s %.0f MB/s;", kind, n * 1e3 / (System.nanoTime() - t0)));
            } catch (IOException e) {
                sb.append(' ').append(kind).append(" failed (").append(e.getMessage()).append(");");
            }
        }
        clientCheck = sb.toString();
        System.err.println("real-peers: " + clientCheck);
    }

    // ---------------------------------------------------------------- measurement

    private void measure(String scenario, List<Row> rows, Random random) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        for (Row r : rows) {
            for (int mode = 0; mode < Row.MODES; mode++) {
                sample(r, mode, true);
            }
        }
        for (int rep = 0; rep < o.reps; rep++) {
            for (int mode = 0; mode < Row.MODES; mode++) {
                List<Row> order = new ArrayList<>(rows);
                Collections.shuffle(order, random);
                for (Row r : order) {
                    Row.Sample s = sample(r, mode, false);
                    r.samples.get(mode).add(s);
                    System.err.printf(Locale.ROOT, "real-peers: %s rep %d/%d %s %-70s %6.0f MB/s, peer %.3f s/GiB,"
                            + " busy %.3f s/GiB, load %s%n", scenario, rep + 1, o.reps, MODE_NAMES[mode], r.name,
                            s.mbPerSecond(), s.peerPerGib(), s.busyPerGib(), Cpu.loadAverage());
                }
            }
        }
    }

    /** One fetch pattern of {@code mode} through the row; a warm-up fetches once per connection. */
    private Row.Sample sample(Row r, int mode, boolean warmUp) throws IOException {
        int connections = mode == 0 ? 1 : o.concurrency;
        int per = warmUp ? 1 : mode == 0 ? o.fetches : o.perConnection();
        r.peer.checkAlive();
        if (upstream != null) {
            upstream.checkAlive();
        }
        long p0 = r.peer.cpuTicks();
        Cpu.Machine m0 = Cpu.machine();
        long t0 = System.nanoTime();
        long bytes;
        try {
            bytes = fetcher.fetch(r.peer.address, r.peer.port, "/" + FILE_NAME, connections, per);
        } catch (IOException e) {
            throw new IOException(r.name + ", " + MODE_NAMES[mode] + ": " + e.getMessage() + "; peer log: "
                    + r.peer.logTail(), e);
        }
        long t1 = System.nanoTime();
        Cpu.Machine m1 = Cpu.machine();
        long p1 = r.peer.cpuTicks();
        return new Row.Sample(bytes, t1 - t0, p1 - p0, m1.busy - m0.busy, m1.softirq - m0.softirq);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("real-peers: cannot delete " + root + ": " + e);
        }
    }
}

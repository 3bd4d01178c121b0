package io.zerocopy.bench;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The network of the veth scenarios, made for one run and removed after it: network namespaces,
 * each joined to the root namespace, where the mover stays, by a veth pair of MTU
 * {@value #MTU}. The sink's namespace serves file->socket and the proxy's output; the feeder's
 * namespace the proxy's input; a third pair, built on request, sends from its root end through
 * a tbf qdisc ({@link #TBF}) to its own sink. Each pair is a /30 of {@code 10.213.0.0/16}: the
 * root end takes the first host address, the namespace end the second. The MTU sets TCP's
 * segment size (1448 bytes); veth still hands GSO batches of segments across, as a NIC with
 * TSO and GRO would.
 *
 * <p>Names carry the process id, so that concurrent runs never clash: namespaces
 * {@code zcb-<pid>-sink|feed|tbf}, root-side devices {@code zcb<pid>s|f|t} (the namespace ends
 * are {@code veth0} inside their namespace). A run takes the first /28 of the range, starting
 * at one derived from its process id, that no address of the root namespace uses.
 *
 * <p>Lifetime: {@link #create} first removes what runs that no longer exist left behind,
 * builds everything or, on failure, removes what it built; {@link #close()} removes it all, and
 * so does a shutdown hook if the JVM exits first (Ctrl-C). Sockets opened in a namespace must
 * be closed before {@link #close()}, so that the namespace is freed with its last reference.
 */
final class VethNetwork implements AutoCloseable {

    static final int MTU = 1500;
    /** The shaped pair's rate, in tc's notation. */
    static final String TBF_RATE = "1gbit";
    /** The qdisc on the shaped pair's root end, as tc's arguments after {@code root}. */
    static final List<String> TBF = List.of("tbf", "rate", TBF_RATE, "burst", "256kb", "latency", "100ms");
    /** Prefix of every namespace this class names; root devices start with {@link #DEVICE_PREFIX}. */
    static final String PREFIX = "zcb-";
    static final String DEVICE_PREFIX = "zcb";
    /** The namespace end of every pair, inside its namespace. */
    static final String FAR_DEVICE = "veth0";

    private static final Pattern STALE_NAMESPACE = Pattern.compile("zcb-(\\d+)-[a-z]+");
    private static final Pattern STALE_DEVICE = Pattern.compile("zcb(\\d+)[a-z]");
    private static final int RANGE = (10 << 24) | (213 << 16);
    private static final int BLOCKS = 1 << 12;
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;

    /** One veth pair: the root end in the root namespace, the far end in {@link #ns}. */
    static final class Pair {
        final NetNamespace ns;
        final String rootDevice;
        final InetAddress rootAddress;
        final InetAddress farAddress;

        Pair(NetNamespace ns, String rootDevice, InetAddress rootAddress, InetAddress farAddress) {
            this.ns = ns;
            this.rootDevice = rootDevice;
            this.rootAddress = rootAddress;
            this.farAddress = farAddress;
        }

        /**
         * @return a listening IPv4 socket bound to an ephemeral port of the far address, created
         *     inside the pair's namespace; the caller owns it
         * @throws IOException if the namespace cannot be joined or the socket bound
         */
        ServerSocketChannel listen() throws IOException {
            return ns.call(() -> {
                ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
                try {
                    return s.bind(new InetSocketAddress(farAddress, 0), 64);
                } catch (IOException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            });
        }

        /** @return bytes the root end has sent and received, from the root namespace's sysfs; -1 if unknown */
        long[] rootCounters() {
            Path stats = Path.of("/sys/class/net", rootDevice, "statistics");
            try {
                return new long[] {Long.parseLong(Files.readString(stats.resolve("tx_bytes")).trim()),
                    Long.parseLong(Files.readString(stats.resolve("rx_bytes")).trim())};
            } catch (IOException | NumberFormatException e) {
                return new long[] {-1, -1};
            }
        }

        @Override
        public String toString() {
            return rootDevice + " " + rootAddress.getHostAddress() + "/30 <-> " + ns.name + ":" + FAR_DEVICE + " "
                    + farAddress.getHostAddress() + "/30";
        }
    }

    /** The sink's pair: file->socket, and the proxy's output. */
    final Pair sink;
    /** The feeder's pair: the proxy's input. */
    final Pair feeder;
    /** The pair whose root end is shaped by {@link #TBF}; null if not asked for or tc could not shape it. */
    final Pair shaped;
    /** Why tc could not shape {@link #shaped}; null if it could or was not asked to. */
    final String shapedFailure;
    /** What {@link #create} removed of earlier runs, for the report's notes. */
    final List<String> removedStale;

    private final List<String> namespaces = new ArrayList<>();
    private final List<String> devices = new ArrayList<>();
    private final Thread cleanup = new Thread(this::removeQuietly, "zc-bench-veth-cleanup");
    private boolean closed;

    /** Builds every pair, or removes what it built and throws. */
    private VethNetwork(long pid, int block, boolean withShaped, List<String> removedStale) throws IOException {
        this.removedStale = removedStale;
        Runtime.getRuntime().addShutdownHook(cleanup);
        int base = RANGE + block * 16;
        try {
            sink = pair(pid, "sink", 's', base);
            feeder = pair(pid, "feed", 'f', base + 4);
            Pair p = null;
            String failure = null;
            if (withShaped) {
                p = pair(pid, "tbf", 't', base + 8);
                try {
                    List<String> args = new ArrayList<>(List.of("qdisc", "add", "dev", p.rootDevice, "root"));
                    args.addAll(TBF);
                    Iproute2.run("tc", args.toArray(new String[0]));
                } catch (IOException e) {
                    failure = e.getMessage();
                    p = null;
                }
            }
            shaped = p;
            shapedFailure = failure;
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Builds the network of this process.
     *
     * @param withShaped whether to build the shaped pair too
     * @return the network, which the caller must close
     * @throws Row.Unavailable with the reason if this process may not or cannot build it (not
     *     Linux, no iproute2, no CAP_NET_ADMIN and CAP_SYS_ADMIN, no setns binding, or a
     *     command refused); nothing is left behind
     */
    static VethNetwork create(boolean withShaped) throws Row.Unavailable {
        String cause = unavailabilityCause();
        if (cause != null) {
            throw new Row.Unavailable(cause);
        }
        List<String> stale = removeStale();
        long pid = ProcessHandle.current().pid();
        int block;
        try {
            block = freeBlock(pid);
        } catch (IOException e) {
            throw new Row.Unavailable("cannot list the root namespace's addresses: " + e.getMessage());
        }
        try {
            return new VethNetwork(pid, block, withShaped, stale);
        } catch (IOException | RuntimeException e) {
            throw new Row.Unavailable("cannot build the veth network: " + e.getMessage());
        }
    }

    /** @return why this process cannot build the network, or null if it can try */
    static String unavailabilityCause() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "veth needs Linux";
        }
        if (Iproute2.find("ip") == null) {
            return "no ip (iproute2) found";
        }
        long caps;
        try {
            caps = effectiveCapabilities();
        } catch (IOException | RuntimeException e) {
            return "cannot read the process's capabilities: " + e;
        }
        if ((caps & (1L << CAP_NET_ADMIN)) == 0 || (caps & (1L << CAP_SYS_ADMIN)) == 0) {
            return "needs CAP_NET_ADMIN and CAP_SYS_ADMIN (run as root) to create network namespaces";
        }
        return NetNamespace.bindingFailure();
    }

    /** @return the CapEff bits of this process */
    private static long effectiveCapabilities() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
            }
        }
        throw new IOException("no CapEff in /proc/self/status");
    }

    /**
     * Removes the namespaces and root-side devices of runs whose process no longer exists.
     *
     * @return what was removed, or could not be, one line each
     */
    static List<String> removeStale() {
        return NetworkLeftovers.removeStale(STALE_DEVICE, STALE_NAMESPACE, "zerocopy-bench");
    }

    /** @return the first /28 of the range, from one derived from {@code pid}, that the root namespace does not use */
    private static int freeBlock(long pid) throws IOException {
        return NetworkLeftovers.freeBlock(pid, RANGE, BLOCKS, 16);
    }

    /**
     * Creates namespace {@code zcb-<pid>-<role>} and a veth pair into it, addressed from the
     * /30 at {@code subnet}; records both for removal before anything can fail.
     */
    private Pair pair(long pid, String role, char device, int subnet) throws IOException {
        String ns = PREFIX + pid + "-" + role;
        String dev = DEVICE_PREFIX + pid + device;
        InetAddress root = address(subnet + 1);
        InetAddress far = address(subnet + 2);
        String mtu = Integer.toString(MTU);
        namespaces.add(ns);
        Iproute2.run("ip", "netns", "add", ns);
        devices.add(dev);
        Iproute2.run("ip", "link", "add", dev, "mtu", mtu, "type", "veth", "peer", "name", FAR_DEVICE, "mtu", mtu,
                "netns", ns);
        Iproute2.run("ip", "addr", "add", root.getHostAddress() + "/30", "dev", dev);
        Iproute2.run("ip", "link", "set", dev, "up");
        Iproute2.run("ip", "-n", ns, "addr", "add", far.getHostAddress() + "/30", "dev", FAR_DEVICE);
        Iproute2.run("ip", "-n", ns, "link", "set", FAR_DEVICE, "up");
        return new Pair(new NetNamespace(ns), dev, root, far);
    }

    private static InetAddress address(int a) {
        try {
            return Inet4Address.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8),
                (byte) a});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** @return one line for the report: the pairs, MTU and qdisc */
    String describe() {
        return "veth: the mover in the root network namespace; MTU " + MTU + "; sink pair " + sink + "; feeder pair "
                + feeder + (shaped != null ? "; shaped pair " + shaped + " with `tc qdisc add dev " + shaped.rootDevice
                        + " root " + String.join(" ", TBF) + "`" : shapedFailure != null ? "; no shaped pair ("
                        + shapedFailure + ")" : "");
    }

    /** @return one line for the report: the bytes each root end sent and received so far */
    String traffic() {
        StringBuilder sb = new StringBuilder("veth traffic at the root ends (sent/received):");
        for (Pair p : shaped == null ? List.of(sink, feeder) : List.of(sink, feeder, shaped)) {
            long[] c = p.rootCounters();
            sb.append(String.format(Locale.ROOT, " %s %.1f/%.1f MiB;", p.rootDevice, c[0] / 1048576.0,
                    c[1] / 1048576.0));
        }
        return sb.toString();
    }

    private void removeQuietly() {
        for (String problem : remove()) {
            System.err.println("zerocopy-bench: " + problem);
        }
    }

    /** @return what could not be removed, one line each */
    private synchronized List<String> remove() {
        List<String> problems = new ArrayList<>();
        if (closed) {
            return problems;
        }
        closed = true;
        for (String dev : devices) {
            try {
                Iproute2.run("ip", "link", "del", "dev", dev);
            } catch (IOException e) {
                if (Files.exists(Path.of("/sys/class/net", dev))) {
                    problems.add(e.getMessage());
                }
            }
        }
        for (String ns : namespaces) {
            try {
                Iproute2.run("ip", "netns", "del", ns);
            } catch (IOException e) {
                if (Files.exists(Path.of(NetNamespace.DIR, ns))) {
                    problems.add(e.getMessage());
                }
            }
        }
        return problems;
    }

    /**
     * Removes the pairs and namespaces.
     *
     * @throws IOException naming whatever could not be removed
     */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs anyway
        }
        List<String> problems = remove();
        if (!problems.isEmpty()) {
            throw new IOException("veth network not fully removed: " + String.join("; ", problems));
        }
    }
}

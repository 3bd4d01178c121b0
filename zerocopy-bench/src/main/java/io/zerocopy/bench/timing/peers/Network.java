package io.zerocopy.bench.timing.peers;

import io.zerocopy.bench.Commands;
import io.zerocopy.bench.NetworkLeftovers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The run's network: namespaces {@code zcp-<pid>-client} and {@code zcp-<pid>-upstream}, each
 * joined to the root namespace (where the servers and proxies run) by a veth pair of MTU
 * {@value #MTU}. Each pair is a /30 of {@code 10.215.0.0/16}: the root end takes the first
 * host address, the namespace end ({@code veth0} inside its namespace) the second; the run takes
 * the first /29 not used by any address of the root namespace, from one derived from its
 * process id. No routing or forwarding: the client reaches only the root end of its pair, the
 * proxy reaches the upstream at the far end of the other.
 *
 * <p>{@link #create} first removes what runs that no longer exist left behind, and registers
 * the removal of each thing with the {@link Undo} before making it.
 */
final class Network {

    static final int MTU = 1500;
    static final String FAR_DEVICE = "veth0";

    private static final Pattern STALE_NAMESPACE = Pattern.compile("zcp-(\\d+)-[a-z]+");
    private static final Pattern STALE_DEVICE = Pattern.compile("zcp(\\d+)[a-z]");
    private static final int RANGE = (10 << 24) | (215 << 16);
    private static final int BLOCKS = 1 << 13;
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;

    /** One veth pair. */
    static final class Pair {
        final String namespace;
        final String rootDevice;
        final String rootAddress;
        final String farAddress;

        Pair(String namespace, String rootDevice, String rootAddress, String farAddress) {
            this.namespace = namespace;
            this.rootDevice = rootDevice;
            this.rootAddress = rootAddress;
            this.farAddress = farAddress;
        }

        @Override
        public String toString() {
            return rootDevice + " " + rootAddress + "/30 <-> " + namespace + ":" + FAR_DEVICE + " " + farAddress + "/30";
        }
    }

    final Pair client;
    final Pair upstream;
    final List<String> removedStale;

    private Network(Pair client, Pair upstream, List<String> removedStale) {
        this.client = client;
        this.upstream = upstream;
        this.removedStale = removedStale;
    }

    /** @return why this process cannot build the network, or null */
    static String unavailabilityCause() {
        if (Commands.find("ip") == null) {
            return "no ip (iproute2) found";
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    if ((caps & (1L << CAP_NET_ADMIN)) == 0 || (caps & (1L << CAP_SYS_ADMIN)) == 0) {
                        return "needs CAP_NET_ADMIN and CAP_SYS_ADMIN (run as root) to create network namespaces";
                    }
                    return null;
                }
            }
            return "no CapEff in /proc/self/status";
        } catch (IOException | RuntimeException e) {
            return "cannot read the process's capabilities (not Linux?): " + e;
        }
    }

    /**
     * Builds the network; on failure the undo removes what was built.
     *
     * @param undo where the removals are registered
     * @return the network
     * @throws IOException if a command fails
     */
    static Network create(Undo undo) throws IOException {
        List<String> stale = removeStale();
        long pid = ProcessHandle.current().pid();
        int base = RANGE + freeBlock(pid) * 8;
        Pair client = pair(undo, pid, "client", 'c', base);
        Pair upstream = pair(undo, pid, "upstream", 'u', base + 4);
        return new Network(client, upstream, stale);
    }

    private static Pair pair(Undo undo, long pid, String role, char device, int subnet) throws IOException {
        String ns = "zcp-" + pid + "-" + role;
        String dev = "zcp" + pid + device;
        String root = NetworkLeftovers.dotted(subnet + 1);
        String far = NetworkLeftovers.dotted(subnet + 2);
        String mtu = Integer.toString(MTU);
        undo.add("namespace " + ns, () -> quietly("ip", "netns", "del", ns));
        Commands.run("ip", "netns", "add", ns);
        undo.add("device " + dev, () -> {
            if (Files.exists(Path.of("/sys/class/net", dev))) {
                quietly("ip", "link", "del", "dev", dev);
            }
        });
        Commands.run("ip", "link", "add", dev, "mtu", mtu, "type", "veth", "peer", "name", FAR_DEVICE, "mtu", mtu,
                "netns", ns);
        Commands.run("ip", "addr", "add", root + "/30", "dev", dev);
        Commands.run("ip", "link", "set", dev, "up");
        Commands.run("ip", "-n", ns, "addr", "add", far + "/30", "dev", FAR_DEVICE);
        Commands.run("ip", "-n", ns, "link", "set", FAR_DEVICE, "up");
        Commands.run("ip", "-n", ns, "link", "set", "lo", "up");
        return new Pair(ns, dev, root, far);
    }

    private static void quietly(String... command) {
        try {
            Commands.run(command);
        } catch (IOException e) {
            System.err.println("real-peers: " + e.getMessage());
        }
    }

    /** @return what was removed of runs whose process no longer exists, one line each */
    private static List<String> removeStale() {
        return NetworkLeftovers.removeStale(STALE_DEVICE, STALE_NAMESPACE, "real-peers");
    }

    /** @return the first /29 of the range, from one derived from {@code pid}, that the root namespace does not use */
    private static int freeBlock(long pid) throws IOException {
        return NetworkLeftovers.freeBlock(pid, RANGE, BLOCKS, 8);
    }
}

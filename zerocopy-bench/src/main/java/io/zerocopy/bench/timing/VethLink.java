package io.zerocopy.bench.timing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Pattern;

import io.zerocopy.bench.Commands;
import io.zerocopy.bench.NetworkLeftovers;
import jnr.ffi.LibraryLoader;

/**
 * One veth pair of MTU {@value #MTU} for a timing run: the root end {@code zcm<pid>r} in the
 * root network namespace, where the sender stays, the far end ({@code veth0}) in namespace
 * {@code zcm-<pid>-recv}, where {@link #listen()} opens the receiver's socket. The pair is a /30
 * of {@code 10.217.0.0/16} (root end the first host address, far end the second), the first
 * not used by any address of the root namespace, from one derived from the process id.
 *
 * <p>Lifetime: {@link #create()} first removes what runs that no longer exist left behind
 * ({@link NetworkLeftovers}), registers a shutdown hook, records each device and namespace for
 * removal before making it, and on failure removes what it made. {@link #close()} removes both
 * and the hook; the hook removes them if the JVM exits first (Ctrl-C, an uncaught error).
 * Removal is idempotent. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and {@code ip}.
 */
final class VethLink implements AutoCloseable {

    static final int MTU = 1500;
    static final String FAR_DEVICE = "veth0";

    private static final Pattern STALE_NAMESPACE = Pattern.compile("zcm-(\\d+)-[a-z]+");
    private static final Pattern STALE_DEVICE = Pattern.compile("zcm(\\d+)[a-z]");
    private static final int RANGE = (10 << 24) | (217 << 16);
    private static final int BLOCKS = 1 << 14;
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;
    private static final String NETNS_DIR = "/var/run/netns";

    final String namespace;
    final String rootDevice;
    final InetAddress rootAddress;
    final InetAddress farAddress;
    final List<String> removedStale;

    private final List<String> devices = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final Thread hook = new Thread(this::removeQuietly, "zcm-veth-cleanup");
    private boolean removed;

    private VethLink(long pid, int block, List<String> removedStale) throws IOException {
        this.removedStale = removedStale;
        int subnet = RANGE + block * 4;
        namespace = "zcm-" + pid + "-recv";
        rootDevice = "zcm" + pid + "r";
        rootAddress = InetAddress.getByName(NetworkLeftovers.dotted(subnet + 1));
        farAddress = InetAddress.getByName(NetworkLeftovers.dotted(subnet + 2));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            String mtu = Integer.toString(MTU);
            namespaces.add(namespace);
            Commands.run("ip", "netns", "add", namespace);
            devices.add(rootDevice);
            Commands.run("ip", "link", "add", rootDevice, "mtu", mtu, "type", "veth", "peer", "name", FAR_DEVICE,
                    "mtu", mtu, "netns", namespace);
            Commands.run("ip", "addr", "add", rootAddress.getHostAddress() + "/30", "dev", rootDevice);
            Commands.run("ip", "link", "set", rootDevice, "up");
            Commands.run("ip", "-n", namespace, "addr", "add", farAddress.getHostAddress() + "/30", "dev", FAR_DEVICE);
            Commands.run("ip", "-n", namespace, "link", "set", FAR_DEVICE, "up");
            Commands.run("ip", "-n", namespace, "link", "set", "lo", "up");
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
     * Builds the link.
     *
     * @return the link, which the caller must close
     * @throws IOException saying why this process cannot build it (not root, no {@code ip}, no
     *     setns binding, a command refused); nothing is left behind
     */
    static VethLink create() throws IOException {
        String cause = unavailabilityCause();
        if (cause != null) {
            throw new IOException(cause);
        }
        List<String> stale = NetworkLeftovers.removeStale(STALE_DEVICE, STALE_NAMESPACE, "MemorySendVeth");
        long pid = ProcessHandle.current().pid();
        return new VethLink(pid, NetworkLeftovers.freeBlock(pid, RANGE, BLOCKS, 4), stale);
    }

    /** @return why this process cannot build the link, or null */
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
                    return Holder.LIBC == null ? Holder.FAILURE : null;
                }
            }
            return "no CapEff in /proc/self/status";
        } catch (IOException | RuntimeException e) {
            return "cannot read the process's capabilities (not Linux?): " + e;
        }
    }

    /**
     * Opens the receiver's listening socket inside the far namespace: a fresh thread joins it
     * with {@code setns(2)} (which moves that thread only), binds an IPv4 socket to an ephemeral
     * port of {@link #farAddress}, and ends. The socket, and every socket it accepts, stays in
     * the far namespace whichever thread uses it.
     *
     * @return the listening socket; the caller owns it and closes it before {@link #close()}
     * @throws IOException if the namespace cannot be joined or the socket bound
     */
    ServerSocketChannel listen() throws IOException {
        FutureTask<ServerSocketChannel> f = new FutureTask<>(() -> {
            join();
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
            try {
                return s.bind(new InetSocketAddress(farAddress, 0), 4);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        });
        Thread t = new Thread(f, "zcm-netns-" + namespace);
        t.setDaemon(true);
        t.start();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening a socket in " + namespace, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException ? (IOException) c : new IOException("in " + namespace + ": " + c, c);
        }
    }

    private void join() throws IOException {
        LibC c = Holder.LIBC;
        if (c == null) {
            throw new IOException("cannot join " + namespace + ": " + Holder.FAILURE);
        }
        String path = NETNS_DIR + "/" + namespace;
        int fd = c.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("open(" + path + "): errno " + jnr.ffi.Runtime.getRuntime(c).getLastError());
        }
        try {
            if (c.setns(fd, LibC.CLONE_NEWNET) != 0) {
                throw new IOException("setns(" + path + ", CLONE_NEWNET): errno "
                        + jnr.ffi.Runtime.getRuntime(c).getLastError());
            }
        } finally {
            c.close(fd);
        }
    }

    /** @return the pair in one line, for the run's header */
    String describe() {
        return rootDevice + " " + rootAddress.getHostAddress() + "/30 (root namespace, sender) <-> " + namespace + ":"
                + FAR_DEVICE + " " + farAddress.getHostAddress() + "/30 (receiver), MTU " + MTU;
    }

    private void removeQuietly() {
        for (String problem : remove()) {
            System.err.println("MemorySendVeth: " + problem);
        }
    }

    /** @return what could not be removed, one line each; the devices go before the namespace */
    private synchronized List<String> remove() {
        List<String> problems = new ArrayList<>();
        if (removed) {
            return problems;
        }
        removed = true;
        for (String dev : devices) {
            if (Files.exists(Path.of("/sys/class/net", dev))) {
                try {
                    Commands.run("ip", "link", "del", "dev", dev);
                } catch (IOException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        for (String ns : namespaces) {
            if (Files.exists(Path.of(NETNS_DIR, ns))) {
                try {
                    Commands.run("ip", "netns", "del", ns);
                } catch (IOException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        return problems;
    }

    /**
     * Removes the pair and the namespace, and the hook.
     *
     * @throws IOException naming what could not be removed
     */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs anyway
        }
        List<String> problems = remove();
        if (!problems.isEmpty()) {
            throw new IOException("veth link not fully removed: " + String.join("; ", problems));
        }
    }

    /** The C library calls {@link #listen()} makes, bound with jnr-ffi. Public for jnr-ffi only. */
    public interface LibC {
        int O_RDONLY = 0;
        int O_CLOEXEC = 0x80000;
        int CLONE_NEWNET = 0x40000000;

        /** open(2). */
        int open(String path, int flags);

        /** setns(2). */
        int setns(int fd, int nstype);

        /** close(2). */
        int close(int fd);
    }

    /** Loads the binding once, keeping the cause if it cannot be loaded. */
    private static final class Holder {
        static final LibC LIBC;
        static final String FAILURE;

        static {
            LibC c = null;
            String failure = null;
            try {
                c = LibraryLoader.create(LibC.class).failImmediately().load("c");
            } catch (RuntimeException | LinkageError e) {
                failure = "jnr-ffi could not bind open/setns/close of the C library: " + e;
            }
            LIBC = c;
            FAILURE = failure;
        }
    }
}

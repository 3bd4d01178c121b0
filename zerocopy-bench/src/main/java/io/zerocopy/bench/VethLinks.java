package io.zerocopy.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * A {@link VethNetwork} (sink and feeder pairs, no shaped pair) for the timing programs in
 * other packages of the bench, whose peers run in the pairs' namespaces as processes of their
 * own ({@code ip netns exec}). The program in the root namespace reaches the feeder's namespace
 * at {@link #feederFarAddress()}; processes in the sink's namespace reach it at
 * {@link #sinkRootAddress()}. Not API.
 *
 * <p>Lifetime as {@link VethNetwork}'s: {@link #create()} removes what dead runs left and
 * builds everything or nothing; {@link #close()} removes it all, and so does a shutdown hook
 * if the JVM exits first. Processes started in the namespaces should be ended before
 * {@link #close()}: a namespace is freed with its last process.
 */
public final class VethLinks implements AutoCloseable {

    private final VethNetwork net;

    private VethLinks(VethNetwork net) {
        this.net = net;
    }

    /**
     * @return the network, which the caller must close
     * @throws IOException saying why it cannot be built (not root, no iproute2, ...); nothing is left behind
     */
    public static VethLinks create() throws IOException {
        try {
            return new VethLinks(VethNetwork.create(false));
        } catch (Row.Unavailable e) {
            throw new IOException("no veth network: " + e.getMessage(), e);
        }
    }

    /** @return the MTU of both pairs */
    public static int mtu() {
        return VethNetwork.MTU;
    }

    /** @return the sink pair's namespace name, for {@code ip netns exec} */
    public String sinkNamespace() {
        return net.sink.ns.name;
    }

    /** @return the sink pair's root end: where processes in {@link #sinkNamespace()} reach the root namespace */
    public InetAddress sinkRootAddress() {
        return net.sink.rootAddress;
    }

    /** @return the feeder pair's namespace name, for {@code ip netns exec} */
    public String feederNamespace() {
        return net.feeder.ns.name;
    }

    /** @return the feeder pair's far end, inside {@link #feederNamespace()}: where the root namespace reaches it */
    public InetAddress feederFarAddress() {
        return net.feeder.farAddress;
    }

    /** @return what {@link #create()} removed of earlier runs, one line each */
    public List<String> removedStale() {
        return net.removedStale;
    }

    /** @return one line: the pairs and their MTU */
    public String describe() {
        return net.describe();
    }

    /** @return one line: the bytes each root end has sent and received so far */
    public String traffic() {
        return net.traffic();
    }

    /**
     * Removes the pairs and namespaces.
     *
     * @throws IOException naming whatever could not be removed
     */
    @Override
    public void close() throws IOException {
        net.close();
    }
}

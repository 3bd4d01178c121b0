package io.zerocopy.bench;

import java.util.Locale;

/**
 * The transfer shapes the report measures, each over one network path. Declaration order is
 * the order of the report's tables: each loopback scenario is followed by its veth twins.
 */
enum Scenario {
    /** A cached file served once to a loopback client (the seed experiment). */
    FILE_SOCKET("fs", "file->socket", Shape.FILE_SOCKET, Via.LOOPBACK),
    /** A cached file served once to a client in another network namespace, over a veth pair (MTU 1500). */
    FILE_SOCKET_VETH("fv", "file->socket over veth", Shape.FILE_SOCKET, Via.VETH),
    /** As {@link #FILE_SOCKET_VETH}, with a token bucket of 1 Gbit/s on the sending end of the veth pair. */
    FILE_SOCKET_TBF("ft", "file->socket over veth at 1 Gbit/s (tbf)", Shape.FILE_SOCKET, Via.VETH_TBF),
    /** A proxy relaying one loopback connection into another until end of stream. */
    SOCKET_SOCKET("ss", "socket->socket", Shape.SOCKET_SOCKET, Via.LOOPBACK),
    /**
     * A proxy in the root network namespace relaying a connection from a feeder in one namespace
     * into a sink in another, over two veth pairs (MTU 1500).
     */
    SOCKET_SOCKET_VETH("sv", "socket->socket over veth", Shape.SOCKET_SOCKET, Via.VETH),
    /** A cached file copied over a cached destination file of the same size (no truncation). */
    FILE_FILE("ff", "file->file", Shape.FILE_FILE, Via.NONE),
    /**
     * One cached file delivered to {@link Fanout#TARGETS} loopback sockets, each drained by its
     * own reader thread ({@code ZeroCopy.broadcast} against separate transfers).
     */
    BROADCAST("bc", "broadcast", Shape.BROADCAST, Via.LOOPBACK);

    /** What moves where, whatever the network path. */
    enum Shape {
        /** From offset 0 of a cached file to a connected socket. */
        FILE_SOCKET,
        /** From one connected socket to another until end of stream (a proxy). */
        SOCKET_SOCKET,
        /** From one cached file to another. */
        FILE_FILE,
        /** From one cached file to {@link Fanout#TARGETS} sockets. */
        BROADCAST
    }

    /** The network path between the mover and its socket peers. */
    enum Via {
        /** The loopback device of the root namespace (MTU 65536). */
        LOOPBACK,
        /** Veth pairs into network namespaces of their own ({@link VethNetwork}, MTU 1500). */
        VETH,
        /** A veth pair whose root end is shaped to {@link VethNetwork#TBF_RATE} by a tbf qdisc. */
        VETH_TBF,
        /** No network: file to file. */
        NONE
    }

    /** The option's code, e.g. {@code fv}. */
    final String code;
    /** The label in the CSV files and the report, e.g. {@code file->socket over veth}. */
    final String label;
    final Shape shape;
    final Via via;

    Scenario(String code, String label, Shape shape, Via via) {
        this.code = code;
        this.label = label;
        this.shape = shape;
        this.via = via;
    }

    /** @return whether the scenario needs the veth network */
    boolean overVeth() {
        return via == Via.VETH || via == Via.VETH_TBF;
    }

    /**
     * @return the heading of the scenario's table and chart: the label, naming loopback for the
     *     loopback socket scenarios (whose CSV label predates the veth scenarios)
     */
    String title() {
        return via == Via.LOOPBACK && shape != Shape.BROADCAST ? label + " over loopback" : label;
    }

    static Scenario parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (Scenario sc : values()) {
            if (sc.code.equals(k) || sc.label.equals(k) || sc.name().toLowerCase(Locale.ROOT).equals(k)) {
                return sc;
            }
        }
        throw new IllegalArgumentException("unknown scenario: " + s + " (" + codes() + ")");
    }

    /** @return every scenario's code, comma-separated */
    static String codes() {
        StringBuilder sb = new StringBuilder();
        for (Scenario sc : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(sc.code);
        }
        return sb.toString();
    }
}

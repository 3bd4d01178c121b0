package io.zerocopy.bench;

import java.util.Locale;

/** The transfer shapes the report measures. */
enum Scenario {
    /** A cached file served once to a loopback client (the seed experiment). */
    FILE_SOCKET("fs", "file->socket"),
    /** A proxy relaying one loopback connection into another until end of stream. */
    SOCKET_SOCKET("ss", "socket->socket"),
    /** A cached file copied over a cached destination file of the same size (no truncation). */
    FILE_FILE("ff", "file->file"),
    /**
     * One cached file delivered to {@link Fanout#TARGETS} loopback sockets, each drained by its
     * own reader thread ({@code ZeroCopy.broadcast} against separate transfers).
     */
    BROADCAST("bc", "broadcast");

    final String code;
    final String label;

    Scenario(String code, String label) {
        this.code = code;
        this.label = label;
    }

    static Scenario parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (Scenario sc : values()) {
            if (sc.code.equals(k) || sc.label.equals(k) || sc.name().toLowerCase(Locale.ROOT).equals(k)) {
                return sc;
            }
        }
        throw new IllegalArgumentException("unknown scenario: " + s + " (fs, ss, ff, bc)");
    }
}

package io.zerocopy.bench.timing.proxy;

import java.util.Locale;

/** Byte counts with K, M and G suffixes (powers of 1024), read from options and written in reports. */
final class Units {

    private Units() { }

    /** @return {@code v} in bytes: a number with an optional K, M or G suffix */
    static long bytes(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        int shift = 0;
        if (s.endsWith("K") || s.endsWith("M") || s.endsWith("G")) {
            shift = "KMG".indexOf(s.charAt(s.length() - 1)) * 10 + 10;
            s = s.substring(0, s.length() - 1);
        }
        return Long.parseLong(s) << shift;
    }

    /** @return {@code bytes} in the largest of GiB, MiB, KiB that divides it, else in bytes */
    static String human(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        return bytes % (1L << 10) == 0 ? (bytes >> 10) + " KiB" : bytes + " bytes";
    }
}

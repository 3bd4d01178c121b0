package io.zerocopy.testkit;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/** Deterministic pseudo-random payloads, cached by size and seed. */
public final class Payloads {

    /** The sizes of the integrity matrix: boundaries around pages, buffers and large transfers. */
    public static final long[] MATRIX_SIZES = {0, 1, 4095, 4096, 4097, 65535, 65536, 65537, (1 << 20) + 3, 64L << 20};

    private static final Map<Long, byte[]> CACHE = new ConcurrentHashMap<>();

    private Payloads() { }

    /**
     * @param size bytes
     * @param seed the seed
     * @return {@code size} pseudo-random bytes, the same for the same arguments; callers must not modify them
     */
    public static byte[] of(int size, long seed) {
        return CACHE.computeIfAbsent(size * 31L + seed * 1_000_003L, k -> generate(size, seed));
    }

    /**
     * @param size bytes
     * @param seed the seed
     * @return a fresh array
     */
    public static byte[] generate(int size, long seed) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        int i = 0;
        for (; i + 8 <= size; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8; j++) {
                b[i + j] = (byte) (v >>> (j * 8));
            }
        }
        for (; i < size; i++) {
            b[i] = (byte) r.nextInt();
        }
        return b;
    }

    /**
     * Fails with the first differing index if the arrays differ.
     *
     * @param expected expected bytes
     * @param actual actual bytes
     * @param what a description for the message
     */
    public static void assertSameBytes(byte[] expected, byte[] actual, String what) {
        int at = java.util.Arrays.mismatch(expected, actual);
        if (at >= 0) {
            throw new AssertionError(what + ": content differs at byte " + at + " (expected length " + expected.length
                    + ", actual " + actual.length + ")");
        }
    }
}

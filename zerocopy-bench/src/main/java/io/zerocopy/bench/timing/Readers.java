package io.zerocopy.bench.timing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * What the timing runs share: the loopback reader threads and the median (public for the runs
 * in sub-packages, such as {@code proxy}; not API).
 */
public final class Readers {

    private Readers() { }

    /**
     * Starts a daemon thread that reads {@code ch} to its end into a direct buffer of
     * {@code bufferBytes}, reporting each read's count; a read error (the channel closed at the
     * end of the run) ends it quietly.
     *
     * @return the started thread
     */
    public static Thread drain(SocketChannel ch, int bufferBytes, IntConsumer counted, String name) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(bufferBytes);
            try {
                int n;
                while ((n = ch.read(buf)) >= 0) {
                    counted.accept(n);
                    buf.clear();
                }
            } catch (IOException e) {
                // closed at the end
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * @param v the values, not empty; not modified
     * @return the middle value of {@code v} sorted, the upper of the two middle ones for an even count
     */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}

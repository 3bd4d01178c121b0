package io.zerocopy.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Loopback;

/**
 * Memory sends over loopback: {@code sendZc} against the gathering write ({@code copy}), one
 * JVM, the two interleaved per round, round 0 warm-up. Reports per send size the sender's wall
 * time and the sending thread's CPU time per GiB (the receiver, a thread draining into a direct
 * buffer, is the same for both). Args: rounds totalMiB sizeKiB... Not a test; run on JDK 22+:
 * {@code mvn -q -pl zerocopy-linux -am package -DskipTests}, then
 * {@code java --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp zerocopy-linux/target/test-classes:zerocopy-linux/target/classes/META-INF/versions/22:zerocopy-linux/target/classes:zerocopy-core/target/zerocopy-core-0.1.0-SNAPSHOT.jar:zerocopy-core/target/zerocopy-core-0.1.0-SNAPSHOT-tests.jar io.zerocopy.linux.SendZcTiming 3 512 64 1024 16384}.
 */
public final class SendZcTiming {

    private SendZcTiming() { }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        long total = Long.parseLong(args[1]) << 20;
        if (!Linux.ioUringAvailable()) {
            throw new IllegalStateException("io_uring unavailable", Linux.ioUringUnavailabilityCause());
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TransferEngine zc = ZeroCopy.builder().threshold(0).addFirst(Linux.sendZc()).build();
        TransferEngine copy = ZeroCopy.builder().threshold(0).strategies("copy").build();
        System.out.println("sizeKiB strategy round MiB/s cpu-ms/GiB");
        for (int r = 0; r <= rounds; r++) {
            for (int a = 2; a < args.length; a++) {
                int size = Integer.parseInt(args[a]) << 10;
                for (TransferEngine engine : new TransferEngine[] {zc, copy}) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(size);
                    long sends = Math.max(1, total / size);
                    try (Loopback.Connection c = Loopback.connect()) {
                        CompletableFuture<Long> drained = drain(c.accepted);
                        long cpu = threads.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        for (long i = 0; i < sends; i++) {
                            buf.clear();
                            engine.send(new ByteBuffer[] {buf}, c.client);
                        }
                        long nanos = System.nanoTime() - t0;
                        cpu = threads.getCurrentThreadCpuTime() - cpu;
                        c.client.shutdownOutput();
                        long bytes = drained.get(60, TimeUnit.SECONDS);
                        if (bytes != sends * size) {
                            throw new IllegalStateException("received " + bytes + " of " + sends * size);
                        }
                        double gib = bytes / (double) (1L << 30);
                        if (r > 0) {
                            System.out.printf("%d %s %d %.0f %.0f%n", size >> 10, engine == zc ? "sendZc" : "copy", r,
                                    bytes / (nanos / 1e9) / (1 << 20), cpu / 1e6 / gib);
                        }
                    }
                }
            }
        }
    }

    private static CompletableFuture<Long> drain(java.nio.channels.SocketChannel in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                long n = 0;
                ByteBuffer b = ByteBuffer.allocateDirect(256 << 10);
                for (int got; (got = in.read(b)) >= 0; b.clear()) {
                    n += got;
                }
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

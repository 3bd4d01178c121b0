package io.zerocopy.bench.timing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.linux.Linux;

/**
 * A timing run (not a test, not JMH): {@code send} of one direct buffer, repeated until
 * {@code MiB} (default 256) are sent, through {@code vmsplice} and through the core's gathering
 * write ({@code copy}), per buffer size; median MB/s of {@code reps} (default 3) interleaved
 * runs. Targets: a loopback socket drained by a reader thread (vmsplice in unsafe-reuse mode,
 * since safe mode falls back for a local peer) and a file on {@code dir} (safe mode), rewritten
 * from 0. See docs/linux.md.
 *
 * <pre>java -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.VmspliceTiming [dir] [MiB] [reps]</pre>
 */
public final class VmspliceTiming {

    private static final int[] SIZES = {16 << 10, 64 << 10, 256 << 10, 1 << 20, 8 << 20};

    private VmspliceTiming() { }

    /**
     * @param args {@code [dir] [MiB] [reps]}, as in the class comment
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        long total = (args.length > 1 ? Long.parseLong(args[1]) : 256) << 20;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        TransferEngine copy = ZeroCopy.builder().strategies("copy").threshold(0).build();
        TransferEngine unsafe = ZeroCopy.builder().addFirst(Linux.vmsplice(true)).strategies("copy").threshold(0).build();
        TransferEngine safe = ZeroCopy.builder().addFirst(Linux.vmsplice()).strategies("copy").threshold(0).build();
        AtomicLong received = new AtomicLong();
        Path file = dir.resolve("zerocopy-vmsplice-timing.bin");
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            Readers.drain(server.accept(), 256 << 10, received::addAndGet, "reader");
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ)) {
                System.out.printf("MB/s, median of %d interleaved runs of %d MiB each%n", reps, total >> 20);
                System.out.printf("%10s %16s %16s %16s %16s%n", "buffer", "socket copy", "socket vmsplice*",
                        "file copy", "file vmsplice");
                for (int size : SIZES) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(size);
                    for (int i = 0; i < size; i++) {
                        buf.put(i, (byte) i);
                    }
                    double[][] r = new double[4][reps];
                    for (int rep = -1; rep < reps; rep++) {
                        double[] once = {
                            run(copy, buf, client, total, received),
                            run(unsafe, buf, client, total, received),
                            run(copy, buf, out, total, null),
                            run(safe, buf, out, total, null)};
                        for (int k = 0; rep >= 0 && k < 4; k++) {
                            r[k][rep] = once[k];
                        }
                    }
                    System.out.printf("%9dK %16.0f %16.0f %16.0f %16.0f%n", size >> 10, Readers.median(r[0]),
                            Readers.median(r[1]), Readers.median(r[2]), Readers.median(r[3]));
                }
                System.out.println("* unsafe reuse (safe mode falls back to the gathering write for a loopback peer)");
            }
            client.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double run(TransferEngine engine, ByteBuffer buf, WritableByteChannel target, long total,
            AtomicLong received) throws Exception {
        long start = received == null ? 0 : received.get();
        if (target instanceof FileChannel) {
            ((FileChannel) target).position(0);
        }
        ByteBuffer[] one = {buf};
        long t0 = System.nanoTime();
        for (long sent = 0; sent < total; sent += buf.capacity()) {
            buf.clear();
            engine.send(one, target);
        }
        while (received != null && received.get() - start < total) {
            Thread.sleep(0, 100_000);
        }
        return total / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }
}

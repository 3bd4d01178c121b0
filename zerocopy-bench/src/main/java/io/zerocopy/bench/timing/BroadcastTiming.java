package io.zerocopy.bench.timing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLongArray;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.linux.Linux;

/**
 * A timing run (not a test, not JMH): one cached file of {@code MiB} (default 256) on
 * {@code dir} to 8 loopback sockets, each drained by a reader thread, three ways: the
 * {@code tee} broadcast, 8 separate transfers (splice) one after the other, and the portable
 * {@code copy} broadcast (read once, write 8). Runs are interleaved; the median of {@code reps}
 * (default 3) is reported. CPU is given two ways: the whole process (utime + stime from
 * /proc/self/stat: sender, the 8 reader threads, JIT and GC) and the sending thread alone
 * (ThreadMXBean, user + system). See docs/broadcast.md.
 *
 * <pre>java -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.BroadcastTiming [dir] [MiB] [reps]</pre>
 */
public final class BroadcastTiming {

    private static final int TARGETS = 8;
    private static final double TICKS = 100.0;

    private BroadcastTiming() { }

    /**
     * @param args {@code [dir] [MiB] [reps]}, as in the class comment
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        long size = (args.length > 1 ? Long.parseLong(args[1]) : 256) << 20;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path src = dir.resolve("zerocopy-broadcast-src.bin");
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (FileChannel out = FileChannel.open(src, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < size; at += block.length) {
                out.write(ByteBuffer.wrap(block), at);
            }
        }
        TransferEngine tee = ZeroCopy.builder().build();
        TransferEngine separate = ZeroCopy.builder().strategies("splice", "copy").build();
        System.setProperty(Linux.TEE_PROPERTY, "false");
        TransferEngine copy = ZeroCopy.builder().build();
        System.clearProperty(Linux.TEE_PROPERTY);
        System.out.println("broadcast strategies: " + tee.broadcastStrategies() + " vs " + copy.broadcastStrategies());
        AtomicLongArray received = new AtomicLongArray(TARGETS);
        List<SocketChannel> clients = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            for (int i = 0; i < TARGETS; i++) {
                clients.add(SocketChannel.open(server.getLocalAddress()));
                int index = i;
                Readers.drain(server.accept(), 256 << 10, n -> received.addAndGet(index, n), "reader-" + i);
            }
        }
        String[] methods = {"tee broadcast", "8 separate transfers", "copy broadcast (read once, write 8)"};
        double[][] wall = new double[3][reps];
        double[][] cpu = new double[3][reps];
        double[][] sender = new double[3][reps];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (FileChannel in = FileChannel.open(src)) {
            for (int rep = -1; rep < reps; rep++) {
                for (int m = 0; m < 3; m++) {
                    long[] start = new long[TARGETS];
                    for (int i = 0; i < TARGETS; i++) {
                        start[i] = received.get(i);
                    }
                    long cpu0 = processTicks();
                    long thread0 = mx.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    if (m == 0) {
                        check(tee.broadcast(in, 0, size, clients).strategy(), "tee");
                    } else if (m == 1) {
                        for (SocketChannel c : clients) {
                            separate.transfer(in, 0, size, c);
                        }
                    } else {
                        check(copy.broadcast(in, 0, size, clients).strategy(), "copy");
                    }
                    for (int i = 0; i < TARGETS; i++) {
                        while (received.get(i) - start[i] < size) {
                            Thread.sleep(1);
                        }
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double ticks = (processTicks() - cpu0) / TICKS;
                    double thread = (mx.getCurrentThreadCpuTime() - thread0) / 1e9;
                    if (rep >= 0) {
                        wall[m][rep] = seconds;
                        cpu[m][rep] = ticks;
                        sender[m][rep] = thread;
                    }
                }
            }
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            Files.deleteIfExists(src);
        }
        double gib = TARGETS * (double) size / (1L << 30);
        System.out.printf("%d MiB to %d loopback sockets, median of %d interleaved runs, %d cores%n",
                size >> 20, TARGETS, reps, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-38s %14s %18s %18s%n", "method", "MB/s per target", "process CPU s/GiB", "sender CPU s/GiB");
        for (int m = 0; m < 3; m++) {
            double w = Readers.median(wall[m]);
            System.out.printf("%-38s %14.0f %18.3f %18.3f   (wall %s)%n", methods[m], size / 1e6 / w,
                    Readers.median(cpu[m]) / gib, Readers.median(sender[m]) / gib, Arrays.toString(wall[m]));
        }
    }

    private static void check(String got, String expected) {
        if (!got.equals(expected)) {
            throw new AssertionError("strategy " + got + ", expected " + expected);
        }
    }

    private static long processTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}

package io.zerocopy.bench.timing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/**
 * A quick timing run behind the provider's order (not a test, not JMH): MB/s of a 256 MiB
 * transfer through an engine restricted to one strategy, best of 5, page cache warm, for file
 * to file, file to a loopback socket and socket to socket; {@code dir} (default: the temporary
 * directory) holds the files, so its file system is the one measured. See docs/linux.md.
 *
 * <pre>java -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.QuickTiming [dir]</pre>
 */
public final class QuickTiming {

    private static final int SIZE = 256 << 20;
    private static final int REPS = 5;

    private QuickTiming() { }

    /**
     * @param args {@code [dir]}, as in the class comment
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        Path src = dir.resolve("zerocopy-timing-src.bin");
        Path dst = dir.resolve("zerocopy-timing-dst.bin");
        byte[] data = new byte[SIZE];
        new Random(1).nextBytes(data);
        Files.write(src, data);
        try {
            for (String s : new String[] {"splice", "copyFileRange", "transferTo", "mmap", "copy"}) {
                TransferEngine e = ZeroCopy.builder().strategies(s).build();
                double best = 0;
                for (int i = 0; i < REPS; i++) {
                    long t0 = System.nanoTime();
                    e.transfer(src, dst);
                    best = Math.max(best, rate(t0));
                }
                System.out.printf("file->file    %-14s %6.0f MB/s%n", s, best);
            }
            try (ServerSocketChannel ss = ServerSocketChannel.open()
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                for (String s : new String[] {"splice", "transferTo", "mmap", "copy"}) {
                    TransferEngine e = ZeroCopy.builder().strategies(s).build();
                    double best = 0;
                    for (int i = 0; i < REPS; i++) {
                        try (SocketChannel c = SocketChannel.open(ss.getLocalAddress()); SocketChannel a = ss.accept();
                             FileChannel f = FileChannel.open(src)) {
                            Thread sink = sink(a);
                            long t0 = System.nanoTime();
                            e.transfer(f, 0, SIZE, c);
                            c.shutdownOutput();
                            sink.join();
                            best = Math.max(best, rate(t0));
                        }
                    }
                    System.out.printf("file->socket  %-14s %6.0f MB/s%n", s, best);
                }
                for (String s : new String[] {"splice", "copy"}) {
                    TransferEngine e = ZeroCopy.builder().strategies(s).build();
                    double best = 0;
                    for (int i = 0; i < REPS; i++) {
                        try (SocketChannel c1 = SocketChannel.open(ss.getLocalAddress()); SocketChannel a1 = ss.accept();
                             SocketChannel c2 = SocketChannel.open(ss.getLocalAddress()); SocketChannel a2 = ss.accept()) {
                            Thread feed = new Thread(() -> {
                                try (FileChannel f = FileChannel.open(src)) {
                                    long at = 0;
                                    while (at < SIZE) {
                                        at += f.transferTo(at, SIZE - at, c1);
                                    }
                                    c1.shutdownOutput();
                                } catch (IOException x) {
                                    throw new UncheckedIOException(x);
                                }
                            });
                            Thread sink = sink(a2);
                            long t0 = System.nanoTime();
                            feed.start();
                            e.transfer(a1, c2);
                            c2.shutdownOutput();
                            sink.join();
                            feed.join();
                            best = Math.max(best, rate(t0));
                        }
                    }
                    System.out.printf("socket->socket %-13s %6.0f MB/s%n", s, best);
                }
            }
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(dst);
        }
    }

    private static double rate(long startNanos) {
        return SIZE / 1e6 / ((System.nanoTime() - startNanos) / 1e9);
    }

    private static Thread sink(SocketChannel ch) {
        return Readers.drain(ch, 1 << 20, n -> { }, "sink");
    }
}

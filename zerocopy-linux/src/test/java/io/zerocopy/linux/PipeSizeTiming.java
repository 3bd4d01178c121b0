package io.zerocopy.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.CompletableFuture;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/**
 * splice throughput by pipe size: socket→socket (loopback, fed and drained by threads) and
 * file→socket (cached file, drained by a thread). One JVM, sizes interleaved per round, round 0
 * is warm-up. Args: dir MiB rounds sizeKiB... Not a test; run from the test classes:
 * {@code mvn -q -pl zerocopy-linux -am test-compile}, then
 * {@code java -cp zerocopy-linux/target/test-classes:zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.linux.PipeSizeTiming DIR 256 ROUNDS 64 128 256 512 1024}.
 */
public final class PipeSizeTiming {
    static ServerSocketChannel server;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long bytes = Long.parseLong(args[1]) << 20;
        int rounds = Integer.parseInt(args[2]);
        int[] kib = Arrays.stream(args, 3, args.length).mapToInt(Integer::parseInt).toArray();
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Path file = dir.resolve("pipe-size-timing.bin");
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long w = 0; w < bytes; w += block.length) out.write(ByteBuffer.wrap(block));
        }
        Files.readAllBytes(file); // warm the page cache
        List<double[]> s2s = new ArrayList<>(), f2s = new ArrayList<>();
        TransferEngine[] engines = new TransferEngine[kib.length];
        PipePool[] pools = new PipePool[kib.length];
        for (int k = 0; k < kib.length; k++) {
            pools[k] = new PipePool(64, kib[k] << 10);
            engines[k] = ZeroCopy.builder().providers(false).addFirst(new SpliceStrategy(pools[k], Native.syscalls()))
                    .strategies("copy").threshold(0).build();
            s2s.add(new double[rounds]);
            f2s.add(new double[rounds]);
        }
        for (int r = 0; r <= rounds; r++) {
            for (int j = 0; j < kib.length; j++) {
                int k = (j + r) % kib.length; // rotate the order each round
                double a = socketToSocket(engines[k], bytes, block);
                double b = fileToSocket(engines[k], file, bytes);
                if (pools[k].openPipes() == 0) throw new AssertionError("splice did not serve");
                if (r > 0) { s2s.get(k)[r - 1] = a; f2s.get(k)[r - 1] = b; }
            }
        }
        System.out.printf("%-10s %-32s %-32s%n", "pipe", "socket->socket MB/s median (min-max)", "file->socket MB/s median (min-max)");
        for (int k = 0; k < kib.length; k++) {
            System.out.printf("%-10s %-32s %-32s%n", kib[k] + " KiB", stat(s2s.get(k)), stat(f2s.get(k)));
        }
        Files.delete(file);
    }

    static String stat(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format("%.0f (%.0f-%.0f)", s[s.length / 2], s[0], s[s.length - 1]);
    }

    static SocketChannel[] pair() throws IOException {
        SocketChannel c = SocketChannel.open(server.getLocalAddress());
        return new SocketChannel[] {c, server.accept()};
    }

    static CompletableFuture<Long> drain(SocketChannel ch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                long n = 0;
                for (int r; (r = ch.read(b)) >= 0; b.clear()) n += r;
                return n;
            } catch (IOException e) { throw new UncheckedIOException(e); }
        });
    }

    static double socketToSocket(TransferEngine engine, long bytes, byte[] block) throws Exception {
        SocketChannel[] in = pair(), out = pair();
        try {
            CompletableFuture<Long> drained = drain(out[1]);
            CompletableFuture<Void> fed = CompletableFuture.runAsync(() -> {
                try {
                    ByteBuffer b = ByteBuffer.allocateDirect(block.length).put(block);
                    for (long w = 0; w < bytes; w += block.length) {
                        b.clear();
                        while (b.hasRemaining()) in[0].write(b);
                    }
                    in[0].shutdownOutput();
                } catch (IOException e) { throw new UncheckedIOException(e); }
            });
            long t0 = System.nanoTime();
            long n = engine.transfer(in[1], out[0]);
            out[0].shutdownOutput();
            long got = drained.get();
            double s = (System.nanoTime() - t0) / 1e9;
            fed.get();
            if (n != bytes || got != bytes) throw new AssertionError(n + " " + got);
            return bytes / 1e6 / s;
        } finally {
            for (SocketChannel c : in) c.close();
            for (SocketChannel c : out) c.close();
        }
    }

    static double fileToSocket(TransferEngine engine, Path file, long bytes) throws Exception {
        SocketChannel[] out = pair();
        try (FileChannel f = FileChannel.open(file)) {
            CompletableFuture<Long> drained = drain(out[1]);
            long t0 = System.nanoTime();
            long n = engine.transfer(f, 0, bytes, out[0]);
            out[0].shutdownOutput();
            long got = drained.get();
            double s = (System.nanoTime() - t0) / 1e9;
            if (n != bytes || got != bytes) throw new AssertionError(n + " " + got);
            return bytes / 1e6 / s;
        } finally {
            for (SocketChannel c : out) c.close();
        }
    }
}

package io.zerocopy.linux;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/**
 * Aggregate splice throughput of K concurrent socket→socket transfers (loopback, each fed and
 * drained by its own threads) through pools of a given bound and pipe size; transfers that
 * find every pipe leased fall back to the copy loop. Args: K MiB-per-transfer rounds
 * bound:sizeKiB...
 */
public final class PoolCountTiming {
    public static void main(String[] args) throws Exception {
        int k = Integer.parseInt(args[0]);
        long bytes = Long.parseLong(args[1]) << 20;
        int rounds = Integer.parseInt(args[2]);
        int n = args.length - 3;
        TransferEngine[] engines = new TransferEngine[n];
        double[][] mbs = new double[n][rounds];
        for (int c = 0; c < n; c++) {
            String[] bs = args[3 + c].split(":");
            engines[c] = ZeroCopy.builder().providers(false)
                    .addFirst(new SpliceStrategy(new PipePool(Integer.parseInt(bs[0]), Integer.parseInt(bs[1]) << 10), Native.syscalls()))
                    .strategies("copy").threshold(0).build();
        }
        PipeSizeTiming.server = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 256);
        byte[] block = new byte[1 << 20];
        new java.util.Random(1).nextBytes(block);
        for (int r = 0; r <= rounds; r++) {
            for (int j = 0; j < n; j++) {
                int c = (j + r) % n;
                List<CompletableFuture<Double>> runs = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < k; i++) {
                    runs.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return PipeSizeTiming.socketToSocket(engines[c], bytes, block);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }, runnable -> new Thread(runnable).start()));
                }
                for (CompletableFuture<Double> f : runs) f.get();
                double s = (System.nanoTime() - t0) / 1e9;
                if (r > 0) mbs[c][r - 1] = k * bytes / 1e6 / s;
            }
        }
        System.out.printf("%d concurrent socket->socket transfers of %d MiB; aggregate MB/s median (min-max)%n", k, bytes >> 20);
        for (int c = 0; c < n; c++) {
            System.out.printf("%-22s %s%n", "pool " + args[3 + c].replace(":", " x ") + " KiB", PipeSizeTiming.stat(mbs[c]));
        }
    }
}

package io.zerocopy.linux;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/** file→file MB/s: splice through 256 KiB and 1 MiB pooled pipes, and copy_file_range; interleaved. Args: dir MiB rounds. */
public final class FileToFileTiming {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long bytes = Long.parseLong(args[1]) << 20;
        int rounds = Integer.parseInt(args[2]);
        Path src = dir.resolve("f2f-src.bin"), dst = dir.resolve("f2f-dst.bin");
        byte[] block = new byte[1 << 20];
        new Random(2).nextBytes(block);
        try (FileChannel out = FileChannel.open(src, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long w = 0; w < bytes; w += block.length) out.write(ByteBuffer.wrap(block));
        }
        Files.readAllBytes(src);
        String[] names = {"splice 256 KiB", "splice 1 MiB", "copyFileRange"};
        TransferEngine[] engines = {
            ZeroCopy.builder().providers(false).addFirst(new SpliceStrategy(new PipePool(64, 256 << 10), Native.syscalls())).strategies("copy").threshold(0).build(),
            ZeroCopy.builder().providers(false).addFirst(new SpliceStrategy(new PipePool(64, 1 << 20), Native.syscalls())).strategies("copy").threshold(0).build(),
            ZeroCopy.builder().providers(false).addFirst(new CopyFileRangeStrategy(Native.syscalls())).strategies("copy").threshold(0).build(),
        };
        double[][] mbs = new double[3][rounds];
        for (int r = 0; r <= rounds; r++) {
            for (int j = 0; j < 3; j++) {
                int k = (j + r) % 3;
                try (FileChannel in = FileChannel.open(src);
                     FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    long t0 = System.nanoTime();
                    long n = engines[k].transfer(in, 0, bytes, out);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (n != bytes) throw new AssertionError(n);
                    if (r > 0) mbs[k][r - 1] = bytes / 1e6 / s;
                }
            }
        }
        for (int k = 0; k < 3; k++) System.out.printf("%-16s %s%n", names[k], PipeSizeTiming.stat(mbs[k]));
        Files.delete(src);
        Files.delete(dst);
    }
}

package io.zerocopy.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The temporary directory with the data files: {@code src.bin} (pseudo-random, seeded) and
 * {@code dst.bin}, a destination of the same size written once so that later transfers
 * overwrite cached pages instead of allocating new ones. Deleted by {@link #close()}.
 */
public final class Workspace implements AutoCloseable {

    final Path dir;
    final Path src;
    final Path dst;
    final long size;
    /** Deletes the directory if the JVM exits (Ctrl-C) before {@link #close()}. */
    private final Thread cleanup;

    Workspace(long size) throws IOException {
        this.dir = Files.createTempDirectory("zerocopy-bench-");
        this.src = dir.resolve("src.bin");
        this.dst = dir.resolve("dst.bin");
        this.size = size;
        this.cleanup = new Thread(this::deleteQuietly, "zc-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            fill(src, size, 42);
            fill(dst, size, 7);
            warm(src);
            warm(dst);
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void deleteQuietly() {
        try {
            delete();
        } catch (IOException e) {
            System.err.println("zerocopy-bench: could not delete " + dir + ": " + e);
        }
    }

    /**
     * Creates or truncates {@code p} and writes {@code size} pseudo-random bytes to it, no two
     * 1 MiB blocks alike. Shared with the JMH benchmarks.
     *
     * @param p the file
     * @param size bytes to write
     * @param seed the random seed
     * @throws IOException if writing fails
     */
    public static void fill(Path p, long size, long seed) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
        SplittableRandom r = new SplittableRandom(seed);
        while (block.remaining() >= 8) {
            block.putLong(r.nextLong());
        }
        try (FileChannel fc = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = size;
            while (left > 0) {
                block.clear();
                block.limit((int) Math.min(left, block.capacity()));
                // vary each block so that pages are not identical
                block.putLong(0, left);
                while (block.hasRemaining()) {
                    left -= fc.write(block);
                }
            }
        }
    }

    /** Reads the whole file so that it sits in the page cache. */
    static void warm(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel fc = FileChannel.open(p, StandardOpenOption.READ)) {
            long pos = 0;
            int n;
            while ((n = fc.read(b, pos)) > 0) {
                pos += n;
                b.clear();
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs anyway
        }
        delete();
    }

    private void delete() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}

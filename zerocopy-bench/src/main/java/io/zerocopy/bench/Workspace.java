package io.zerocopy.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The temporary directory with the data files: {@code src.bin} (pseudo-random, seeded) and
 * {@code dst.bin}, a destination of the same size written once so that later transfers
 * overwrite cached pages instead of allocating new ones. Deleted by {@link #close()}, or by
 * {@link ExitCleanup} if the JVM exits first, after whatever was registered there later (images
 * mounted inside it are unmounted first).
 */
public final class Workspace implements AutoCloseable {

    final Path dir;
    final Path src;
    final Path dst;
    final long size;
    /** Deletes the directory if the JVM exits (Ctrl-C) before {@link #close()}. */
    private final ExitCleanup.Registration cleanup;

    Workspace(long size) throws IOException {
        this.dir = Files.createTempDirectory("zerocopy-bench-");
        this.src = dir.resolve("src.bin");
        this.dst = dir.resolve("dst.bin");
        this.size = size;
        this.cleanup = ExitCleanup.register("delete " + dir, this::deleteQuietly);
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
            deleteTree(dir);
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
        cleanup.cancel();
        deleteTree(dir);
    }

    /**
     * Deletes a directory tree without entering other file systems: a mount point still mounted
     * is left, with what is under it, and the directories above it then fail to go. Where the
     * platform has no {@code unix:dev}, no image can be mounted and everything goes.
     *
     * @param dir the tree; nothing happens if it does not exist
     * @throws IOException if something cannot be deleted
     */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Object device = device(dir);
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                return Objects.equals(device, device(d)) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** @return the device of the file system holding {@code p}, or null where the platform does not say */
    private static Object device(Path p) throws IOException {
        try {
            return Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }
}

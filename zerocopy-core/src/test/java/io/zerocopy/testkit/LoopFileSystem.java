package io.zerocopy.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A file system of a given type made in a sparse image file and loop-mounted for one test, such
 * as XFS with {@code reflink=1} or Btrfs. Skips the test, with the reason, where this process is
 * not root, the {@code mkfs} is missing or fails, or the mount fails. {@link #close()} unmounts
 * and deletes the image, whatever happened before. Linux only.
 */
public final class LoopFileSystem implements AutoCloseable {

    private final Path image;
    private final Path root;

    private LoopFileSystem(Path image, Path root) {
        this.image = image;
        this.root = root;
    }

    /**
     * Makes a file system in a new sparse image {@code dir/<type>.img} of {@code size} bytes and
     * mounts it on a new directory {@code dir/<type>}, or skips the test. The image is deleted
     * when the test is skipped after it was made.
     *
     * @param dir a directory for the image and the mount point
     * @param type the file system type: {@code mkfs.<type>} makes it
     * @param size bytes in the image
     * @param mkfsOptions options before the image's name, such as {@code -q -m reflink=1}
     * @return the mounted file system
     */
    public static LoopFileSystem mount(Path dir, String type, long size, String... mkfsOptions) throws IOException {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "loop mounts need Linux");
        String uid = uid();
        Assumptions.assumeTrue("0".equals(uid), () -> "loop mounts need root; this process runs as uid " + uid);
        Path mkfs = onPath("mkfs." + type);
        Assumptions.assumeTrue(mkfs != null, () -> "mkfs." + type + " not found (install " + (type.equals("xfs")
                ? "xfsprogs" : type + "-progs") + "): cannot make a " + type + " file system");
        Path image = dir.resolve(type + ".img");
        Path root = Files.createDirectory(dir.resolve(type));
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
        }
        List<String> command = new ArrayList<>(List.of(mkfs.toString()));
        command.addAll(List.of(mkfsOptions));
        command.add(image.toString());
        String failure = run(command.toArray(new String[0]));
        if (failure == null) {
            failure = run("mount", "-o", "loop", image.toString(), root.toString());
        }
        if (failure != null) {
            Files.deleteIfExists(image);
            String why = failure;
            Assumptions.assumeTrue(false, () -> "cannot make and loop-mount a " + type + " file system here (" + why + ")");
        }
        return new LoopFileSystem(image, root);
    }

    /** @return the mount point */
    public Path root() {
        return root;
    }

    /**
     * Writes out everything cached for this file system ({@code sync -f}), so that its free
     * space is settled.
     *
     * @throws IOException if the sync fails
     */
    public void sync() throws IOException {
        String failure = run("sync", "-f", root.toString());
        if (failure != null) {
            throw new IOException(failure);
        }
    }

    /**
     * Unmounts the file system (lazily if it is busy, and then fails: a descriptor was left open
     * on it) and deletes the image.
     */
    @Override
    public void close() throws IOException {
        String failure = run("umount", root.toString());
        String lazy = failure == null ? null : run("umount", "-l", root.toString());
        Files.deleteIfExists(image);
        if (failure != null) {
            throw new IOException("could not unmount " + root + " (a descriptor left open on it?): " + failure
                    + (lazy == null ? "; unmounted lazily" : "; lazy unmount: " + lazy));
        }
    }

    /** @return this process's real uid, from {@code /proc/self/status} */
    private static String uid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.substring(4).trim().split("\\s+")[0];
            }
        }
        return "unknown";
    }

    /** @return the program found on PATH or in the sbin directories, or null */
    private static Path onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return Path.of(d, program);
            }
        }
        return null;
    }

    /**
     * Runs a command with its output in a file (no pipe to leak into descriptor counts).
     *
     * @return null if it exits with 0, else the command and what it printed
     */
    private static String run(String... command) throws IOException {
        Path out = Files.createTempFile("zerocopy-loop-", ".out");
        String line = String.join(" ", command);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(new File("/dev/null")).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return line + ": no exit after 60 s";
            }
            int exit = p.exitValue();
            return exit == 0 ? null : line + " exited " + exit + ": " + Files.readString(out, StandardCharsets.UTF_8).trim();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(line + ": interrupted");
        } catch (IOException e) {
            return line + ": " + e;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}

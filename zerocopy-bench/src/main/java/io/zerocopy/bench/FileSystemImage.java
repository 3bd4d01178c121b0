package io.zerocopy.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A file system made by the bench in a sparse image file and loop-mounted, such as XFS with
 * {@code reflink=1} or Btrfs, for measuring copies on a file system that shares extents.
 *
 * <p>Lifetime: the image ({@code <type>-*.img}) and the mount point ({@code <type>-mnt-*}) are
 * new, uniquely named entries of the given directory. {@link #close()} unmounts (lazily if the
 * file system is still busy, and then reports it), which frees the loop device, and deletes both,
 * whatever happened before; an {@link ExitCleanup} action, registered before the mount, does the
 * same if the JVM exits first (Ctrl-C), before the directory that holds the image is deleted by
 * its own, earlier registered action. Linux and root only.
 */
final class FileSystemImage implements AutoCloseable {

    private final String type;
    private final Path image;
    private final Path root;
    private final ExitCleanup.Registration cleanup;

    private FileSystemImage(String type, Path image, Path root, ExitCleanup.Registration cleanup) {
        this.type = type;
        this.image = image;
        this.root = root;
        this.cleanup = cleanup;
    }

    /**
     * Makes a file system of {@code type} in a new sparse image of {@code size} bytes in
     * {@code dir} and mounts it on a new directory there.
     *
     * @param dir where the image and the mount point go
     * @param type the file system type, made by {@code mkfs.<type>}
     * @param size bytes in the image; the file system's own minimum applies (300 MiB for XFS)
     * @param mkfsOptions options before the image's name, such as {@code -q -m reflink=1}
     * @return the mounted file system
     * @throws Row.Unavailable with the reason, having removed what it made, if this is not Linux,
     *     the process is not root, {@code mkfs.<type>} or {@code mount} is missing, or making or
     *     mounting the file system fails (no loop devices in a container, a kernel without the
     *     file system)
     * @throws IOException if the image or the mount point cannot be created in {@code dir}
     */
    static FileSystemImage mount(Path dir, String type, long size, String... mkfsOptions)
            throws Row.Unavailable, IOException {
        if (size <= 0) {
            throw new IllegalArgumentException("size <= 0: " + size);
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            throw new Row.Unavailable(type + ": loop mounts need Linux");
        }
        String uid = uid();
        if (!uid.equals("0")) {
            throw new Row.Unavailable(type + ": loop-mounting an image needs root; this process runs as uid " + uid);
        }
        Path mkfs = FileSystemCommand.find("mkfs." + type);
        if (mkfs == null) {
            throw new Row.Unavailable(type + ": mkfs." + type + " not found (package " + (type.equals("xfs")
                    ? "xfsprogs" : type + "-progs") + ")");
        }
        if (FileSystemCommand.find("mount") == null || FileSystemCommand.find("umount") == null) {
            throw new Row.Unavailable(type + ": mount or umount not found");
        }
        Path image = Files.createTempFile(dir, type + "-", ".img");
        Path root;
        try {
            root = Files.createTempDirectory(dir, type + "-mnt-");
        } catch (IOException e) {
            Files.deleteIfExists(image);
            throw e;
        }
        ExitCleanup.Registration cleanup = ExitCleanup.register("unmount " + root, () -> remove(root, image));
        FileSystemImage fs = new FileSystemImage(type, image, root, cleanup);
        String failure;
        try {
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength(size);
            }
            List<String> make = new ArrayList<>(List.of(mkfs.toString()));
            make.addAll(List.of(mkfsOptions));
            make.add(image.toString());
            failure = FileSystemCommand.run(make.toArray(new String[0]));
            if (failure == null) {
                failure = FileSystemCommand.run("mount", "-o", "loop", image.toString(), root.toString());
            }
        } catch (IOException | RuntimeException e) {
            try {
                fs.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        if (failure != null) {
            fs.close();
            throw new Row.Unavailable(type + ": cannot make and loop-mount an image here: " + failure);
        }
        return fs;
    }

    /** @return the file system type, as given to {@link #mount} */
    String type() {
        return type;
    }

    /** @return the mount point */
    Path root() {
        return root;
    }

    /**
     * Unmounts the file system and deletes the image and the mount point. Idempotent.
     *
     * @throws IOException if the file system was busy (a descriptor or a process left on it; then
     *     unmounted lazily, and the loop device is freed when the last user goes) or the files
     *     cannot be deleted
     */
    @Override
    public void close() throws IOException {
        cleanup.cancel();
        String failure = unmount(root);
        Files.deleteIfExists(image);
        Files.deleteIfExists(root);
        if (failure != null) {
            throw new IOException(failure);
        }
    }

    /** The exit's cleanup: {@link #close()} without throwing. */
    private static void remove(Path root, Path image) {
        String failure = null;
        try {
            failure = unmount(root);
            Files.deleteIfExists(image);
            Files.deleteIfExists(root);
        } catch (IOException e) {
            failure = String.valueOf(e);
        }
        if (failure != null) {
            System.err.println("zerocopy-bench: " + failure);
        }
    }

    /**
     * Unmounts {@code root} if it is mounted: {@code umount}, else {@code umount -l}.
     *
     * @return null if it is no longer mounted and was not busy, else what happened
     */
    private static String unmount(Path root) throws IOException {
        if (!mounted(root)) {
            return null;
        }
        String failure = FileSystemCommand.run("umount", root.toString());
        if (failure == null) {
            return null;
        }
        String lazy = FileSystemCommand.run("umount", "-l", root.toString());
        return "could not unmount " + root + " (busy: a descriptor or process left on it?): " + failure
                + (lazy == null ? "; unmounted lazily" : "; lazy unmount failed too: " + lazy);
    }

    /** @return whether {@code root} is a mount point of this process's mount namespace */
    private static boolean mounted(Path root) throws IOException {
        String escaped = root.toAbsolutePath().toString().replace("\\", "\\134").replace(" ", "\\040")
                .replace("\t", "\\011").replace("\n", "\\012");
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].equals(escaped)) {
                return true;
            }
        }
        return false;
    }

    /** @return this process's real uid, from {@code /proc/self/status}, or "unknown" */
    private static String uid() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return "unknown";
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("Uid:")) {
                return line.substring(4).trim().split("\\s+")[0];
            }
        }
        return "unknown";
    }

    @Override
    public String toString() {
        return type + " image " + image.getFileName() + " on " + root;
    }
}

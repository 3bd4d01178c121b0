package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashSet;
import java.util.Set;

/**
 * The file-system side of {@code transfer(Path, Path[, CopyOption...])}: what the target is
 * opened with, what happens to an existing target, which attributes follow the bytes, and the
 * rollback on failure. The bytes themselves go through the engine ({@link Body}).
 *
 * <p>With options the meaning is {@code Files.copy}'s on Linux (JDK 17 to 25): an existing
 * target is refused, or with {@code REPLACE_EXISTING} deleted (not followed) and a new file
 * created with {@code CREATE_NEW} and the source's permission bits (less the umask); on a
 * failure after the target was created, the target is deleted. Without options an existing
 * target is truncated and written in place and kept on failure; a new one gets the source's
 * permission bits.
 */
final class FileCopy {

    /** Runs the bytes of one copy through the engine. */
    @FunctionalInterface
    interface Body {
        long copy(FileChannel source, FileChannel target) throws IOException;
    }

    /** The options of a copy, checked. */
    record Options(boolean replaceExisting, boolean copyAttributes, boolean followLinks) { }

    private FileCopy() { }

    /** The two-argument form: creates or truncates the target; a new one gets the source's mode. */
    static long createOrTruncate(Path source, Path target, Body body) throws IOException {
        Checks.distinctFiles(source, target);
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING), permissionsOf(source))) {
            return body.copy(in, out);
        }
    }

    /** The form with options: {@code Files.copy}'s meaning (see the class comment). */
    static long copy(Path source, Path target, Options options, Body body) throws IOException {
        LinkOption[] links = options.followLinks() ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        BasicFileAttributes attrs = attributes(source, links);
        if (attrs.isDirectory()) {
            throw new IllegalArgumentException("source is a directory: " + source);
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("target is a directory: " + target);
        }
        if (attrs.isSymbolicLink()) {
            prepareTarget(target, options);
            Files.createSymbolicLink(target, Files.readSymbolicLink(source));
            return 0;
        }
        if (Files.exists(target) && Files.isSameFile(source, target)) {
            throw new IllegalArgumentException("source and target are the same file: " + source + ", " + target);
        }
        Set<OpenOption> read = new HashSet<>(Set.of(StandardOpenOption.READ));
        if (!options.followLinks()) {
            read.add(LinkOption.NOFOLLOW_LINKS);
        }
        try (FileChannel in = FileChannel.open(source, read)) {
            prepareTarget(target, options);
            FileAttribute<?>[] mode = attrs instanceof PosixFileAttributes
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(((PosixFileAttributes) attrs).permissions())}
                    : new FileAttribute<?>[0];
            FileChannel out = FileChannel.open(target, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW), mode);
            try {
                long n;
                try (out) {
                    n = body.copy(in, out);
                }
                if (options.copyAttributes()) {
                    copyAttributes(source, attrs, target, links);
                }
                return n;
            } catch (Throwable t) {
                rollBack(target, t);
                throw t;
            }
        }
    }

    /** Refuses an existing target, or deletes it (not following a link) for REPLACE_EXISTING. */
    private static void prepareTarget(Path target, Options options) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!options.replaceExisting()) {
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.deleteIfExists(target);
        }
    }

    private static BasicFileAttributes attributes(Path file, LinkOption... links) throws IOException {
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class, links) != null) {
            return Files.readAttributes(file, PosixFileAttributes.class, links);
        }
        return Files.readAttributes(file, BasicFileAttributes.class, links);
    }

    /** @return the source's permission bits as an attribute for creating a file, or none */
    private static FileAttribute<?>[] permissionsOf(Path source) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(source, PosixFileAttributeView.class);
        if (view == null) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(view.readAttributes().permissions())};
    }

    /**
     * As {@code Files.copy} on Linux: owner, group and permission bits if it can (a failure
     * ignored), user extended attributes if it can (failures ignored), then the last-modified
     * and last-access times (a failure thrown).
     */
    private static void copyAttributes(Path source, BasicFileAttributes attrs, Path target, LinkOption... links)
            throws IOException {
        if (attrs instanceof PosixFileAttributes) {
            PosixFileAttributes posix = (PosixFileAttributes) attrs;
            PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
            try {
                view.setOwner(posix.owner());
                view.setGroup(posix.group());
            } catch (IOException | SecurityException ignored) {
                // Files.copy ignores an owner it cannot set
            }
            try {
                view.setPermissions(posix.permissions());
            } catch (IOException | SecurityException ignored) {
                // Files.copy ignores a mode it cannot set
            }
        }
        copyUserAttributes(source, target, links);
        Files.getFileAttributeView(target, BasicFileAttributeView.class)
                .setTimes(attrs.lastModifiedTime(), attrs.lastAccessTime(), null);
    }

    private static void copyUserAttributes(Path source, Path target, LinkOption... links) {
        UserDefinedFileAttributeView from = Files.getFileAttributeView(source, UserDefinedFileAttributeView.class, links);
        UserDefinedFileAttributeView to = Files.getFileAttributeView(target, UserDefinedFileAttributeView.class);
        if (from == null || to == null) {
            return;
        }
        try {
            for (String name : from.list()) {
                try {
                    ByteBuffer value = ByteBuffer.allocate(from.size(name));
                    from.read(name, value);
                    value.flip();
                    to.write(name, value);
                } catch (IOException | SecurityException ignored) {
                    // Files.copy ignores an extended attribute it cannot copy
                }
            }
        } catch (IOException | SecurityException ignored) {
            // no extended attributes here
        }
    }

    /** Deletes a target this copy created, as {@code Files.copy} does when a copy fails. */
    private static void rollBack(Path target, Throwable failure) {
        try {
            Files.deleteIfExists(target);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}

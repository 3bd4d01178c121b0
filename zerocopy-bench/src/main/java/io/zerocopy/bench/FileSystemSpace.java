package io.zerocopy.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The free space of one file system once its writes are settled, for the space a copy takes:
 * {@code sync -f} (syncfs), then the bytes available to an unprivileged user ({@code statfs}
 * {@code f_bavail}). Both steps are needed: XFS counts reserved, not yet written blocks until a
 * sync, and Btrfs and XFS free a deleted file's blocks, and Btrfs accounts a new file's, only when
 * the sync commits them. Other processes that write to the same file system add to the delta.
 */
final class FileSystemSpace {

    /** Between readings while waiting for deleted files' blocks to be freed. */
    private static final long POLL_NANOS = 10_000_000L;

    private final Path dir;
    private final FileStore store;

    private FileSystemSpace(Path dir, FileStore store) {
        this.dir = dir;
        this.store = store;
    }

    /**
     * @param dir a directory on the file system
     * @return the free space of {@code dir}'s file system
     * @throws Row.Unavailable if {@code sync -f} is absent or fails here (coreutils before 8.24,
     *     busybox), with the reason
     * @throws IOException if the file system cannot be found
     */
    static FileSystemSpace of(Path dir) throws Row.Unavailable, IOException {
        if (FileSystemCommand.find("sync") == null) {
            throw new Row.Unavailable("no sync program: new space per copy not measured");
        }
        String failure = FileSystemCommand.run("sync", "-f", dir.toString());
        if (failure != null) {
            throw new Row.Unavailable("sync -f fails here, new space per copy not measured: " + failure);
        }
        return new FileSystemSpace(dir, Files.getFileStore(dir));
    }

    /**
     * @return the bytes available on the file system after its writes are on disk
     * @throws IOException if the sync fails or the space cannot be read
     */
    long settledFree() throws IOException {
        String failure = FileSystemCommand.run("sync", "-f", dir.toString());
        if (failure != null) {
            throw new IOException(failure);
        }
        return store.getUsableSpace();
    }

    /**
     * Waits until the settled free space is at least {@code floor}: after a delete, XFS frees
     * the blocks in the background (deferred inode inactivation) and ext4 with {@code discard}
     * after the journal commits, so a sync alone does not always show them free.
     *
     * @param floor the free bytes expected once earlier deletes are done
     * @param timeoutNanos how long to wait at most
     * @return the last reading: at least {@code floor}, or less if the time ran out (another
     *     process took space meanwhile)
     * @throws IOException if the sync fails or the space cannot be read
     */
    long awaitFree(long floor, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        long free = settledFree();
        while (free < floor && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
            free = settledFree();
        }
        return free;
    }
}

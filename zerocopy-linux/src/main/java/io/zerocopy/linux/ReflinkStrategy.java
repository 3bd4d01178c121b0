package io.zerocopy.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;

import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;

/**
 * {@code reflink}: file to file by sharing extents with {@code ioctl(FICLONERANGE)}, as
 * {@code cp --reflink} does on Btrfs, XFS formatted with {@code reflink=1}, bcachefs or OCFS2.
 * No byte moves, and the copy takes no space until one of the files is written.
 *
 * <p>One call clones {@code [position(), position() + length)} of the source, the length being
 * {@link Transfer#remaining()} clamped to the source's size, to the target at its channel
 * position; it shares all of the range or none. The file system requires offsets and length on
 * block boundaries, except a length that reaches the source's end of file.
 *
 * <p>Refusals ({@link Outcome#unsupported}, for this transfer; see {@link Errno}): a target
 * opened with {@code APPEND}; a file system without extent sharing (EOPNOTSUPP, ENOTTY) or
 * files on two file systems (EXDEV); a range off block boundaries or overlapping itself in one
 * file (EINVAL); an immutable or append-only file (EPERM); a swap file or running executable
 * (ETXTBSY). Nothing is ever in flight, so each refusal is lossless and the next strategy copies
 * the whole range.
 *
 * <p>Memory: a refusal that is the file systems' own (EOPNOTSUPP, ENOTTY, EXDEV:
 * {@link Errno#refusedByFileSystem}) is remembered by the pair of {@code st_dev} (source,
 * target), read with one {@code fstat} each before the call; later transfers between the same
 * file systems are refused at once, without the ioctl. At most {@value #MAX_REMEMBERED} pairs are
 * kept (the memory starts again when full). An alignment refusal (EINVAL) is never remembered:
 * another range may be aligned. Without {@code fstat} in the C library nothing is remembered.
 *
 * <p>Thread-safe; allocates one small direct buffer per transfer.
 */
final class ReflinkStrategy extends FileToFileStrategy {

    static final String NAME = "reflink";
    /** File system pairs remembered at most. */
    static final int MAX_REMEMBERED = 64;

    /** Where the {@code struct file_clone_range} starts in a transfer's buffer, after the {@code struct stat}. */
    private static final int RANGE = Native.STAT_SIZE;

    /** File system pairs that refused for good, with the outcome every later transfer between them gets. */
    private final ConcurrentHashMap<Devices, Outcome> refusing = new ConcurrentHashMap<>();

    /** The {@code st_dev} of a source and a target file. */
    private record Devices(long source, long target) {
        @Override
        public String toString() {
            return "st_dev " + Long.toHexString(source) + " -> " + Long.toHexString(target);
        }
    }

    /** @param sys the binding */
    ReflinkStrategy(Syscalls sys) {
        super(NAME, sys);
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        long from = t.position();
        long length = Math.min(t.remaining(), t.sourceFile().size() - from);
        if (length <= 0) {
            return Outcome.COMPLETE; // the source ends at or before the position
        }
        ByteBuffer mem = ChannelDescriptors.scratch(RANGE + Native.FILE_CLONE_RANGE_SIZE);
        long base = ChannelDescriptors.address(mem);
        Devices devices = devices(t, mem, base);
        Outcome before = devices == null ? null : refusing.get(devices);
        if (before != null) {
            return before;
        }
        try (NativeSession s = NativeSession.of(sys, t)) {
            Outcome refused = s.open(null, 0);
            if (refused != null) {
                return refused;
            }
            long to = s.targetPosition(0);
            mem.putLong(RANGE, s.sourceFd());
            mem.putLong(RANGE + 8, from);
            mem.putLong(RANGE + 16, length);
            mem.putLong(RANGE + 24, to);
            int r;
            while (true) {
                s.checkLive();
                if ((r = sys.cloneRange(s.targetFd(0), base + RANGE)) >= 0) {
                    break;
                }
                Errno.Action action = Errno.action(Errno.Syscall.IOCTL_FICLONE, -r, true);
                if (action.isFallback()) {
                    remember(devices, -r);
                    return Errno.unsupported(Errno.Syscall.IOCTL_FICLONE, -r);
                }
                if (action != Errno.Action.RETRY) {
                    throw Errno.exception(Errno.Syscall.IOCTL_FICLONE, -r);
                }
            }
            s.targetPosition(0, to + length);
            t.advance(length);
            return Outcome.COMPLETE;
        }
    }

    /**
     * {@inheritDoc} One step, the one ioctl of {@link #transfer} ({@link FileToFileStepper#whole}):
     * it never waits on a peer.
     */
    @Override
    public Stepper stepper(Transfer t) {
        return FileToFileStepper.whole(this, t);
    }

    /**
     * Reads both files' devices from the channels' own descriptors, not duplicates: if a channel
     * is closed meanwhile and its number reused, the session's {@code open} then finds the channel
     * closed, so a device read from another file is never acted on.
     *
     * @return the pair, or null if a descriptor or {@code fstat} is unavailable
     */
    private Devices devices(Transfer t, ByteBuffer mem, long base) {
        long source = device(ChannelDescriptors.raw(t.sourceFile()), mem, base);
        long target = source < 0 ? -1 : device(ChannelDescriptors.raw(t.targetFile()), mem, base);
        return target < 0 ? null : new Devices(source, target);
    }

    /** @return {@code st_dev} (no encoding reaches 2<sup>63</sup>), or -1 if it cannot be read */
    private long device(int fd, ByteBuffer mem, long base) {
        if (fd < 0) {
            return -1;
        }
        int r;
        while ((r = sys.fstat(fd, base)) < 0) {
            if (Errno.action(Errno.Syscall.FSTAT, -r, true) != Errno.Action.RETRY) {
                return -1;
            }
        }
        return mem.getLong(Native.ST_DEV_OFFSET);
    }

    private void remember(Devices devices, int errno) {
        if (devices == null || !Errno.refusedByFileSystem(Errno.Syscall.IOCTL_FICLONE, errno)) {
            return;
        }
        if (refusing.size() >= MAX_REMEMBERED) {
            refusing.clear();
        }
        refusing.put(devices, Outcome.unsupported(Outcome.Scope.TRANSFER, Errno.Syscall.IOCTL_FICLONE
                + ": refused before on " + devices + ": " + Native.describe(errno) + " (errno " + errno + ")"));
    }

    @Override
    public String toString() {
        return NAME + "[file system pairs refusing: " + refusing.size() + "]";
    }
}

package io.zerocopy.linux;

import java.io.IOException;

import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;

/**
 * {@code copyFileRange}: file to file with copy_file_range(2), which lets the file system
 * share extents (reflink on Btrfs/XFS) or copy on the server (NFS 4.2, SMB) instead of moving
 * the bytes.
 *
 * <p>Falls back ({@link Outcome#unsupported}) where the kernel refuses: a target opened with
 * {@code APPEND} (checked first), descriptors on different file systems (EXDEV), special files
 * and {@code /dev/null} (EINVAL), an immutable or append-only file (EPERM), EIO or a zero-byte
 * copy before any byte moved (file systems such as procfs), each for this transfer only; and
 * for the whole engine only a kernel without the call (ENOSYS). See {@link Errno}. Nothing is
 * ever in flight, so a fallback never loses bytes.
 *
 * <p>Positions as for every strategy: the source at {@link Transfer#position()}, the target
 * at its channel position, left advanced by the bytes delivered. Thread-safe.
 */
final class CopyFileRangeStrategy extends FileToFileStrategy {

    static final String NAME = "copyFileRange";
    /** Bytes per call, so that progress is reported on long copies. */
    static final long MAX_CHUNK = 64L << 20;
    private static final Outcome NOT_IN_KERNEL = Outcome.unsupported(Outcome.Scope.ENGINE,
            "copy_file_range: not in this kernel (ENOSYS)");

    /** @param sys the binding */
    CopyFileRangeStrategy(Syscalls sys) {
        super(NAME, sys);
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        if (!Native.hasCopyFileRange()) {
            return NOT_IN_KERNEL;
        }
        try (NativeSession s = NativeSession.of(sys, t)) {
            Outcome refused = s.open(null, 0);
            if (refused != null) {
                return refused;
            }
            boolean first = true;
            while (t.remaining() > 0) {
                s.checkLive();
                long before = t.delivered();
                Outcome end = call(t, s, first, MAX_CHUNK);
                if (end != null) {
                    return end;
                }
                first &= t.delivered() == before;
            }
            return Outcome.COMPLETE;
        }
    }

    /**
     * {@inheritDoc} A {@link FileToFileStepper} making one call of at most
     * {@link FileToFileStrategy#STEP_BYTES} a step.
     */
    @Override
    public Stepper stepper(Transfer t) throws IOException {
        if (!Native.hasCopyFileRange()) {
            return FileToFileStepper.refusing(NOT_IN_KERNEL);
        }
        return FileToFileStepper.open(sys, t, (s, first) -> call(t, s, first, STEP_BYTES));
    }

    /**
     * One copy_file_range call of at most {@code max} bytes from {@link Transfer#position()}
     * to the target's position, advancing the transfer by what it copied.
     *
     * @param first no byte copied by this strategy yet
     * @return null to go on (bytes copied, or EINTR); else the outcome: {@link Outcome#COMPLETE}
     *     where the source ends, or the fallback
     */
    private Outcome call(Transfer t, NativeSession s, boolean first, long max) throws IOException {
        long n = sys.copyFileRange(s.sourceFd(), s.sourceOffset(), s.targetFd(0), s.targetOffset(0),
                Math.min(t.remaining(), max), 0);
        if (n > 0) {
            t.advance(n);
            return null;
        }
        if (n == 0) {
            if (!first) {
                return Outcome.COMPLETE; // the source ends here
            }
            // Zero at once: an empty remainder, or a file system that copies nothing (procfs,
            // sysfs report size 0); the next strategy reads and tells them apart.
            return Outcome.unsupported(Outcome.Scope.TRANSFER,
                    "copy_file_range: copied nothing at position " + t.position());
        }
        Errno.Action action = Errno.action(Errno.Syscall.COPY_FILE_RANGE, (int) -n, first);
        if (action.isFallback()) {
            return Errno.unsupported(Errno.Syscall.COPY_FILE_RANGE, (int) -n);
        }
        if (action != Errno.Action.RETRY) {
            throw Errno.exception(Errno.Syscall.COPY_FILE_RANGE, (int) -n);
        }
        return null;
    }
}

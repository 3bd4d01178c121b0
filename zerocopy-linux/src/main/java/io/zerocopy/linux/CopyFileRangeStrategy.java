package io.zerocopy.linux;

import java.io.IOException;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;
import jnr.ffi.Pointer;

/**
 * {@code copyFileRange}: file to file with copy_file_range(2), which lets the file system
 * share extents (reflink on Btrfs/XFS) or copy on the server (NFS 4.2, SMB) instead of moving
 * the bytes.
 *
 * <p>Falls back ({@link Outcome#unsupported}) where the kernel refuses: a target opened with
 * {@code APPEND} (checked first), descriptors on different file systems (EXDEV), special files
 * and {@code /dev/null} (EINVAL), EIO or a zero-byte copy before any byte moved (file systems
 * such as procfs), and ENOSYS/EPERM for the whole engine. Nothing is ever in flight, so a
 * fallback never loses bytes.
 *
 * <p>Positions as for every strategy: the source at {@link Transfer#position()}, the target
 * at its channel position, left advanced by the bytes delivered. Thread-safe.
 */
final class CopyFileRangeStrategy implements TransferStrategy {

    static final String NAME = "copyFileRange";
    /** Bytes per call, so that progress is reported on long copies. */
    static final long MAX_CHUNK = 64L << 20;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return source == ChannelKind.FILE && target == ChannelKind.FILE;
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        Outcome unavailable = Endpoints.unavailable();
        if (unavailable != null) {
            return unavailable;
        }
        if (!Native.hasCopyFileRange()) {
            return Outcome.unsupported(Outcome.Scope.ENGINE, "copy_file_range: not in this kernel (ENOSYS)");
        }
        if (!ChannelDescriptors.readable(t.source().getClass()) || !ChannelDescriptors.readable(t.target().getClass())) {
            return Outcome.unsupported(Outcome.Scope.TRANSFER, "no descriptor for "
                    + t.source().getClass().getName() + " or " + t.target().getClass().getName());
        }
        int src = -1;
        int dst = -1;
        Pointer offsets = null;
        Throwable failure = null;
        try {
            src = Endpoints.open(t.source());
            dst = Endpoints.open(t.target());
            if (src < 0 || dst < 0) {
                return Outcome.unsupported(Outcome.Scope.TRANSFER, "no descriptor");
            }
            if (Endpoints.isAppend(dst)) {
                return Outcome.unsupported(Outcome.Scope.TRANSFER, "target file opened with APPEND");
            }
            long at = Endpoints.targetPosition(t.targetFile());
            if (at < 0) {
                return Outcome.unsupported(Outcome.Scope.TRANSFER, "target file has no position (not seekable)");
            }
            offsets = Native.runtime().getMemoryManager().allocateDirect(16);
            offsets.putLong(0, t.position());
            offsets.putLong(8, at);
            return copy(t, src, dst, offsets);
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            try {
                if (offsets != null) {
                    Endpoints.restorePosition(t.target(), offsets.getLong(8), failure);
                }
            } finally {
                try {
                    Endpoints.release(t.source(), src, failure);
                } finally {
                    Endpoints.release(t.target(), dst, failure);
                }
            }
        }
    }

    private static Outcome copy(Transfer t, int src, int dst, Pointer offsets) throws IOException {
        Native.LibC c = Native.libc();
        Pointer srcOff = offsets.slice(0);
        Pointer dstOff = offsets.slice(8);
        boolean first = true;
        while (t.remaining() > 0) {
            Endpoints.checkLive(t);
            long n = c.copy_file_range(src, srcOff, dst, dstOff, Math.min(t.remaining(), MAX_CHUNK), 0);
            if (n > 0) {
                t.advance(n);
                first = false;
                continue;
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
            int errno = Native.errno();
            switch (Errors.classify(Errors.COPY_FILE_RANGE, errno, first)) {
                case RETRY:
                    break;
                case FALLBACK:
                    return Errors.unsupported(Errors.COPY_FILE_RANGE, errno);
                case WAIT: // not a regular file after all
                    return Errors.unsupported(Errors.COPY_FILE_RANGE, errno);
                default:
                    throw Errors.exception(Errors.COPY_FILE_RANGE, errno);
            }
        }
        return Outcome.COMPLETE;
    }

    @Override
    public String toString() {
        return NAME;
    }
}

package io.zerocopy.linux;

import jnr.ffi.Pointer;

/**
 * One kernel pipe of a {@link PipePool}, with the native scratch memory a transfer needs
 * (two {@code loff_t} and two {@code struct pollfd}), so the hot path allocates nothing.
 * Internal: not API.
 *
 * <p>Ownership: while leased, the pipe belongs to one transfer on one thread; it goes back to
 * the pool only empty ({@link PipePool#release}), otherwise it is closed
 * ({@link PipePool#discard}). Both ends are non-blocking and close-on-exec.
 */
final class PooledPipe {

    static final int SOURCE_OFFSET = 0;
    static final int TARGET_OFFSET = 8;
    static final int POLLFD = 16;
    static final int SCRATCH_SIZE = 32;

    final int readFd;
    final int writeFd;
    /** Capacity in bytes, as reported by F_GETPIPE_SZ. */
    final int size;
    /** Native scratch memory, {@link #SCRATCH_SIZE} bytes. */
    final Pointer scratch;

    PooledPipe(int readFd, int writeFd, int size, Pointer scratch) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.size = size;
        this.scratch = scratch;
    }

    /** Closes both ends; called once, by the pool. */
    void close() {
        Native.LibC c = Native.libc();
        c.close(readFd);
        c.close(writeFd);
    }

    @Override
    public String toString() {
        return "pipe[" + readFd + "," + writeFd + "; " + size + " bytes]";
    }
}

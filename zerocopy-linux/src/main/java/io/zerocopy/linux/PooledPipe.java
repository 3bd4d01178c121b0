package io.zerocopy.linux;

/**
 * One kernel pipe of a {@link PipePool}. Internal: not API.
 *
 * <p>Ownership: while leased, the pipe belongs to one transfer on one thread; it goes back to
 * the pool only empty ({@link PipePool#release}), otherwise it is closed
 * ({@link PipePool#discard}). Both ends are non-blocking and close-on-exec.
 */
final class PooledPipe {

    final int readFd;
    final int writeFd;
    /** Capacity in bytes, as set by F_SETPIPE_SZ. */
    final int size;
    private final Syscalls sys;

    PooledPipe(Syscalls sys, int readFd, int writeFd, int size) {
        this.sys = sys;
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.size = size;
    }

    /** Closes both ends; called once, by the pool. */
    void close() {
        sys.close(readFd);
        sys.close(writeFd);
    }

    @Override
    public String toString() {
        return "pipe[" + readFd + "," + writeFd + "; " + size + " bytes]";
    }
}

package io.zerocopy.linux;

import java.io.IOException;

/**
 * A Linux system call failed with an errno that is a real I/O error (not "try again", not
 * "this path cannot serve these descriptors"): for example {@code EPIPE} or
 * {@code ECONNRESET} when the receiver went away, or {@code ENOSPC}. The core engine reports
 * it as the cause of a {@link io.zerocopy.TransferException} carrying the bytes delivered.
 */
public final class NativeIOException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @serial the errno value */
    private final int errno;
    /** @serial the failed call's name */
    private final String syscall;

    NativeIOException(String syscall, int errno, String description) {
        super(syscall + ": " + description + " (errno " + errno + ")");
        this.errno = errno;
        this.syscall = syscall;
    }

    /** @return the errno value the call failed with (the asm-generic numbering, e.g. 32 for EPIPE) */
    public int errno() {
        return errno;
    }

    /** @return the name of the failed call, such as {@code "splice"} */
    public String syscall() {
        return syscall;
    }
}

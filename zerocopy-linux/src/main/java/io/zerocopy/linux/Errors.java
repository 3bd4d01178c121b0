package io.zerocopy.linux;

import io.zerocopy.spi.Outcome;

/**
 * The one place where errno values are given a meaning. Internal: not API.
 *
 * <table>
 *   <caption>errno → action</caption>
 *   <tr><th>errno</th><th>action</th></tr>
 *   <tr><td>EINTR</td><td>{@link Action#RETRY}</td></tr>
 *   <tr><td>EAGAIN</td><td>{@link Action#WAIT}: poll the descriptor, then retry</td></tr>
 *   <tr><td>ENOSYS, EPERM</td><td>{@link Action#FALLBACK}, scope ENGINE: the call never works here</td></tr>
 *   <tr><td>EINVAL, EXDEV, EOPNOTSUPP, ESPIPE, EBADF</td><td>{@link Action#FALLBACK}, scope TRANSFER:
 *       these descriptors cannot use this call</td></tr>
 *   <tr><td>EMFILE, ENFILE (no descriptor for a dup or a pipe)</td><td>{@link Action#FALLBACK}, scope TRANSFER</td></tr>
 *   <tr><td>EIO from copy_file_range before any byte moved</td><td>{@link Action#FALLBACK}, scope TRANSFER</td></tr>
 *   <tr><td>anything else (EPIPE, ECONNRESET, ENOSPC, EIO later, ...)</td><td>{@link Action#FAIL}:
 *       {@link #exception} builds a {@link NativeIOException}</td></tr>
 * </table>
 */
final class Errors {

    /** What a caller does about a failed call. */
    enum Action {
        /** Interrupted by a signal before anything happened: call again. */
        RETRY,
        /** A non-blocking descriptor is not ready: wait with poll(2), then call again. */
        WAIT,
        /** This path cannot serve these descriptors: deliver what is in flight, then fall back. */
        FALLBACK,
        /** A real I/O error: throw {@link #exception}. */
        FAIL
    }

    static final String SPLICE = "splice";
    static final String COPY_FILE_RANGE = "copy_file_range";
    static final String TEE = "tee";
    static final String VMSPLICE = "vmsplice";

    private Errors() { }

    /**
     * @param syscall the call that failed, {@link #SPLICE} or {@link #COPY_FILE_RANGE}
     * @param errno its errno
     * @param firstCall true if no byte has moved yet in this transfer by this call
     * @return what to do
     */
    static Action classify(String syscall, int errno, boolean firstCall) {
        switch (errno) {
            case Native.EINTR:
                return Action.RETRY;
            case Native.EAGAIN:
                return Action.WAIT;
            case Native.ENOSYS:
            case Native.EPERM:
            case Native.EINVAL:
            case Native.EXDEV:
            case Native.EOPNOTSUPP:
            case Native.ESPIPE:
            case Native.EBADF:
                return Action.FALLBACK;
            case Native.EMFILE:
            case Native.ENFILE:
                // Out of descriptors for a dup or a pipe: the portable path needs none.
                return Action.FALLBACK;
            case Native.EIO:
                return firstCall && syscall.equals(COPY_FILE_RANGE) ? Action.FALLBACK : Action.FAIL;
            default:
                return Action.FAIL;
        }
    }

    /**
     * @param syscall the call that failed
     * @param errno an errno that {@link #classify} answered {@link Action#FALLBACK} for
     * @return an unsupported outcome: ENGINE for a call that never works here, else TRANSFER
     */
    static Outcome unsupported(String syscall, int errno) {
        Outcome.Scope scope = errno == Native.ENOSYS || errno == Native.EPERM
                ? Outcome.Scope.ENGINE : Outcome.Scope.TRANSFER;
        return Outcome.unsupported(scope, syscall + ": " + Native.describe(errno) + " (errno " + errno + ")");
    }

    /**
     * @param syscall the call that failed
     * @param errno its errno
     * @return the exception to throw
     */
    static NativeIOException exception(String syscall, int errno) {
        return new NativeIOException(syscall, errno, Native.describe(errno));
    }
}

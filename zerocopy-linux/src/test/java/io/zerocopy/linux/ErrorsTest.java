package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zerocopy.spi.Outcome;

/** The errno table. */
class ErrorsTest {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void retryAndWait() {
        assertEquals(Errors.Action.RETRY, Errors.classify(Errors.SPLICE, Native.EINTR, true));
        assertEquals(Errors.Action.WAIT, Errors.classify(Errors.SPLICE, Native.EAGAIN, false));
    }

    @Test
    void cannotServeIsAFallbackScopedByHowLastingItIs() {
        for (int e : new int[] {Native.EINVAL, Native.EXDEV, Native.EOPNOTSUPP, Native.ESPIPE, Native.EBADF,
                Native.EMFILE, Native.ENFILE}) {
            assertEquals(Errors.Action.FALLBACK, Errors.classify(Errors.COPY_FILE_RANGE, e, false), "errno " + e);
            assertEquals(Outcome.Scope.TRANSFER, Errors.unsupported(Errors.COPY_FILE_RANGE, e).scope(), "errno " + e);
        }
        for (int e : new int[] {Native.ENOSYS, Native.EPERM}) {
            assertEquals(Errors.Action.FALLBACK, Errors.classify(Errors.SPLICE, e, true), "errno " + e);
            assertEquals(Outcome.Scope.ENGINE, Errors.unsupported(Errors.SPLICE, e).scope(), "errno " + e);
        }
        assertTrue(Errors.unsupported(Errors.COPY_FILE_RANGE, Native.EXDEV).reason().contains("errno 18"));
    }

    @Test
    void eioFallsBackOnlyOnTheFirstCopyFileRange() {
        assertEquals(Errors.Action.FALLBACK, Errors.classify(Errors.COPY_FILE_RANGE, Native.EIO, true));
        assertEquals(Errors.Action.FAIL, Errors.classify(Errors.COPY_FILE_RANGE, Native.EIO, false));
        assertEquals(Errors.Action.FAIL, Errors.classify(Errors.SPLICE, Native.EIO, true));
    }

    @Test
    void realErrorsBecomeExceptionsKeepingErrnoAndCall() {
        for (int e : new int[] {Native.EPIPE, Native.ECONNRESET, Native.ENOSPC}) {
            assertEquals(Errors.Action.FAIL, Errors.classify(Errors.SPLICE, e, false));
        }
        NativeIOException x = Errors.exception(Errors.SPLICE, Native.EPIPE);
        assertEquals(Native.EPIPE, x.errno());
        assertEquals("splice", x.syscall());
        assertEquals("splice: Broken pipe (errno 32)", x.getMessage());
    }
}

package io.zerocopy.linux;

import static io.zerocopy.linux.Errno.Action.FAIL;
import static io.zerocopy.linux.Errno.Action.FALLBACK_ENGINE;
import static io.zerocopy.linux.Errno.Action.FALLBACK_TRANSFER;
import static io.zerocopy.linux.Errno.Action.RETRY;
import static io.zerocopy.linux.Errno.Action.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zerocopy.linux.Errno.Syscall;
import io.zerocopy.spi.Outcome;

/** The errno table, row by row, with its differences per call. */
class ErrnoTest {

    private static final Syscall[] MOVING = {Syscall.SPLICE, Syscall.TEE, Syscall.VMSPLICE, Syscall.COPY_FILE_RANGE};
    private static final Syscall[] NO_FALLBACK = {Syscall.FCNTL, Syscall.READ, Syscall.POLL, Syscall.IOCTL,
        Syscall.FSTAT, Syscall.EPOLL_CREATE1, Syscall.EPOLL_CTL, Syscall.EPOLL_WAIT};

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void eintrIsRetriedByEveryCallButClose() {
        for (Syscall c : Syscall.values()) {
            assertEquals(c == Syscall.CLOSE ? FAIL : RETRY, Errno.action(c, Errno.EINTR, true), c.toString());
        }
    }

    @Test
    void eagainWaitsOnlyWhereADescriptorCanBecomeReady() {
        assertEquals(WAIT, Errno.action(Syscall.SPLICE, Errno.EAGAIN, false));
        assertEquals(WAIT, Errno.action(Syscall.TEE, Errno.EAGAIN, false));
        assertEquals(WAIT, Errno.action(Syscall.READ, Errno.EAGAIN, false));
        assertEquals(FALLBACK_TRANSFER, Errno.action(Syscall.COPY_FILE_RANGE, Errno.EAGAIN, true), "files are never 'not ready'");
        assertEquals(FAIL, Errno.action(Syscall.VMSPLICE, Errno.EAGAIN, true), "an empty pipe always has room");
        assertEquals(FAIL, Errno.action(Syscall.POLL, Errno.EAGAIN, false));
        assertEquals(FAIL, Errno.action(Syscall.PIPE2, Errno.EAGAIN, true));
    }

    @Test
    void cannotServeFallsBackForThisTransferOnly() {
        for (int e : new int[] {Errno.EINVAL, Errno.EXDEV, Errno.EOPNOTSUPP, Errno.ESPIPE, Errno.EBADF, Errno.EPERM,
                Errno.EMFILE, Errno.ENFILE}) {
            for (Syscall c : MOVING) {
                assertEquals(FALLBACK_TRANSFER, Errno.action(c, e, false), c + " errno " + e);
                assertEquals(Outcome.Scope.TRANSFER, Errno.unsupported(c, e).scope(), c + " errno " + e);
            }
            assertEquals(FALLBACK_TRANSFER, Errno.action(Syscall.PIPE2, e, true), "pipe2 errno " + e);
            assertEquals(FALLBACK_TRANSFER, Errno.action(Syscall.FCNTL_DUP, e, true), "dup errno " + e);
            for (Syscall c : NO_FALLBACK) {
                assertEquals(FAIL, Errno.action(c, e, true), c + " has no fallback: errno " + e);
            }
        }
        assertTrue(Errno.unsupported(Syscall.COPY_FILE_RANGE, Errno.EXDEV).reason().contains("errno 18"));
    }

    @Test
    void epermFromCopyFileRangeIsOneFileNotTheEngine() {
        assertEquals(FALLBACK_TRANSFER, Errno.action(Syscall.COPY_FILE_RANGE, Errno.EPERM, true));
        assertEquals(Outcome.Scope.TRANSFER, Errno.unsupported(Syscall.COPY_FILE_RANGE, Errno.EPERM).scope());
    }

    @Test
    void onlyAMissingCallIsEngineWide() {
        for (Syscall c : MOVING) {
            assertEquals(FALLBACK_ENGINE, Errno.action(c, Errno.ENOSYS, true), c.toString());
            assertEquals(Outcome.Scope.ENGINE, Errno.unsupported(c, Errno.ENOSYS).scope(), c.toString());
        }
        assertEquals(FALLBACK_ENGINE, Errno.action(Syscall.PIPE2, Errno.ENOSYS, true));
        assertEquals(FAIL, Errno.action(Syscall.POLL, Errno.ENOSYS, true));
    }

    @Test
    void eioFallsBackOnlyFromCopyFileRangeBeforeAnyByteMoved() {
        assertEquals(FALLBACK_TRANSFER, Errno.action(Syscall.COPY_FILE_RANGE, Errno.EIO, true));
        assertEquals(FAIL, Errno.action(Syscall.COPY_FILE_RANGE, Errno.EIO, false));
        assertEquals(FAIL, Errno.action(Syscall.SPLICE, Errno.EIO, true));
        assertEquals(FAIL, Errno.action(Syscall.READ, Errno.EIO, true));
    }

    @Test
    void ficloneRangeRefusalsFallBackAndOnlyTheFileSystemsOwnAreRemembered() {
        Syscall c = Syscall.IOCTL_FICLONE;
        for (int e : new int[] {Errno.EOPNOTSUPP, Errno.ENOTTY, Errno.EXDEV, Errno.EINVAL, Errno.EPERM, Errno.EBADF,
                Errno.ETXTBSY, Errno.EISDIR}) {
            assertEquals(FALLBACK_TRANSFER, Errno.action(c, e, true), "errno " + e);
            assertEquals(Outcome.Scope.TRANSFER, Errno.unsupported(c, e).scope(), "errno " + e);
            boolean fileSystem = e == Errno.EOPNOTSUPP || e == Errno.ENOTTY || e == Errno.EXDEV;
            assertEquals(fileSystem, Errno.refusedByFileSystem(c, e), "errno " + e);
        }
        assertEquals(FALLBACK_ENGINE, Errno.action(c, Errno.ENOSYS, true));
        assertEquals(Outcome.Scope.ENGINE, Errno.unsupported(c, Errno.ENOSYS).scope());
        for (int e : new int[] {Errno.EIO, Errno.ENOSPC, Errno.EMFILE, Errno.ESPIPE, Errno.EAGAIN}) {
            assertEquals(FAIL, Errno.action(c, e, true), "errno " + e);
        }
        assertFalse(Errno.refusedByFileSystem(Syscall.COPY_FILE_RANGE, Errno.EXDEV), "only FICLONERANGE is remembered");
        assertEquals(FAIL, Errno.action(Syscall.FSTAT, Errno.EBADF, true));
        assertTrue(Errno.unsupported(c, Errno.EXDEV).reason().startsWith("ioctl(FICLONERANGE): "));
    }

    @Test
    void epollCtlSwitchesOperationOnlyOnRegistrationMismatch() {
        assertEquals(Errno.Action.SWITCH_OP, Errno.action(Syscall.EPOLL_CTL, Errno.EEXIST, false));
        assertEquals(Errno.Action.SWITCH_OP, Errno.action(Syscall.EPOLL_CTL, Errno.ENOENT, false));
        for (Syscall c : Syscall.values()) {
            if (c != Syscall.EPOLL_CTL) {
                assertEquals(FAIL, Errno.action(c, Errno.ENOENT, true), c.toString());
                assertEquals(FAIL, Errno.action(c, Errno.EEXIST, true), c.toString());
            }
        }
    }

    @Test
    void closeNeverRetriesNorFallsBack() {
        for (int e : new int[] {Errno.EINTR, Errno.EIO, Errno.EBADF, Errno.ENOSPC}) {
            assertEquals(FAIL, Errno.action(Syscall.CLOSE, e, true), "errno " + e);
        }
    }

    @Test
    void realErrorsBecomeExceptionsKeepingErrnoAndCall() {
        for (int e : new int[] {Errno.EPIPE, Errno.ECONNRESET, Errno.ENOSPC}) {
            for (Syscall c : Syscall.values()) {
                assertEquals(FAIL, Errno.action(c, e, true), c + " errno " + e);
            }
        }
        NativeIOException x = Errno.exception(Syscall.SPLICE, Errno.EPIPE);
        assertEquals(Errno.EPIPE, x.errno());
        assertEquals("splice", x.syscall());
        assertEquals("splice: Broken pipe (errno 32)", x.getMessage());
        assertEquals("fcntl(F_DUPFD_CLOEXEC)", Errno.exception(Syscall.FCNTL_DUP, Errno.EBADF).syscall());
    }
}

package io.zerocopy.linux;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether io_uring serves in this process: probed once, lazily (on the first question, not at
 * class load), with the cause kept and logged once. Internal: not API.
 *
 * <p>The probe: the binding must be available and be {@code java.lang.foreign} (jnr-ffi has no
 * io_uring: JDK 22+ only); {@value #PROPERTY} must not be {@code false}; a ring of
 * {@value #PROBE_ENTRIES} entries is set up and mapped ({@link IoUring#open}, which needs the
 * features SINGLE_MMAP, NODROP and EXT_ARG); {@code IORING_REGISTER_PROBE} must report NOP,
 * POLL_ADD, ASYNC_CANCEL and SEND_ZC (6.0); {@code IORING_REGISTER_IOWQ_MAX_WORKERS} must work
 * (5.15); a NOP with a marker goes round the ring (which runs the memory-ordering code for
 * real); the ring is closed. A denied io_uring ({@link Errno}: {@code ENOSYS}, {@code EPERM},
 * {@code EACCES} from io_uring_setup: no io_uring in the kernel, {@code kernel.io_uring_disabled},
 * a seccomp filter, an LSM) is expected and logged at DEBUG; anything else at WARNING.
 *
 * <p>{@value #PROPERTY}{@code =deny} simulates a denial: the probe runs as if io_uring_setup had
 * failed with {@code EPERM}, through the same path. A seccomp filter that kills instead of
 * failing the call (systemd's {@code SystemCallFilter=} without {@code SystemCallErrorNumber=})
 * cannot be probed: such services set {@value #PROPERTY}{@code =false}.
 */
final class IoUringProbe {

    /** System property: {@code false} keeps io_uring unused; {@code deny} simulates a denial (EPERM). Read once. */
    static final String PROPERTY = "io.zerocopy.linux.ioUring";
    static final int PROBE_ENTRIES = 8;
    /** io-wq worker bound set on every ring, {bounded, unbounded}: SEND_ZC never needs a worker. */
    static final int[] MAX_WORKERS = {4, 4};
    static final byte[] REQUIRED_OPS = {IoUring.OP_NOP, IoUring.OP_POLL_ADD, IoUring.OP_ASYNC_CANCEL, IoUring.OP_SEND_ZC};
    private static final String[] OP_NAMES = {"NOP", "POLL_ADD", "ASYNC_CANCEL", "SEND_ZC (6.0)"};
    private static final long MARKER = 0x5A45_524F_4350_5931L;

    private IoUringProbe() { }

    /** @return why io_uring cannot serve, or null if it can */
    static Throwable unavailabilityCause() {
        return Holder.CAUSE;
    }

    /**
     * The probe, for {@link Holder} and tests.
     *
     * @param sys the binding, or null if it is unavailable
     * @param property the value of {@value #PROPERTY}, or null
     * @return null if io_uring serves, else why not
     */
    static Throwable probe(Syscalls sys, String property) {
        String value = property == null ? "" : property.trim().toLowerCase(Locale.ROOT);
        if (value.equals("false")) {
            return new UnsupportedOperationException("io_uring disabled by -D" + PROPERTY + "=false");
        }
        if (!value.isEmpty() && !value.equals("true") && !value.equals("deny")) {
            return new IllegalArgumentException(PROPERTY + " must be true, false or deny: " + property);
        }
        if (sys == null) {
            return new UnsupportedOperationException("zerocopy-linux unavailable", Native.unavailabilityCause());
        }
        if (sys instanceof JnrSyscalls) {
            return new UnsupportedOperationException("io_uring needs the java.lang.foreign binding (JDK 22+); binding: " + sys);
        }
        IoUring ring = null;
        try {
            if (value.equals("deny")) {
                throw new NativeIOException(Errno.Syscall.IO_URING_SETUP.toString(), Errno.EPERM,
                        Native.describe(Errno.EPERM) + ", simulated by -D" + PROPERTY + "=deny");
            }
            ring = IoUring.open(sys, PROBE_ENTRIES);
            boolean[] supported = ring.supports(REQUIRED_OPS);
            StringBuilder missing = new StringBuilder();
            for (int k = 0; k < supported.length; k++) {
                if (!supported[k]) {
                    missing.append(missing.length() == 0 ? "" : ", ").append(OP_NAMES[k]);
                }
            }
            if (missing.length() > 0) {
                return new UnsupportedOperationException("io_uring of this kernel lacks " + missing);
            }
            ring.maxWorkers(MAX_WORKERS[0], MAX_WORKERS[1]);
            if (!ring.nop(MARKER)) {
                return new IllegalStateException("io_uring probe: a new ring's SQ is full");
            }
            long[] seen = new long[3];
            ring.submit();
            ring.await(1000);
            ring.reap((userData, res, flags) -> {
                seen[0]++;
                seen[1] = userData;
                seen[2] = res;
            });
            if (seen[0] != 1 || seen[1] != MARKER || seen[2] != 0) {
                return new IllegalStateException("io_uring probe: a NOP came back as " + seen[0] + " completions, user_data 0x"
                        + Long.toHexString(seen[1]) + ", res " + seen[2] + " (expected 1, 0x" + Long.toHexString(MARKER) + ", 0)");
            }
            return null;
        } catch (NativeIOException e) {
            String disabled = readDisabled();
            if (disabled != null) {
                e.addSuppressed(new IOException("/proc/sys/kernel/io_uring_disabled = " + disabled));
            }
            return e;
        } catch (RuntimeException e) {
            return e;
        } finally {
            if (ring != null) {
                try {
                    ring.close();
                } catch (NativeIOException e) {
                    // the probe's verdict stands; a ring that fails to close is logged with it
                    System.getLogger(IoUringProbe.class.getName()).log(Level.WARNING, "zerocopy-linux: io_uring probe ring: " + e);
                }
            }
        }
    }

    /**
     * @param cause a probe's result
     * @return true if it is an expected absence (a denial, the property, JDK or binding), false
     *     for a failure that deserves a warning
     */
    static boolean expected(Throwable cause) {
        if (cause instanceof NativeIOException) {
            int errno = ((NativeIOException) cause).errno();
            return Errno.action(Errno.Syscall.IO_URING_SETUP, errno, true) == Errno.Action.FALLBACK_ENGINE
                    || errno == Errno.EINVAL; // an old kernel: a missing feature or register opcode
        }
        return cause == null || cause instanceof UnsupportedOperationException;
    }

    private static String readDisabled() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
        } catch (IOException | RuntimeException e) {
            return null; // before 6.6 there is no such file
        }
    }

    private static final class Holder {
        static final Throwable CAUSE;

        static {
            Throwable probed;
            try {
                probed = probe(Native.syscalls(), System.getProperty(PROPERTY));
            } catch (LinkageError e) {
                probed = e; // a binding that lacks a call (classes of two builds mixed): unavailable, never thrown
            }
            Throwable cause = probed;
            CAUSE = cause;
            System.getLogger(IoUringProbe.class.getPackageName()).log(expected(cause) ? Level.DEBUG : Level.WARNING,
                    () -> cause == null ? "zerocopy-linux: io_uring available" : "zerocopy-linux: io_uring unavailable: " + cause);
        }
    }
}

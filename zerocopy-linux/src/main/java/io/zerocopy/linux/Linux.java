package io.zerocopy.linux;

import java.lang.System.Logger.Level;

import io.zerocopy.EventLoops;
import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.TransferStrategy;

/**
 * Whether the Linux strategies can run in this JVM, and factories for them. The strategies are
 * normally not created by hand: {@link LinuxStrategyProvider} offers them to every
 * {@link io.zerocopy.TransferEngine}.
 *
 * <p>Availability is decided once, on first use, and never throws: it needs Linux on x86_64,
 * aarch64 or riscv64, a binding of the C library ({@link #binding()}: {@code java.lang.foreign}
 * on JDK 22+, jnr-ffi before), a way to read channel descriptors ({@link #descriptorAccess()}:
 * method handles where {@code java.base} opens {@code sun.nio.ch} to this module, else
 * {@code sun.misc.Unsafe}), and the system property {@value #ENABLED_PROPERTY} not
 * {@code false}. Otherwise {@link #unavailabilityCause()} gives the exception that stopped it,
 * the provider offers no strategies and the core's serve. The JDK options for each JDK are in
 * docs/linux.md, "JDK options". Thread-safe.
 */
public final class Linux {

    /** System property: {@code false} disables the module; read once. */
    public static final String ENABLED_PROPERTY = Native.ENABLED_PROPERTY;
    /** System property: {@code false} keeps the {@code tee} broadcast out of the provider (read at each engine build). */
    public static final String TEE_PROPERTY = TeeBroadcast.ENABLED_PROPERTY;
    /**
     * System property: capacity in bytes requested for each pipe of the shared pool (at least
     * 4096, capped at {@code /proc/sys/fs/pipe-max-size}); read once. Unset, the pool takes at
     * most a quarter of {@code /proc/sys/fs/pipe-user-pages-soft}: 64 pipes of 1 MiB where that
     * fits, else smaller pipes down to 16 pages (64 pipes of 256 KiB under the default limit
     * of 16384 pages), then fewer pipes. See docs/linux.md, "Pipe pool".
     */
    public static final String PIPE_SIZE_PROPERTY = "io.zerocopy.linux.pipeSize";
    /**
     * System property: the shared pool's bound on pipes in existence (at least 1); when every
     * pipe is leased, a transfer falls back instead of waiting. Read once. Unset, 64 or as many
     * as fit a quarter of {@code pipe-user-pages-soft} (see {@link #PIPE_SIZE_PROPERTY}); set
     * alone, the pipe size is fitted to it.
     */
    public static final String MAX_PIPES_PROPERTY = "io.zerocopy.linux.maxPipes";

    /**
     * System property: {@code false} keeps io_uring unused ({@link #ioUringAvailable()} false);
     * {@code deny} makes the probe run as if io_uring_setup had been denied ({@code EPERM}), for
     * tests of the fallback. Read once. Services whose seccomp filter kills on unknown calls set
     * {@code false}.
     */
    public static final String IO_URING_PROPERTY = IoUringProbe.PROPERTY;

    private Linux() { }

    /** @return true if the Linux strategies can run */
    public static boolean isAvailable() {
        return Availability.CAUSE == null;
    }

    /** @return why the Linux strategies cannot run, or null if they can */
    public static Throwable unavailabilityCause() {
        return Availability.CAUSE;
    }

    /**
     * @return the binding the system calls go through: {@code "java.lang.foreign"} (JDK 22+),
     *     {@code "jnr-ffi"}, or {@code "none"} if the module is unavailable
     */
    public static String binding() {
        return isAvailable() ? Native.binding() : "none";
    }

    /**
     * @return how channel descriptors are read: {@code "method handles on sun.nio.ch"} (where
     *     {@code java.base} opens that package to this module), {@code "sun.misc.Unsafe"}, or
     *     {@code "none"} if the module is unavailable
     */
    public static String descriptorAccess() {
        return isAvailable() ? ChannelDescriptors.route() : "none";
    }

    /**
     * Fails unless the module is available; for tests and for applications that require it.
     *
     * @throws UnsatisfiedLinkError with {@link #unavailabilityCause()} as its cause
     */
    public static void ensureAvailability() {
        if (Availability.CAUSE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError("zerocopy-linux unavailable: " + Availability.CAUSE);
            e.initCause(Availability.CAUSE);
            throw e;
        }
    }

    /**
     * Whether io_uring serves here: probed once, on the first call (a ring of 8 entries set up,
     * its operations NOP, POLL_ADD, ASYNC_CANCEL and SEND_ZC reported by the kernel, a NOP sent
     * round it, the ring closed). Needs the {@code java.lang.foreign} binding (JDK 22+), Linux
     * 6.0+, io_uring not denied (by {@code kernel.io_uring_disabled}, a seccomp filter such as
     * Docker's default profile, an LSM), and {@link #IO_URING_PROPERTY} not {@code false}.
     *
     * @return true if io_uring can serve ({@link #sendZc()})
     */
    public static boolean ioUringAvailable() {
        return IoUringProbe.unavailabilityCause() == null;
    }

    /** @return why io_uring cannot serve (a {@link NativeIOException} keeping the errno of a denial), or null if it can */
    public static Throwable ioUringUnavailabilityCause() {
        return IoUringProbe.unavailabilityCause();
    }

    /**
     * The io_uring event loops, for {@code ZeroCopy.builder().eventLoops(Linux.ioUringEventLoops())}
     * (or every engine's default with {@code -Dio.zerocopy.eventLoops=io_uring}): as many
     * {@code zerocopy-uring-N} threads as processors from 1 to 4, each alone owning a ring, on
     * which a transfer waits for readiness with {@code IORING_OP_POLL_ADD} and runs its steps
     * (splice(2), sendfile(2), the copy loop) inline, non-blocking, after the poll completes;
     * never on an io-wq worker. A transfer with a channel whose descriptor this module cannot
     * read (a class other than the JDK's socket and pipe channels) runs on the selector loops.
     * Set up on the first call.
     *
     * <p>Where io_uring does not serve ({@link #ioUringAvailable()} false: JDK 17-21, the
     * jnr-ffi binding, {@link #IO_URING_PROPERTY} {@code false} or {@code deny}, a denial) or
     * a loop's ring cannot be set up, this answers {@link EventLoops#selector()}, and
     * {@link #ioUringEventLoopsCause()} says why.
     *
     * @return the io_uring loops, or the selector loops
     */
    public static EventLoops ioUringEventLoops() {
        return UringEventLoops.group();
    }

    /**
     * @return why {@link #ioUringEventLoops()} answers the selector loops (the probe's cause, or
     *     the loops' setup failure), or null if it answers the io_uring loops; sets them up
     */
    public static Throwable ioUringEventLoopsCause() {
        return UringEventLoops.cause();
    }

    /**
     * The {@code sendZc} strategy for {@link io.zerocopy.TransferEngine#send}: direct buffers
     * sent to a TCP socket with io_uring's zerocopy send, returning only once the kernel has
     * said it no longer reads them, so the buffers may be reused on return whatever the peer
     * (unlike {@link #vmsplice(boolean)}'s safe mode, it serves peers on this host too). Opt-in:
     * add it with {@code ZeroCopy.builder().addFirst(Linux.sendZc())}. Over loopback and veth
     * the kernel copies the bytes anyway, and it is not faster there than the gathering write
     * (docs/linux.md, "io_uring (JDK 22+)"). Rings come from a shared pool of at most twice the
     * processors (at least 4); a send that finds none idle falls back.
     *
     * @return the strategy
     * @throws UnsupportedOperationException if io_uring is unavailable, with
     *     {@link #ioUringUnavailabilityCause()} as its cause
     */
    public static TransferStrategy sendZc() {
        Throwable cause = IoUringProbe.unavailabilityCause();
        if (cause != null) {
            throw new UnsupportedOperationException("io_uring unavailable: " + cause, cause);
        }
        return new SendZcStrategy(SharedRings.INSTANCE, Native.syscalls());
    }

    /**
     * @return the {@code splice} strategy, splicing through the shared pipe pool (see
     *     {@link #MAX_PIPES_PROPERTY}, {@link #PIPE_SIZE_PROPERTY})
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy splice() {
        ensureAvailability();
        return new SpliceStrategy(SharedPool.INSTANCE, Native.syscalls());
    }

    /**
     * @return the {@code sendfile} strategy: file to socket with sendfile(2), the socket driven
     *     non-blocking through the library's wait
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy sendfile() {
        ensureAvailability();
        return new SendfileStrategy(Native.syscalls());
    }

    /**
     * @return the {@code reflink} strategy: file to file by sharing extents
     *     ({@code ioctl(FICLONERANGE)}), remembering the file systems that refuse
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy reflink() {
        ensureAvailability();
        return new ReflinkStrategy(Native.syscalls());
    }

    /**
     * @return the {@code copyFileRange} strategy
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy copyFileRange() {
        ensureAvailability();
        return new CopyFileRangeStrategy(Native.syscalls());
    }

    /**
     * @return the {@code vmsplice} memory-send strategy in safe mode ({@code vmsplice(false)})
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy vmsplice() {
        return vmsplice(false);
    }

    /**
     * The {@code vmsplice} strategy for {@link io.zerocopy.TransferEngine#send}: direct buffers
     * are mapped into a pooled pipe and spliced to the target, not copied. Add it with
     * {@code ZeroCopy.builder().addFirst(Linux.vmsplice(...))}.
     *
     * <p>Safe mode ({@code unsafeReuse = false}) keeps {@code send}'s promise that the buffers
     * may be reused on return: it serves file targets, and TCP sockets to peers on other hosts
     * (waiting until they acknowledged every byte); other targets get the gathering write.
     *
     * <p>With {@code unsafeReuse = true} it serves pipes and every socket too and returns once
     * the bytes are in the target, while the kernel may still read the caller's pages: the
     * caller must not modify the buffers until the receiver has consumed the bytes (loopback:
     * read them), or the receiver may see the new contents. A {@code BufferCoalescer}, which
     * reuses its batch at once, never sends through it in this mode.
     *
     * @param unsafeReuse whether to return before the kernel has released the caller's pages
     * @return a {@code vmsplice} strategy using the shared pipe pool
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy vmsplice(boolean unsafeReuse) {
        ensureAvailability();
        return new VmspliceStrategy(SharedPool.INSTANCE, unsafeReuse, Native.syscalls());
    }

    /**
     * @return the {@code tee} broadcast strategy, using the shared pipe pool (a broadcast to N
     *     targets leases N + 1 pipes, or falls back)
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static BroadcastStrategy tee() {
        ensureAvailability();
        return new TeeBroadcast(SharedPool.INSTANCE, Native.syscalls());
    }

    /**
     * The pool behind {@link #splice()}, {@link #vmsplice(boolean)} and {@link #tee()}, created
     * on first use and closed by a shutdown hook.
     *
     * @return the shared pool
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    static PipePool sharedPipePool() {
        ensureAvailability();
        return SharedPool.INSTANCE;
    }

    private static final class Availability {
        static final Throwable CAUSE;

        static {
            Throwable cause;
            try {
                cause = Native.unavailabilityCause();
                if (cause == null) {
                    cause = ChannelDescriptors.unavailabilityCause();
                    if (cause != null) {
                        Throwable why = cause;
                        // On Linux with a working binding: sun.nio.ch not open, and Unsafe absent or refusing.
                        System.getLogger(Linux.class.getPackageName()).log(Level.WARNING,
                                () -> "zerocopy-linux: unavailable (-D" + ENABLED_PROPERTY + "=false silences this): " + why);
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                // Not expected: both causes are caught where they arise. Availability never throws.
                cause = e;
            }
            CAUSE = cause;
        }
    }

    private static final class SharedRings {
        static final RingPool INSTANCE = new RingPool(Native.syscalls(), RingPool.defaultMaxRings());
    }

    private static final class SharedPool {
        static final PipePool INSTANCE = create();

        private static PipePool create() {
            PipePool.Sizing sizing = PipePool.Sizing.forThisSystem(property(MAX_PIPES_PROPERTY, 1), property(PIPE_SIZE_PROPERTY, 4096));
            System.getLogger(Linux.class.getPackageName()).log(Level.DEBUG, () -> "zerocopy-linux: shared pipe pool " + sizing);
            return new PipePool(sizing.maxPipes(), sizing.pipeSize());
        }

        /** @return the property's value raised to {@code least}, or 0 if it is not set to a number (out-of-range values are clamped: the provider must not throw) */
        private static int property(String name, int least) {
            Integer value = Integer.getInteger(name);
            return value == null ? 0 : Math.max(least, value);
        }
    }
}

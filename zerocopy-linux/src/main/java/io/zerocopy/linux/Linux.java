package io.zerocopy.linux;

import java.lang.System.Logger.Level;

import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.TransferStrategy;

/**
 * Whether the Linux strategies can run in this JVM, and factories for them. The strategies are
 * normally not created by hand: {@link LinuxStrategyProvider} offers them to every
 * {@link io.zerocopy.TransferEngine}.
 *
 * <p>Availability is decided once, on first use, and never throws: it needs Linux on x86_64,
 * aarch64 or riscv64, jnr-ffi able to bind the C library, {@code sun.misc.Unsafe} to read
 * channel descriptors, and the system property {@value Native#ENABLED_PROPERTY} not
 * {@code false}. Otherwise {@link #unavailabilityCause()} says why, and the provider offers no
 * strategies. Thread-safe.
 */
public final class Linux {

    /** System property: {@code false} disables the module; read once. */
    public static final String ENABLED_PROPERTY = Native.ENABLED_PROPERTY;
    /** System property: {@code false} keeps the {@code tee} broadcast out of the provider (read at each engine build). */
    public static final String TEE_PROPERTY = TeeBroadcast.ENABLED_PROPERTY;

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
     * @return the {@code splice} strategy using the {@link #sharedPipePool() shared pipe pool}
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy splice() {
        return splice(sharedPipePool());
    }

    /**
     * @param pool the pipes to splice through; the caller keeps ownership and closes it after
     *     the last transfer (later transfers fall back)
     * @return a {@code splice} strategy
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy splice(PipePool pool) {
        ensureAvailability();
        return new SpliceStrategy(java.util.Objects.requireNonNull(pool, "pool"));
    }

    /**
     * @return the {@code copyFileRange} strategy
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy copyFileRange() {
        ensureAvailability();
        return new CopyFileRangeStrategy();
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
     * read them), or the receiver may see the new contents.
     *
     * @param unsafeReuse whether to return before the kernel has released the caller's pages
     * @return a {@code vmsplice} strategy using the {@link #sharedPipePool() shared pipe pool}
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static TransferStrategy vmsplice(boolean unsafeReuse) {
        ensureAvailability();
        return new VmspliceStrategy(sharedPipePool(), unsafeReuse);
    }

    /**
     * @return the {@code tee} broadcast strategy using the {@link #sharedPipePool() shared pipe pool}
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static BroadcastStrategy tee() {
        return tee(sharedPipePool());
    }

    /**
     * @param pool the pipes to tee through (a broadcast to N targets leases N + 1 of them, or
     *     falls back); the caller keeps ownership
     * @return a {@code tee} broadcast strategy
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static BroadcastStrategy tee(PipePool pool) {
        ensureAvailability();
        return new TeeBroadcast(java.util.Objects.requireNonNull(pool, "pool"));
    }

    /**
     * The pool used by {@link #splice()} and the provider: bound {@value PipePool#MAX_PIPES_PROPERTY}
     * (default 64), pipe size {@value PipePool#PIPE_SIZE_PROPERTY} (default 1 MiB). Closed by a
     * shutdown hook, or by the application with {@link PipePool#close()} (after which splice
     * transfers fall back).
     *
     * @return the shared pool, created on first use
     * @throws UnsatisfiedLinkError if the module is unavailable
     */
    public static PipePool sharedPipePool() {
        ensureAvailability();
        return SharedPool.INSTANCE;
    }

    /**
     * @param maxPipes the bound on pipes in existence; at least 1
     * @param pipeSize the requested capacity of each pipe in bytes; at least 4096, capped at
     *     {@code /proc/sys/fs/pipe-max-size}
     * @return a new pool, owned by the caller, who closes it
     * @throws UnsatisfiedLinkError if the module is unavailable
     * @throws IllegalArgumentException on an out-of-range argument
     */
    public static PipePool newPipePool(int maxPipes, int pipeSize) {
        ensureAvailability();
        return new PipePool(maxPipes, pipeSize);
    }

    private static final class Availability {
        static final Throwable CAUSE;

        static {
            Throwable cause = Native.unavailabilityCause();
            if (cause == null) {
                cause = ChannelDescriptors.unavailabilityCause();
                if (cause != null) {
                    Throwable why = cause;
                    System.getLogger(Linux.class.getName()).log(Level.DEBUG,
                            () -> "zerocopy-linux: unavailable: channel descriptors cannot be read: " + why);
                }
            }
            CAUSE = cause;
        }
    }

    private static final class SharedPool {
        // Out-of-range property values are clamped: the provider must not throw.
        static final PipePool INSTANCE = new PipePool(
                Math.max(1, Integer.getInteger(PipePool.MAX_PIPES_PROPERTY, PipePool.DEFAULT_MAX_PIPES)),
                Math.max(4096, Integer.getInteger(PipePool.PIPE_SIZE_PROPERTY, PipePool.DEFAULT_PIPE_SIZE)));
    }
}

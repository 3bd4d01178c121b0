package io.zerocopy;

import java.lang.System.Logger.Level;

import io.zerocopy.spi.Outcome;

/**
 * Records transfers for tools outside the program: JFR events ({@code io.zerocopy.Transfer},
 * {@code io.zerocopy.Fallback}; docs/observability.md) where the runtime has the
 * {@code jdk.jfr} module, nothing otherwise. {@link #INSTANCE} is chosen once: every reference
 * to {@code jdk.jfr} is in {@code JfrRecorder}, loaded by name only when the boot layer holds
 * the module, so that the library runs in an image without it ({@code jlink} with
 * {@code java.base} alone, {@code --limit-modules java.base}). Thread-safe.
 */
interface TransferRecorder {

    /** Records nothing. */
    TransferRecorder NONE = () -> null;

    /** The recorder of this runtime: JFR events if it has {@code jdk.jfr}, else {@link #NONE}. */
    TransferRecorder INSTANCE = forThisRuntime();

    /**
     * Called on a transfer's thread when it begins. With no recording running this only checks
     * a flag: it allocates nothing and loads no JFR class.
     *
     * @return the record of this transfer, or null when no recording wants it
     */
    Span start();

    /** One transfer's record, from {@link #start()}. Used on the transfer's thread only. */
    interface Span {

        /**
         * A strategy handed over to the next.
         *
         * @param transfer the transfer
         * @param strategy the strategy that gave up
         * @param delivered the bytes delivered so far in the transfer
         * @param outcome its outcome, not {@code COMPLETE}
         */
        void fallback(TransferInfo transfer, String strategy, long delivered, Outcome outcome);

        /**
         * The transfer ended, its resources released; called once, last.
         *
         * @param transfer the transfer
         * @param state its counts, last strategy and fallbacks
         * @param failure what the call throws, or null if it returns
         */
        void finish(TransferInfo transfer, TransferState state, Throwable failure);
    }

    private static TransferRecorder forThisRuntime() {
        if (ModuleLayer.boot().findModule("jdk.jfr").isEmpty()) {
            return NONE;
        }
        try {
            return (TransferRecorder) Class.forName("io.zerocopy.JfrRecorder").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            System.getLogger(TransferEngine.class.getName()).log(Level.DEBUG,
                    "zerocopy: JFR events off: the jdk.jfr module is there but cannot be used", e);
            return NONE;
        }
    }
}

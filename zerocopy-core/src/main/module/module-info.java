/**
 * zerocopy: zero-copy transfers between channels, with a fallback chain from the cheapest
 * path the JDK offers to a pooled-buffer copy. The API is {@code io.zerocopy}; strategies plug
 * in through {@code io.zerocopy.spi} and {@link java.util.ServiceLoader} (module
 * {@code io.zerocopy.linux} provides the Linux ones, bound automatically when it is on the
 * module path). Needs {@code java.base} only; JFR events ({@code io.zerocopy.Transfer},
 * {@code io.zerocopy.Fallback}) are recorded where module {@code jdk.jfr} is resolved (on the
 * module path: {@code --add-modules jdk.jfr} unless the application requires it).
 */
module io.zerocopy {
    exports io.zerocopy;
    exports io.zerocopy.spi;
    /** Internal hooks of the Linux strategies (waiting, the watchdog): not API. */
    exports io.zerocopy.internal to io.zerocopy.linux;

    // Optional: the JFR events, where jdk.jfr is in the runtime and resolved.
    requires static jdk.jfr;

    uses io.zerocopy.spi.TransferStrategyProvider;
    uses io.zerocopy.spi.EventLoopProvider;
}

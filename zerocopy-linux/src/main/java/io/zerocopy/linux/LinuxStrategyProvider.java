package io.zerocopy.linux;

import java.util.List;

import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.spi.TransferStrategyProvider;

/**
 * Offers the Linux strategies to {@link io.zerocopy.TransferEngine}s through
 * {@link java.util.ServiceLoader}: {@code splice} (files, sockets and pipes in any
 * combination), then {@code copyFileRange} (file to file only): splice measured 1.1 to 1.5
 * times faster file to file on the reference machine (docs/benchmarks.md); prefer
 * {@code copyFileRange} per pair on reflink or network file systems. And the broadcast strategy
 * {@code tee}, unless the system property {@value TeeBroadcast#ENABLED_PROPERTY} is
 * {@code false}. Offers nothing, without throwing, when {@link Linux#isAvailable()} is false.
 */
public final class LinuxStrategyProvider implements TransferStrategyProvider {

    /** For {@link java.util.ServiceLoader}. */
    public LinuxStrategyProvider() { }

    @Override
    public List<TransferStrategy> strategies() {
        if (!Linux.isAvailable()) {
            return List.of();
        }
        try {
            return List.of(Linux.splice(), Linux.copyFileRange());
        } catch (RuntimeException | LinkageError e) {
            // Contract: a provider never throws. Not expected once Linux.isAvailable() is true.
            System.getLogger(LinuxStrategyProvider.class.getName()).log(System.Logger.Level.WARNING,
                    "zerocopy-linux: strategies unavailable", e);
            return List.of();
        }
    }

    @Override
    public List<BroadcastStrategy> broadcastStrategies() {
        if (!Linux.isAvailable() || "false".equalsIgnoreCase(System.getProperty(Linux.TEE_PROPERTY))) {
            return List.of();
        }
        try {
            return List.of(Linux.tee());
        } catch (RuntimeException | LinkageError e) {
            System.getLogger(LinuxStrategyProvider.class.getName()).log(System.Logger.Level.WARNING,
                    "zerocopy-linux: broadcast strategies unavailable", e);
            return List.of();
        }
    }
}

package io.zerocopy.linux;

import java.util.List;

import io.zerocopy.TransferStrategy;
import io.zerocopy.TransferStrategyProvider;

/**
 * Offers the Linux strategies to {@link io.zerocopy.TransferEngine}s through
 * {@link java.util.ServiceLoader}: {@code copyFileRange} (file to file only), then
 * {@code splice} (files, sockets and pipes in any combination). Offers nothing, without
 * throwing, when {@link Linux#isAvailable()} is false.
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
            return List.of(Linux.copyFileRange(), Linux.splice());
        } catch (RuntimeException | LinkageError e) {
            // Contract: a provider never throws. Not expected once Linux.isAvailable() is true.
            System.getLogger(LinuxStrategyProvider.class.getName()).log(System.Logger.Level.WARNING,
                    "zerocopy-linux: strategies unavailable", e);
            return List.of();
        }
    }
}

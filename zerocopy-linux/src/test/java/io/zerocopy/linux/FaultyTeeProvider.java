package io.zerocopy.linux;

import java.util.List;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.spi.TransferStrategyProvider;

/**
 * Registered in this module's test resources, and found before {@link LinuxStrategyProvider}
 * (test classes come first on the class path): offers nothing, except to an engine built by
 * {@link #engineWith}, which gets a {@code tee} over the shared pool calling the given binding
 * in place of the provider's own.
 */
public final class FaultyTeeProvider implements TransferStrategyProvider {

    private static volatile Syscalls armed;

    /**
     * @param sys the binding the engine's {@code tee} calls, such as a {@link FaultySyscalls}
     * @return a default engine whose {@code tee} uses {@code sys}
     */
    static synchronized TransferEngine engineWith(Syscalls sys) {
        armed = sys;
        try {
            return ZeroCopy.builder().build();
        } finally {
            armed = null;
        }
    }

    @Override
    public List<TransferStrategy> strategies() {
        return List.of();
    }

    @Override
    public List<BroadcastStrategy> broadcastStrategies() {
        Syscalls sys = armed;
        return sys == null ? List.of() : List.of(new TeeBroadcast(Linux.sharedPipePool(), sys));
    }
}

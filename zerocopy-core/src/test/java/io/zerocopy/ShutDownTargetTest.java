package io.zerocopy;

import io.zerocopy.testkit.ShutDownTargetSuite;
import java.util.List;

/** A socket target whose output is shut down, with each core strategy. */
class ShutDownTargetTest extends ShutDownTargetSuite {

    @Override
    protected List<String> strategyNames() {
        return List.of("copy", "mmap", "transferTo");
    }

    @Override
    protected TransferEngine.Builder builder() {
        return ZeroCopy.builder().providers(false);
    }
}

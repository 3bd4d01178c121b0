package io.zerocopy;

import io.zerocopy.testkit.RandomizedAccountingSuite;
import java.util.List;

/** The randomized accounting property over the core strategies. */
class AccountingTest extends RandomizedAccountingSuite {

    @Override
    protected List<String> strategyNames() {
        return List.of("copy", "transferTo", "mmap", "transferFrom");
    }

    @Override
    protected TransferEngine.Builder builder() {
        return ZeroCopy.builder().providers(false);
    }
}

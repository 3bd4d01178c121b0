package io.zerocopy;

import io.zerocopy.testkit.ConcurrencySuite;
import io.zerocopy.testkit.LeakSuite;
import io.zerocopy.testkit.RandomizedIntegritySuite;
import java.util.List;
import org.junit.jupiter.api.Nested;

/** The shared reliability suites run against the core engine alone. */
class ReliabilitySuites {

    @Nested
    class Randomized extends RandomizedIntegritySuite {
        @Override
        protected List<String> strategyNames() {
            return List.of("copy", "transferTo", "mmap", "transferFrom");
        }

        @Override
        protected TransferEngine.Builder builder() {
            return coreOnly();
        }
    }

    @Nested
    class Concurrency extends ConcurrencySuite {
        private final TransferEngine engine = ZeroCopy.builder().providers(false).build();

        @Override
        protected TransferEngine engine() {
            return engine;
        }
    }

    @Nested
    class Leaks extends LeakSuite {
        private final TransferEngine engine = ZeroCopy.builder().providers(false).strategies("mmap", "transferTo", "copy").build();

        @Override
        protected TransferEngine engine() {
            return engine;
        }
    }
}

package io.zerocopy.linux;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.ConcurrencySuite;
import io.zerocopy.testkit.LeakSuite;
import io.zerocopy.testkit.RandomizedAccountingSuite;
import io.zerocopy.testkit.RandomizedIntegritySuite;

/**
 * The core's shared reliability suites with the Linux strategies loaded by the provider and
 * the shared pipe pool: random orders of every strategy, the accounting property with lying
 * strategies in front of them, 32 threads through one engine, and 10,000 mixed transfers
 * without a descriptor leak. (The broadcast suite runs in
 * {@link TeeBroadcastTest} and, with tee off, {@link TeeDisabledBroadcastTest}.)
 */
class LinuxReliabilitySuites {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    /** Descriptors the shared pool may hold by design: two per pipe, up to its bound. */
    static int poolBound() {
        return 2 * Linux.sharedPipePool().maxPipes();
    }

    @Nested
    class Randomized extends RandomizedIntegritySuite {
        @Override
        protected List<String> strategyNames() {
            // vmsplice is not listed: the provider does not offer it by name, and no pair has a memory source.
            return List.of("sendfile", "splice", "copyFileRange", "copy", "transferTo", "mmap", "transferFrom");
        }

        @Override
        protected TransferEngine.Builder builder() {
            return ZeroCopy.builder();
        }
    }

    @Nested
    class Accounting extends RandomizedAccountingSuite {
        @Override
        protected List<String> strategyNames() {
            return List.of("splice", "copyFileRange", "copy", "transferTo", "mmap", "transferFrom");
        }

        @Override
        protected TransferEngine.Builder builder() {
            return ZeroCopy.builder();
        }
    }

    @Nested
    class Concurrency extends ConcurrencySuite {
        private final TransferEngine engine = ZeroCopy.builder().build();

        @Override
        protected TransferEngine engine() {
            return engine;
        }
    }

    @Nested
    class Leaks extends LeakSuite {
        private final TransferEngine engine = ZeroCopy.builder().build();

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected int allowedDescriptorGrowth() {
            return poolBound();
        }
    }
}

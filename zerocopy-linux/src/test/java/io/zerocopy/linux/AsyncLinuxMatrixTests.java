package io.zerocopy.linux;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.testkit.IntegrityMatrix;
import io.zerocopy.testkit.OneStrategyMatrix;
import io.zerocopy.testkit.Pair;

/**
 * The core's integrity matrix through {@code transferAsync} with the Linux strategies: splice
 * and sendfile in their non-blocking steps, and the default selection (the strategies without
 * steps on a blocking thread), byte-exact, with the strategy that finished.
 */
class AsyncLinuxMatrixTests {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    private static TransferEngine only(String strategy) {
        return ZeroCopy.builder().threshold(0).strategies(strategy).build();
    }

    @Nested
    class SpliceSteps extends OneStrategyMatrix {
        SpliceSteps() {
            super(only("splice"), "splice", pair -> pair.source != ChannelKind.CHANNEL && pair.target != ChannelKind.CHANNEL);
        }

        @Override
        protected boolean async() {
            return true;
        }
    }

    @Nested
    class SendfileSteps extends OneStrategyMatrix {
        SendfileSteps() {
            super(only("sendfile"), "sendfile", pair -> pair == Pair.FILE_TO_SOCKET);
        }

        @Override
        protected boolean async() {
            return true;
        }
    }

    @Nested
    class DefaultSelection extends IntegrityMatrix {
        private final TransferEngine engine = ZeroCopy.builder().build();

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean covers(Pair pair) {
            return true;
        }

        @Override
        protected String expectedStrategy(Pair pair, long size) {
            return LinuxIntegrityMatrixTests.defaultStrategy(pair, size);
        }

        @Override
        protected boolean async() {
            return true;
        }
    }
}

package io.zerocopy;

import org.junit.jupiter.api.Nested;

import io.zerocopy.testkit.IntegrityMatrix;
import io.zerocopy.testkit.Pair;

/**
 * The shared integrity matrix through {@link TransferEngine#transferAsync}: the copy loop alone
 * (its non-blocking steps wherever both ends allow them), and the default selection (strategies
 * without a non-blocking form run on a blocking thread), byte-exact, with the strategy that
 * finished.
 */
class AsyncMatrixTests {

    @Nested
    class CopySteps extends IntegrityMatrix {
        private final TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies("copy").build();

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean covers(Pair pair) {
            return true;
        }

        @Override
        protected boolean coversChannelTargets() {
            return true;
        }

        @Override
        protected String expectedStrategy(Pair pair, long size) {
            return "copy";
        }

        @Override
        protected boolean async() {
            return true;
        }
    }

    @Nested
    class DefaultSelection extends IntegrityMatrix {
        private final TransferEngine engine = ZeroCopy.builder().providers(false).build();

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean covers(Pair pair) {
            return true;
        }

        @Override
        protected boolean coversChannelTargets() {
            return true;
        }

        @Override
        protected String expectedStrategy(Pair pair, long size) {
            return StrategyMatrixTests.defaultStrategy(pair, size);
        }

        @Override
        protected boolean async() {
            return true;
        }
    }
}

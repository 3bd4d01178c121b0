package io.zerocopy;

import io.zerocopy.testkit.IntegrityMatrix;
import io.zerocopy.testkit.Pair;
import org.junit.jupiter.api.Nested;

/** The shared integrity matrix through each core strategy alone, and through the default selection. */
class StrategyMatrixTests {

    private static TransferEngine only(String strategy) {
        return ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).build();
    }

    @Nested
    class Copy extends IntegrityMatrix {
        private final TransferEngine engine = only("copy");

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
            return "copy";
        }
    }

    @Nested
    class TransferTo extends IntegrityMatrix {
        private final TransferEngine engine = only("transferTo");

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean covers(Pair pair) {
            return pair.source == ChannelKind.FILE;
        }

        @Override
        protected String expectedStrategy(Pair pair, long size) {
            return "transferTo";
        }
    }

    @Nested
    class Mmap extends IntegrityMatrix {
        private final TransferEngine engine = only("mmap");

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean covers(Pair pair) {
            return pair.source == ChannelKind.FILE;
        }

        @Override
        protected String expectedStrategy(Pair pair, long size) {
            return "mmap";
        }
    }

    @Nested
    class TransferFrom extends IntegrityMatrix {
        private final TransferEngine engine = only("transferFrom");

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean covers(Pair pair) {
            return pair.target == ChannelKind.FILE && pair.source != ChannelKind.FILE;
        }

        @Override
        protected String expectedStrategy(Pair pair, long size) {
            return "transferFrom";
        }
    }

    /** The default chain without providers: copy below the threshold, transferTo for file sources. */
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
        protected String expectedStrategy(Pair pair, long size) {
            if (pair.source == ChannelKind.FILE && size >= TransferEngine.DEFAULT_THRESHOLD) {
                return "transferTo";
            }
            return "copy";
        }
    }
}

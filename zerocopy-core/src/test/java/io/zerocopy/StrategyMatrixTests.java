package io.zerocopy;

import io.zerocopy.testkit.ChannelBehaviour;
import io.zerocopy.testkit.IntegrityMatrix;
import io.zerocopy.testkit.OneStrategyMatrix;
import io.zerocopy.testkit.Pair;
import org.junit.jupiter.api.Nested;

import io.zerocopy.spi.ChannelKind;

/** The shared integrity matrix through each core strategy alone, and through the default selection. */
class StrategyMatrixTests {

    /** @return the strategy the default chain without providers finishes with, blocking or asynchronous */
    static String defaultStrategy(Pair pair, long size) {
        if (pair.source == ChannelKind.FILE && size >= TransferEngine.DEFAULT_THRESHOLD) {
            if (pair.target == ChannelKind.SOCKET || pair.target == ChannelKind.PIPE) {
                return "mmap";
            }
            return "transferTo";
        }
        return "copy";
    }

    private static TransferEngine only(String strategy) {
        return ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).build();
    }

    @Nested
    class Copy extends OneStrategyMatrix {
        Copy() {
            super(only("copy"), "copy", pair -> true);
        }
    }

    @Nested
    class TransferTo extends OneStrategyMatrix {
        TransferTo() {
            // Blocking sockets and pipes are declined (see TransferToTest); files and other channels are served.
            super(only("transferTo"), "transferTo", pair -> pair.source == ChannelKind.FILE
                    && pair.target != ChannelKind.SOCKET && pair.target != ChannelKind.PIPE);
        }
    }

    @Nested
    class Mmap extends OneStrategyMatrix {
        Mmap() {
            super(only("mmap"), "mmap", pair -> pair.source == ChannelKind.FILE);
        }
    }

    @Nested
    class TransferFrom extends OneStrategyMatrix {
        TransferFrom() {
            super(only("transferFrom"), "transferFrom",
                    pair -> pair.target == ChannelKind.FILE && pair.source != ChannelKind.FILE);
        }
    }

    /**
     * The default chain without providers: copy below the threshold; file sources use
     * mmap to sockets and pipes (blocking here: transferTo declines them), transferTo to files
     * and other channels.
     */
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
            return defaultStrategy(pair, size);
        }
    }

    /** The copy loop through {@code transferAsync}: its non-blocking steps wherever both ends allow them. */
    @Nested
    class CopyAsync extends Copy {
        @Override
        protected boolean async() {
            return true;
        }
    }

    /**
     * transferTo through {@code transferAsync}: in steps to files, sockets and pipes (the last
     * two non-blocking meanwhile, so served), blocking to other channels.
     */
    @Nested
    class TransferToAsync extends OneStrategyMatrix {
        TransferToAsync() {
            super(only("transferTo"), "transferTo", pair -> pair.source == ChannelKind.FILE);
        }

        @Override
        protected boolean async() {
            return true;
        }
    }

    /** mmap through {@code transferAsync}: one window a step to files, sockets and pipes. */
    @Nested
    class MmapAsync extends Mmap {
        @Override
        protected boolean async() {
            return true;
        }
    }

    /** transferFrom through {@code transferAsync}: in steps from sockets and pipes, blocking from other channels. */
    @Nested
    class TransferFromAsync extends TransferFrom {
        @Override
        protected boolean async() {
            return true;
        }
    }

    /**
     * The default chain through {@code transferAsync}: in steps wherever both ends are files or
     * selectable channels; strategies whose end is another channel run on a blocking thread.
     */
    @Nested
    class DefaultSelectionAsync extends DefaultSelection {
        @Override
        protected boolean async() {
            return true;
        }
    }
}

package io.zerocopy.linux;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.IntegrityMatrix;
import io.zerocopy.testkit.Pair;

/** The core's shared integrity matrix through each Linux strategy alone, and the default selection with them. */
class LinuxIntegrityMatrixTests {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    private static TransferEngine only(String strategy) {
        return ZeroCopy.builder().threshold(0).strategies(strategy).build();
    }

    @Nested
    class Splice extends IntegrityMatrix {
        private final TransferEngine engine = only("splice");

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean covers(Pair pair) {
            return pair.source != ChannelKind.CHANNEL && pair.target != ChannelKind.CHANNEL;
        }

        @Override
        protected String expectedStrategy(Pair pair, long size) {
            return "splice";
        }
    }

    @Nested
    class CopyFileRange extends IntegrityMatrix {
        private final TransferEngine engine = only("copyFileRange");

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean covers(Pair pair) {
            return pair == Pair.FILE_TO_FILE;
        }

        @Override
        protected String expectedStrategy(Pair pair, long size) {
            return "copyFileRange";
        }
    }

    /** Providers loaded, default threshold: what an application gets by adding the jar. */
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
            if (pair.source == ChannelKind.CHANNEL
                    || pair.source == ChannelKind.FILE && size < TransferEngine.DEFAULT_THRESHOLD) {
                return "copy";
            }
            // The core's built-in size bands: transferTo for file to socket and file to file below
            // 256 KiB, mmap for file to socket from 256 KiB; splice serves everything else.
            boolean fileToSocketOrFile = pair == Pair.FILE_TO_SOCKET || pair == Pair.FILE_TO_FILE;
            if (fileToSocketOrFile && size < 256 * 1024) {
                return "transferTo";
            }
            return pair == Pair.FILE_TO_SOCKET ? "mmap" : "splice";
        }
    }
}

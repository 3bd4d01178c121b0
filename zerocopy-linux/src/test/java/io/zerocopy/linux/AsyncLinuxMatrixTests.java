package io.zerocopy.linux;

import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.testkit.AsyncCalls;
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
        protected long transfer(TransferEngine e, FileChannel source, long position, long count, WritableByteChannel target)
                throws Exception {
            return AsyncCalls.transfer(e, source, position, count, target);
        }

        @Override
        protected long transfer(TransferEngine e, ReadableByteChannel source, WritableByteChannel target) throws Exception {
            return AsyncCalls.transfer(e, source, target);
        }
    }

    @Nested
    class SendfileSteps extends OneStrategyMatrix {
        SendfileSteps() {
            super(only("sendfile"), "sendfile", pair -> pair == Pair.FILE_TO_SOCKET);
        }

        @Override
        protected long transfer(TransferEngine e, FileChannel source, long position, long count, WritableByteChannel target)
                throws Exception {
            return AsyncCalls.transfer(e, source, position, count, target);
        }

        @Override
        protected long transfer(TransferEngine e, ReadableByteChannel source, WritableByteChannel target) throws Exception {
            return AsyncCalls.transfer(e, source, target);
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
            if (pair.source == ChannelKind.CHANNEL
                    || pair.source == ChannelKind.FILE && size < TransferEngine.DEFAULT_THRESHOLD) {
                return "copy";
            }
            if (pair == Pair.FILE_TO_SOCKET) {
                return "sendfile";
            }
            if (pair == Pair.FILE_TO_FILE && size < 256 * 1024) {
                return "transferTo";
            }
            return "splice";
        }

        @Override
        protected long transfer(TransferEngine e, FileChannel source, long position, long count, WritableByteChannel target)
                throws Exception {
            return AsyncCalls.transfer(e, source, position, count, target);
        }

        @Override
        protected long transfer(TransferEngine e, ReadableByteChannel source, WritableByteChannel target) throws Exception {
            return AsyncCalls.transfer(e, source, target);
        }
    }
}

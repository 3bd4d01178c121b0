package io.zerocopy;

import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

import org.junit.jupiter.api.Nested;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.testkit.AsyncCalls;
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
            if (pair.source == ChannelKind.FILE && size >= TransferEngine.DEFAULT_THRESHOLD) {
                return pair.target == ChannelKind.SOCKET || pair.target == ChannelKind.PIPE ? "mmap" : "transferTo";
            }
            return "copy";
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

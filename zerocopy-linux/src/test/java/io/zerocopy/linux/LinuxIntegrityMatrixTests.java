package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.IntegrityMatrix;
import io.zerocopy.testkit.OneStrategyMatrix;
import io.zerocopy.testkit.Pair;

/** The core's shared integrity matrix through each Linux strategy alone, and the default selection with them. */
class LinuxIntegrityMatrixTests {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    /** @return the strategy the default selection with the Linux providers finishes with, blocking or asynchronous */
    static String defaultStrategy(Pair pair, long size) {
        if (pair.source == ChannelKind.CHANNEL
                || pair.source == ChannelKind.FILE && size < TransferEngine.DEFAULT_THRESHOLD) {
            return "copy";
        }
        // sendfile for file to socket at every size; the core's transferTo for file to file
        // below 256 KiB (reflink, first, refuses on the test's file system, ext4 or tmpfs: see
        // ReflinkTest for XFS and Btrfs); splice serves everything else.
        if (pair == Pair.FILE_TO_SOCKET) {
            return "sendfile";
        }
        if (pair == Pair.FILE_TO_FILE && size < 256 * 1024) {
            return "transferTo";
        }
        return "splice";
    }

    private static TransferEngine only(String strategy) {
        return ZeroCopy.builder().threshold(0).strategies(strategy).build();
    }

    @Nested
    class Splice extends OneStrategyMatrix {
        Splice() {
            super(only("splice"), "splice", pair -> pair.source != ChannelKind.CHANNEL && pair.target != ChannelKind.CHANNEL);
        }
    }

    @Nested
    class Sendfile extends OneStrategyMatrix {
        Sendfile() {
            super(only("sendfile"), "sendfile", pair -> pair == Pair.FILE_TO_SOCKET);
        }
    }

    @Nested
    class CopyFileRange extends OneStrategyMatrix {
        CopyFileRange() {
            super(only("copyFileRange"), "copyFileRange", pair -> pair == Pair.FILE_TO_FILE);
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
            return defaultStrategy(pair, size);
        }
    }

    /** splice through {@code transferAsync}: its non-blocking steps, file to file included. */
    @Nested
    class SpliceAsync extends Splice {
        @Override
        protected boolean async() {
            return true;
        }
    }

    /** sendfile through {@code transferAsync}: its non-blocking steps. */
    @Nested
    class SendfileAsync extends Sendfile {
        @Override
        protected boolean async() {
            return true;
        }
    }

    /** copy_file_range through {@code transferAsync}: one bounded call a step on the file threads. */
    @Nested
    class CopyFileRangeAsync extends CopyFileRange {
        @Override
        protected boolean async() {
            return true;
        }
    }

    /**
     * The default selection through {@code transferAsync}: in steps wherever both ends are files
     * or selectable channels (here every pair but those from a {@code CHANNEL} source).
     */
    @Nested
    class DefaultSelectionAsync extends DefaultSelection {
        @Override
        protected boolean async() {
            return true;
        }
    }

    /** @return the engine's builder on the io_uring loops (the selector loops where io_uring does not serve: then the tests skip) */
    private static TransferEngine onUring(TransferEngine.Builder builder) {
        return builder.eventLoops(Linux.ioUringEventLoops()).build();
    }

    /** Skips with the probe's cause where io_uring does not serve; else the engine must run on its loops. */
    private static void requireUring(TransferEngine engine) {
        IoUringTest.requireIoUring();
        assertEquals("io_uring", engine.eventLoops().name(), () -> "io_uring loops: " + Linux.ioUringEventLoopsCause());
    }

    /** One strategy through {@code transferAsync} on the io_uring loops; skipped where io_uring does not serve. */
    abstract static class UringMatrix extends OneStrategyMatrix {
        UringMatrix(String strategy, java.util.function.Predicate<Pair> pairs) {
            super(onUring(ZeroCopy.builder().threshold(0).strategies(strategy)), strategy, pairs);
        }

        @BeforeEach
        void ioUring() {
            requireUring(engine());
        }

        @Override
        protected boolean async() {
            return true;
        }
    }

    /** splice on the io_uring loops: readiness by POLL_ADD, splice(2) inline on the ring's thread. */
    @Nested
    class SpliceUring extends UringMatrix {
        SpliceUring() {
            super("splice", pair -> pair.source != ChannelKind.CHANNEL && pair.target != ChannelKind.CHANNEL);
        }
    }

    /** sendfile on the io_uring loops. */
    @Nested
    class SendfileUring extends UringMatrix {
        SendfileUring() {
            super("sendfile", pair -> pair == Pair.FILE_TO_SOCKET);
        }
    }

    /** The default selection through {@code transferAsync} on the io_uring loops. */
    @Nested
    class DefaultSelectionUring extends DefaultSelection {
        private final TransferEngine engine = onUring(ZeroCopy.builder());

        @BeforeEach
        void ioUring() {
            requireUring(engine);
        }

        @Override
        protected TransferEngine engine() {
            return engine;
        }

        @Override
        protected boolean async() {
            return true;
        }
    }
}

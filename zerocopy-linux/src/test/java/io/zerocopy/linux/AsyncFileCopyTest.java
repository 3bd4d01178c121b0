package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zerocopy.TransferCancelledException;
import io.zerocopy.TransferEngine;
import io.zerocopy.TransferFuture;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.CancelOnFirstProgress;
import io.zerocopy.testkit.Payloads;

/**
 * The file-to-file strategies through {@code transferAsync}: a copy runs in bounded steps on
 * the file threads, byte-exact from a position to the target's position; cancelled once its
 * first chunk is reported, it stops between two chunks with the target holding exactly the
 * bytes reported.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AsyncFileCopyTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    /** Records the names of the threads progress is reported on. */
    private static final class ProgressThreads implements TransferListener {
        final Set<String> names = ConcurrentHashMap.newKeySet();

        @Override
        public void onProgress(String strategy, long delivered) {
            names.add(Thread.currentThread().getName());
        }
    }

    private static TransferEngine only(String strategy, TransferListener listener) {
        return ZeroCopy.builder().threshold(0).strategies(strategy).listener(listener).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"copyFileRange", "splice"})
    void aCopyRunsInStepsOnTheFileThreads(String strategy) throws Exception {
        byte[] data = Payloads.of((24 << 20) + 13, 51);
        Path src = Fixtures.file(dir, "src", data);
        ProgressThreads listener = new ProgressThreads();
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            out.position(5);
            TransferResult r = only(strategy, listener).transferAsync(in, 9, data.length - 9, out).get(60, TimeUnit.SECONDS);
            assertEquals(strategy, r.strategy(), r.attempts().toString());
            assertEquals(data.length - 9, r.bytes());
            assertEquals(5 + data.length - 9, out.position());
            byte[] got = Fixtures.read(out);
            Payloads.assertSameBytes(Arrays.copyOfRange(data, 9, data.length), Arrays.copyOfRange(got, 5, got.length),
                    "copied bytes");
        }
        AsyncChecks.assertStepped(listener.names, data.length);
        assertTrue(listener.names.stream().allMatch(n -> n.startsWith("zerocopy-file-")), listener.names::toString);
    }

    /**
     * A 128 MiB copy cancelled from its first progress report stops after that step: one call
     * of 8 MiB for copyFileRange, less for splice.
     */
    @ParameterizedTest
    @ValueSource(strings = {"copyFileRange", "splice"})
    void aCopyIsCancelledBetweenTwoChunksWithTheExactCount(String strategy) throws Exception {
        byte[] data = Payloads.of(128 << 20, 52);
        Path src = Fixtures.file(dir, "src", data);
        CancelOnFirstProgress canceller = new CancelOnFirstProgress();
        long step = FileToFileStrategy.STEP_BYTES; // splice's steps are smaller: 1 MiB and at most a pipe-full
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            TransferFuture f = only(strategy, canceller).transferAsync(in, 0, data.length, out);
            canceller.arm(f);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> f.stopped().toCompletableFuture().get(30, TimeUnit.SECONDS));
            TransferCancelledException cancelled = assertInstanceOf(TransferCancelledException.class, e.getCause());
            long delivered = cancelled.bytesDelivered();
            assertTrue(delivered > 0 && delivered <= step, delivered + " delivered: one step of at most " + step);
            assertEquals(strategy, cancelled.strategy());
            assertEquals(delivered, out.position(), "the target's position follows the bytes delivered");
            assertEquals(delivered, out.size(), "nothing written past them");
            ByteBuffer back = ByteBuffer.allocate((int) delivered);
            out.read(back, 0);
            Payloads.assertSameBytes(Arrays.copyOf(data, (int) delivered), back.array(), "the bytes delivered");
        }
    }
}

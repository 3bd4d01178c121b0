package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.CancelOnFirstProgress;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * transferTo, mmap and transferFrom through {@code transferAsync}: each runs in steps, so
 * dozens of transfers waiting on their peers hold no blocking thread, and each completes
 * byte-exact with that strategy; a file-to-file copy is cancelled between its chunks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AsyncSteppersTest {

    private static final int TRANSFERS = 40;

    @TempDir
    Path dir;

    /** Records the names of the threads progress is reported on, for concurrent transfers. */
    private static final class ProgressThreads implements TransferListener {
        final java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void onProgress(String strategy, long delivered) {
            names.add(Thread.currentThread().getName());
        }
    }

    private static TransferEngine only(String strategy, ProgressThreads listener) {
        return ZeroCopy.builder().providers(false).threshold(0).strategies(strategy).listener(listener).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"transferTo", "mmap"})
    void fileToSocketTransfersWaitingForTheirReadersHoldNoBlockingThread(String strategy) throws Exception {
        byte[] data = Payloads.of((2 << 20) + 5, 41);
        Path src = Files.write(dir.resolve("src"), data);
        ProgressThreads listener = new ProgressThreads();
        TransferEngine engine = only(strategy, listener);
        List<Loopback.Connection> connections = new ArrayList<>();
        try (FileChannel in = FileChannel.open(src)) {
            List<TransferFuture> futures = new ArrayList<>();
            for (int i = 0; i < TRANSFERS; i++) {
                Loopback.Connection c = Loopback.connect();
                connections.add(c);
                c.client.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
                c.accepted.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                futures.add(engine.transferAsync(in, i, data.length - i, c.client));
            }
            Thread.sleep(300); // every transfer now waits for its reader
            assertEquals(0, AsyncChecks.busyThreads("zerocopy-blocking-"), "no transfer holds a blocking thread");
            assertTrue(futures.stream().noneMatch(TransferFuture::isDone), "nobody reads yet: all are waiting");
            for (int i = 0; i < TRANSFERS; i++) {
                ByteBuffer got = ByteBuffer.allocate(data.length - i);
                while (got.hasRemaining()) {
                    connections.get(i).accepted.read(got);
                }
                TransferResult r = futures.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(strategy, r.strategy(), r.attempts().toString());
                assertEquals(data.length - i, r.bytes());
                assertEquals(0, r.bytesCopied());
                Payloads.assertSameBytes(Arrays.copyOfRange(data, i, data.length), got.array(), "transfer " + i);
            }
            AsyncChecks.assertStepped(listener.names, data.length);
        } finally {
            for (Loopback.Connection c : connections) {
                c.close();
            }
        }
    }

    @Test
    void socketToFileTransfersWaitingForTheirSourcesHoldNoBlockingThread() throws Exception {
        ProgressThreads listener = new ProgressThreads();
        TransferEngine engine = only("transferFrom", listener);
        List<Loopback.Connection> connections = new ArrayList<>();
        List<FileChannel> files = new ArrayList<>();
        try {
            List<TransferFuture> futures = new ArrayList<>();
            for (int i = 0; i < TRANSFERS; i++) {
                Loopback.Connection c = Loopback.connect();
                connections.add(c);
                FileChannel out = FileChannel.open(dir.resolve("dst" + i), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.READ);
                files.add(out);
                futures.add(engine.transferAsync(c.accepted, out));
            }
            Thread.sleep(300); // every transfer now waits for its source
            assertEquals(0, AsyncChecks.busyThreads("zerocopy-blocking-"), "no transfer holds a blocking thread");
            assertTrue(futures.stream().noneMatch(TransferFuture::isDone), "nothing sent yet: all are waiting");
            byte[][] payloads = new byte[TRANSFERS][];
            for (int i = 0; i < TRANSFERS; i++) {
                payloads[i] = Payloads.of(100_000 + i, 42 + i);
                connections.get(i).client.write(ByteBuffer.wrap(payloads[i]));
                connections.get(i).client.shutdownOutput();
            }
            for (int i = 0; i < TRANSFERS; i++) {
                TransferResult r = futures.get(i).get(30, TimeUnit.SECONDS);
                assertEquals("transferFrom", r.strategy(), r.attempts().toString());
                assertEquals(payloads[i].length, r.bytes());
                assertEquals(payloads[i].length, files.get(i).position());
                ByteBuffer back = ByteBuffer.allocate(payloads[i].length);
                files.get(i).read(back, 0);
                Payloads.assertSameBytes(payloads[i], back.array(), "file " + i);
                assertEquals(payloads[i].length, files.get(i).size());
            }
            AsyncChecks.assertStepped(listener.names, 1);
        } finally {
            for (Loopback.Connection c : connections) {
                c.close();
            }
            for (FileChannel f : files) {
                f.close();
            }
        }
    }

    /**
     * The event-loop form ({@link NonBlockingTransfer}) steps transferTo and mmap, whose steps
     * touch the file, in the caller's own selector loop: a file to a socket read by a slow
     * peer, each strategy finishing it byte-exact.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transferTo", "mmap"})
    void theEventLoopFormStepsAFileToASocket(String strategy) throws Exception {
        byte[] data = Payloads.of((3 << 20) + 1, 45);
        Path src = Files.write(dir.resolve("src"), data);
        TransferEngine engine = only(strategy, new ProgressThreads());
        try (FileChannel in = FileChannel.open(src); Loopback.Connection c = Loopback.connect();
             java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            c.client.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            c.client.configureBlocking(false);
            java.util.concurrent.FutureTask<byte[]> reader = new java.util.concurrent.FutureTask<>(
                    () -> AsyncChecks.readAll(c.accepted));
            new Thread(reader, "peer reader").start();
            NonBlockingTransfer t = engine.nonBlocking(in, 3, data.length - 3, c.client);
            java.nio.channels.SelectionKey key = c.client.register(selector, 0);
            int waits = 0;
            for (int ops = t.step(); ops != 0; ops = t.step()) {
                assertEquals(java.nio.channels.SelectionKey.OP_WRITE, ops, "a file source: only the target is waited for");
                key.interestOps(ops);
                selector.select(1000);
                selector.selectedKeys().clear();
                waits++;
            }
            assertEquals(strategy, t.result().strategy(), t.result().attempts().toString());
            assertEquals(data.length - 3, t.result().bytes());
            assertTrue(waits > 0, "the socket filled up at least once");
            c.client.shutdownOutput();
            Payloads.assertSameBytes(Arrays.copyOfRange(data, 3, data.length), reader.get(30, TimeUnit.SECONDS), strategy);
        }
    }

    /**
     * A 128 MiB file-to-file transferTo, cancelled from its first progress report: it stops
     * after that step, one chunk of at most 8 MiB, and the target holds exactly the bytes it
     * reports.
     */
    @Test
    void aFileToFileCopyIsCancelledBetweenTwoChunksWithTheExactCount() throws Exception {
        byte[] data = Payloads.of(128 << 20, 43);
        Path src = Files.write(dir.resolve("src"), data);
        CancelOnFirstProgress canceller = new CancelOnFirstProgress();
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies("transferTo")
                .listener(canceller).build();
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dir.resolve("dst"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            TransferFuture f = engine.transferAsync(in, 0, data.length, out);
            canceller.arm(f);
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> f.stopped().toCompletableFuture().get(30, TimeUnit.SECONDS));
            TransferCancelledException cancelled = assertInstanceOf(TransferCancelledException.class, e.getCause());
            long delivered = cancelled.bytesDelivered();
            assertTrue(delivered > 0 && delivered <= TransferToStrategy.MAX_CHUNK, delivered + " delivered: one chunk");
            assertEquals("transferTo", cancelled.strategy());
            assertEquals(delivered, out.position(), "the target's position follows the bytes delivered");
            assertEquals(delivered, out.size(), "nothing written past them");
            ByteBuffer back = ByteBuffer.allocate((int) delivered);
            out.read(back, 0);
            Payloads.assertSameBytes(Arrays.copyOf(data, (int) delivered), back.array(), "the bytes delivered");
        }
    }
}

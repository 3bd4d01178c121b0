package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferFuture;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * Asynchronous socket-to-socket transfers: the relays splice in non-blocking steps on the
 * reactor, hold no thread while they wait, and lease a pipe only while it holds bytes, so more
 * waiting relays than pooled pipes all splice; when more relays than pipes have bytes in flight,
 * those finding no pipe free copy a round through their buffer and still splice, and their
 * results report exactly the bytes so copied ({@code TransferResult.bytesCopied()}).
 */
@Timeout(120)
class AsyncRelayTest {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void moreWaitingRelaysThanPipesHoldNoThreadAndAllSplice() throws Exception {
        TransferEngine engine = ZeroCopy.builder().build();
        int n = 2 * Linux.sharedPipePool().maxPipes() + 50;
        List<Loopback.Connection> in = new ArrayList<>();
        List<Loopback.Connection> out = new ArrayList<>();
        List<TransferFuture> futures = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                in.add(Loopback.connect());
                out.add(Loopback.connect());
                futures.add(engine.transferAsync(in.get(i).accepted, out.get(i).client));
            }
            Thread.sleep(200); // every relay now waits for its source
            assertEquals(0, AsyncChecks.busyThreads("zerocopy-blocking-"), "no relay holds a thread while it waits");
            byte[][] payloads = new byte[n][];
            for (int i = 0; i < n; i++) {
                payloads[i] = Payloads.of(20_000 + i, i);
                in.get(i).client.write(ByteBuffer.wrap(payloads[i]));
                in.get(i).client.shutdownOutput();
            }
            for (int i = 0; i < n; i++) {
                TransferResult r = futures.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(payloads[i].length, r.bytes());
                assertEquals("splice", r.strategy(), "relay " + i + ": " + r.attempts());
                assertEquals(0, r.bytesCopied(), "relay " + i + " found a pipe free for every round: " + r.attempts());
                out.get(i).client.shutdownOutput();
                Payloads.assertSameBytes(payloads[i], AsyncChecks.readAll(out.get(i).accepted), "relay " + i);
            }
            assertTrue(n > Linux.sharedPipePool().maxPipes());
        } finally {
            for (Loopback.Connection c : in) {
                c.close();
            }
            for (Loopback.Connection c : out) {
                c.close();
            }
        }
    }

    /**
     * 200 relays of 2 MiB each, fed at once and read slowly, share a pool of 8 pipes: far more
     * relays than pipes have bytes in flight at the same moment, and every one completes by
     * splice, with no fallback, some of its rounds copied through its buffer. The feeder and the
     * slow reader are one selector loop on the test thread; relay {@code i} sends the same
     * payload rotated by its own offset, checked as it arrives.
     */
    @Test
    void moreBusyRelaysThanPipesAllSpliceWithNoFallback() throws Exception {
        int n = 200;
        int size = 2 << 20;
        byte[] data = Payloads.of(size, 11);
        long copiedBefore = SpliceStepper.copiedInProcess();
        List<Loopback.Connection> in = new ArrayList<>();
        List<Loopback.Connection> out = new ArrayList<>();
        try (PipePool pool = new PipePool(8, 64 * 1024); Selector selector = Selector.open()) {
            TransferEngine engine = ZeroCopy.builder().providers(false)
                    .addFirst(new SpliceStrategy(pool, Native.syscalls())).build();
            List<TransferFuture> futures = new ArrayList<>();
            int[] offset = new int[n];
            ByteBuffer[][] feed = new ByteBuffer[n][];
            int[] got = new int[n];
            for (int i = 0; i < n; i++) {
                in.add(Loopback.connect());
                out.add(Loopback.connect());
                out.get(i).client.setOption(StandardSocketOptions.SO_SNDBUF, 32 * 1024);
                out.get(i).accepted.setOption(StandardSocketOptions.SO_RCVBUF, 32 * 1024);
                offset[i] = (int) ((i * 7919L) % size);
                feed[i] = new ByteBuffer[] {ByteBuffer.wrap(data, offset[i], size - offset[i]), ByteBuffer.wrap(data, 0, offset[i])};
                futures.add(engine.transferAsync(in.get(i).accepted, out.get(i).client));
                in.get(i).client.configureBlocking(false);
                in.get(i).client.register(selector, SelectionKey.OP_WRITE, i);
                out.get(i).accepted.configureBlocking(false);
                out.get(i).accepted.register(selector, SelectionKey.OP_READ, i);
            }
            ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
            int readersDone = 0;
            while (readersDone < n) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    int i = (Integer) k.attachment();
                    if (k.isValid() && k.isWritable()) {
                        SocketChannel feeder = (SocketChannel) k.channel();
                        feeder.write(feed[i]);
                        if (!feed[i][1].hasRemaining()) {
                            k.cancel();
                            feeder.shutdownOutput();
                        }
                    } else if (k.isValid() && k.isReadable()) {
                        chunk.clear();
                        int r = ((SocketChannel) k.channel()).read(chunk); // at most 16 KiB per round: a slow reader
                        for (int j = 0; j < Math.max(r, 0); j++) {
                            if (chunk.get(j) != data[(int) ((offset[i] + (long) got[i] + j) % size)]) {
                                throw new AssertionError("relay " + i + ": byte " + (got[i] + j) + " differs");
                            }
                        }
                        got[i] += Math.max(r, 0);
                        assertTrue(r >= 0 && got[i] <= size, () -> "relay " + i + ": " + got[i] + " bytes, then " + r);
                        if (got[i] == size) {
                            k.cancel();
                            readersDone++;
                        }
                    }
                }
                selector.selectedKeys().clear();
                for (TransferFuture f : futures) {
                    if (f.isCompletedExceptionally()) {
                        f.join(); // fails the test with the transfer's exception
                    }
                }
                Thread.sleep(1);
            }
            long copied = 0;
            for (int i = 0; i < n; i++) {
                TransferResult r = futures.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(size, r.bytes());
                assertEquals("splice", r.strategy(), "relay " + i + ": " + r.attempts());
                assertFalse(r.fellBack(), () -> "relay fell back: " + r.attempts());
                assertEquals(r.bytesCopied(), r.attempts().get(0).bytesCopied(), "one attempt");
                assertTrue(r.bytesCopied() <= size);
                copied += r.bytesCopied();
            }
            assertTrue(copied > 0, "rounds with no pipe free went through the buffer");
            assertEquals(SpliceStepper.copiedInProcess() - copiedBefore, copied,
                    "the results report exactly the bytes the steppers copied");
            assertEquals(pool.openPipes(), pool.idlePipes(), "every pipe back in the pool");
            assertTrue(pool.openPipes() <= 8);
        } finally {
            for (Loopback.Connection c : in) {
                c.close();
            }
            for (Loopback.Connection c : out) {
                c.close();
            }
        }
    }

}

package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Payloads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/** Batches arrive whole and in order; a caller may reuse its buffer at once, whatever the engine. */
class BufferCoalescerTest {

    /**
     * A gathering channel that records each write call's size and accepts at most
     * {@code maxPerCall} bytes a call, returning 0 on every third call to act like a full socket.
     */
    static final class StingyChannel implements GatheringByteChannel {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<Long> writes = new ArrayList<>();
        final int maxPerCall;
        int calls;
        boolean open = true;
        boolean fail;

        StingyChannel(int maxPerCall) {
            this.maxPerCall = maxPerCall;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            if (fail) {
                throw new IOException("target failed");
            }
            if (++calls % 3 == 0) {
                return 0;
            }
            long budget = maxPerCall;
            long total = 0;
            for (int i = offset; i < offset + length && budget > 0; i++) {
                ByteBuffer b = srcs[i];
                int n = (int) Math.min(b.remaining(), budget);
                for (int j = 0; j < n; j++) {
                    received.write(b.get());
                }
                budget -= n;
                total += n;
            }
            writes.add(total);
            return total;
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    @Test
    void smallWritesAreBatchedIntoThresholdSizedGatheringWrites() throws Exception {
        StingyChannel target = new StingyChannel(Integer.MAX_VALUE);
        byte[] payload = Payloads.of(100_000, 1);
        try (BufferCoalescer c = new BufferCoalescer(target, 8192)) {
            for (int i = 0; i < payload.length; i += 100) {
                c.write(ByteBuffer.wrap(payload, i, Math.min(100, payload.length - i)));
                assertTrue(c.pending() < 8192);
            }
        }
        Payloads.assertSameBytes(payload, target.received.toByteArray(), "batched");
        for (int i = 0; i < target.writes.size() - 1; i++) {
            assertTrue(target.writes.get(i) >= 8192, "write " + i + " of " + target.writes.get(i) + " bytes is below the threshold");
        }
        assertTrue(target.writes.size() <= 100_000 / 8192 + 1, "write calls: " + target.writes.size());
        assertFalse(target.isOpen(), "close closes the target");
    }

    @Test
    void partialAndZeroWritesLoseNothing() throws Exception {
        StingyChannel target = new StingyChannel(3);
        byte[] payload = Payloads.of(50_000, 2);
        SplittableRandom r = new SplittableRandom(42);
        BufferCoalescer c = new BufferCoalescer(target, 1000);
        ByteBuffer reused = ByteBuffer.allocate(3000);
        int i = 0;
        while (i < payload.length) {
            int n = Math.min(payload.length - i, r.nextInt(0, 3000));
            reused.clear();
            reused.put(payload, i, n).flip();
            assertEquals(n, c.write(reused));
            assertFalse(reused.hasRemaining(), "write consumes the whole buffer");
            reused.clear();
            while (reused.hasRemaining()) {
                reused.put((byte) 0x5A);
            }
            i += n;
        }
        c.flush();
        assertEquals(0, c.pending());
        Payloads.assertSameBytes(payload, target.received.toByteArray(), "caller reused its buffer after each write");
    }

    @Test
    void aFailedWriteKeepsTheBatchForALaterFlush() throws Exception {
        StingyChannel target = new StingyChannel(Integer.MAX_VALUE);
        BufferCoalescer c = new BufferCoalescer(target, 100);
        c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        target.fail = true;
        ByteBuffer big = ByteBuffer.wrap(new byte[] {4, 5, 6, 7});
        assertThrows(IOException.class, c::flush);
        assertEquals(3, c.pending());
        assertEquals(4, big.remaining());
        target.fail = false;
        c.flush();
        assertEquals(0, c.pending());
        assertEquals(3, target.received.size());
    }

    @Test
    void closedCoalescerRejectsWrites() throws Exception {
        StingyChannel target = new StingyChannel(Integer.MAX_VALUE);
        BufferCoalescer c = new BufferCoalescer(target);
        c.write(ByteBuffer.wrap(new byte[10]));
        c.close();
        c.close();
        assertEquals(10, target.received.size(), "close flushes");
        assertThrows(ClosedChannelException.class, () -> c.write(ByteBuffer.wrap(new byte[1])));
        assertThrows(ClosedChannelException.class, c::flush);
    }

    @Test
    void aCoalescerIsAChannelTheEngineCanWriteTo() throws Exception {
        StingyChannel target = new StingyChannel(5000);
        byte[] payload = Payloads.of(70_001, 3);
        try (BufferCoalescer c = new BufferCoalescer(target)) {
            assertEquals(payload.length, ZeroCopy.builder().providers(false).build().transfer(java.nio.channels.Channels.newChannel(
                    new java.io.ByteArrayInputStream(payload)), c));
        }
        Payloads.assertSameBytes(payload, target.received.toByteArray(), "engine into coalescer");
    }

    /**
     * Stands for vmsplice with unsafe reuse: it returns at once and the target reads the
     * caller's buffers later, at the next send or at {@link #drain()}, as the kernel does.
     */
    static final class ReadsLater implements TransferStrategy {
        private final List<ByteBuffer> unread = new ArrayList<>();
        private WritableByteChannel target;
        int sends;

        @Override
        public String name() {
            return "readsLater";
        }

        @Override
        public boolean supports(ChannelKind source, ChannelKind target, long size) {
            return source == ChannelKind.MEMORY;
        }

        @Override
        public boolean readsBuffersAfterReturn() {
            return true;
        }

        @Override
        public Outcome transfer(Transfer t) throws IOException {
            drain();
            target = t.target();
            sends++;
            for (ByteBuffer b : t.sourceBuffers()) {
                int n = b.remaining();
                unread.add(b.duplicate());
                b.position(b.limit());
                t.advance(n);
            }
            return Outcome.COMPLETE;
        }

        void drain() throws IOException {
            for (ByteBuffer b : unread) {
                while (b.hasRemaining()) {
                    target.write(b);
                }
            }
            unread.clear();
        }
    }

    @Test
    void aCoalescerNeverSendsThroughAStrategyThatReadsBuffersAfterReturn() throws Exception {
        ReadsLater later = new ReadsLater();
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).addFirst(later).build();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        WritableByteChannel target = java.nio.channels.Channels.newChannel(received);
        engine.send(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1, 2, 3})}, target);
        later.drain();
        assertEquals(1, later.sends, "a plain send uses it: its caller opted in");
        received.reset();

        byte[] payload = Payloads.of(50_000, 4);
        BufferCoalescer c = new BufferCoalescer(target, 1000, engine);
        ByteBuffer reused = ByteBuffer.allocate(700);
        for (int i = 0; i < payload.length; i += reused.capacity()) {
            reused.clear();
            reused.put(payload, i, Math.min(reused.capacity(), payload.length - i)).flip();
            c.write(reused);
            reused.clear();
            while (reused.hasRemaining()) {
                reused.put((byte) 0x5A);
            }
        }
        c.flush();
        later.drain();
        assertEquals(1, later.sends, "the coalescer's sends went another way");
        Payloads.assertSameBytes(payload, received.toByteArray(), "what the target read after the coalescer reused its buffers");
    }
}

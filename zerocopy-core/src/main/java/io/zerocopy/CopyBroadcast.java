package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The portable broadcast, {@code copy}: each chunk is read once into the pooled buffer and
 * written to every active target from that one buffer (no per-target copy). Selectable
 * targets are switched to non-blocking mode for the broadcast and switched back at its end, so
 * one slow target never blocks the others; a target that accepts nothing for the stall timeout
 * is failed as stalled and the others go on. The next chunk is read when every active target
 * has the current one, so a slow target slows the broadcast to its pace until it stalls out.
 */
final class CopyBroadcast implements BroadcastStrategy {

    static final String NAME = "copy";
    private static final long MAX_WAIT_MILLIS = 50;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, List<ChannelKind> targets, long size) {
        return true;
    }

    @Override
    public Outcome broadcast(Broadcast b) throws IOException {
        int n = b.targetCount();
        boolean[] switched = new boolean[n];
        Waiter waiter = new Waiter(b);
        try {
            for (int i = 0; i < n; i++) {
                if (b.target(i) instanceof SelectableChannel) {
                    SelectableChannel sc = (SelectableChannel) b.target(i);
                    synchronized (sc.blockingLock()) {
                        if (sc.isBlocking()) {
                            sc.configureBlocking(false);
                            switched[i] = true;
                        }
                    }
                }
            }
            ByteBuffer buf = b.buffer();
            FileChannel file = b.sourceKind() == ChannelKind.FILE ? b.sourceFile() : null;
            while (b.remaining() > 0 && b.activeCount() > 0) {
                buf.clear();
                buf.limit((int) Math.min(b.remaining(), buf.capacity()));
                int r = file != null ? file.read(buf, b.position()) : b.source().read(buf);
                if (r < 0 || (r == 0 && file != null)) {
                    break;
                }
                if (r == 0) {
                    b.awaitReadable();
                    continue;
                }
                b.consumed(r);
                deliver(b, buf, r, waiter);
            }
            return Outcome.COMPLETE;
        } finally {
            waiter.close();
            for (int i = 0; i < n; i++) {
                if (switched[i] && b.target(i).isOpen()) {
                    ((SelectableChannel) b.target(i)).configureBlocking(true);
                }
            }
        }
    }

    private static void deliver(Broadcast b, ByteBuffer buf, int len, Waiter waiter) throws IOException {
        int n = b.targetCount();
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            waiter.offsets[i] = 0;
            waiter.lastProgress[i] = now;
        }
        while (true) {
            boolean pending = false;
            boolean progress = false;
            for (int i = 0; i < n; i++) {
                if (!b.isActive(i) || waiter.offsets[i] == len) {
                    continue;
                }
                buf.limit(len).position(waiter.offsets[i]);
                int w;
                try {
                    w = b.target(i).write(buf);
                } catch (IOException e) {
                    b.fail(i, e);
                    continue;
                }
                if (w > 0) {
                    waiter.offsets[i] += w;
                    b.advance(i, w);
                    waiter.lastProgress[i] = System.nanoTime();
                    progress = true;
                }
                pending |= waiter.offsets[i] < len;
            }
            if (!pending) {
                return;
            }
            if (progress) {
                waiter.parkNanos = TimeUnit.MICROSECONDS.toNanos(1);
            } else {
                waiter.failStalled(len);
                waiter.await(len);
            }
        }
    }

    /** Per-broadcast state for waiting on many targets at once. */
    private static final class Waiter {
        final Broadcast b;
        final int[] offsets;
        final long[] lastProgress;
        final SelectionKey[] keys;
        Selector selector;
        long parkNanos = TimeUnit.MICROSECONDS.toNanos(1);

        Waiter(Broadcast b) {
            this.b = b;
            this.offsets = new int[b.targetCount()];
            this.lastProgress = new long[b.targetCount()];
            this.keys = new SelectionKey[b.targetCount()];
        }

        void failStalled(int len) throws IOException {
            long now = System.nanoTime();
            for (int i = 0; i < offsets.length; i++) {
                if (b.isActive(i) && offsets[i] < len && now - lastProgress[i] > b.stallTimeoutNanos()) {
                    b.fail(i, new IOException("target #" + i + " stalled: accepted no byte for "
                            + TimeUnit.NANOSECONDS.toMillis(now - lastProgress[i]) + " ms"));
                }
            }
        }

        void await(int len) throws IOException {
            boolean selectable = false;
            boolean other = false;
            for (int i = 0; i < offsets.length; i++) {
                boolean waiting = b.isActive(i) && offsets[i] < len;
                if (b.target(i) instanceof SelectableChannel && !((SelectableChannel) b.target(i)).isBlocking()) {
                    if (waiting || keys[i] != null) {
                        interest(i, waiting ? SelectionKey.OP_WRITE : 0);
                    }
                    selectable |= waiting;
                } else {
                    other |= waiting;
                }
            }
            if (selectable) {
                selector.select(other ? 1 : Math.min(MAX_WAIT_MILLIS, TimeUnit.NANOSECONDS.toMillis(b.stallTimeoutNanos()) + 1));
                selector.selectedKeys().clear();
            } else if (other) {
                LockSupport.parkNanos(parkNanos);
                parkNanos = Math.min(parkNanos * 2, TimeUnit.MILLISECONDS.toNanos(10));
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new java.nio.channels.ClosedByInterruptException();
            }
        }

        private void interest(int i, int ops) throws IOException {
            if (selector == null) {
                selector = Selector.open();
            }
            if (keys[i] == null) {
                keys[i] = ((SelectableChannel) b.target(i)).register(selector, ops);
            } else if (keys[i].isValid()) {
                keys[i].interestOps(ops);
            }
        }

        void close() throws IOException {
            if (selector != null) {
                selector.close();
            }
        }
    }
}

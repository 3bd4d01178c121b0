package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.Broadcast;
import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;

/**
 * The portable broadcast, {@code copy}: each chunk is read once into the pooled buffer and
 * written to every active target from that one buffer (no per-target copy). Selectable
 * targets are switched to non-blocking mode for the broadcast and switched back at its end, so
 * one slow target never blocks the others; a target that accepts nothing for the stall timeout
 * is failed as stalled and the others go on. The next chunk is read when every active target
 * has the current one, so a slow target slows the broadcast to its pace until it stalls out.
 * Waits go through the broadcast's {@link Waiter} (an interrupt closes the source and every
 * target; the engine closes the waiter).
 */
final class CopyBroadcast implements BroadcastStrategy {

    static final String NAME = "copy";
    private static final long MAX_SELECT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

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
        Round round = new Round(b);
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
                    round.waiter.await(b.source(), SelectionKey.OP_READ);
                    continue;
                }
                b.consumed(r);
                round.deliver(buf, r);
            }
            return Outcome.COMPLETE;
        } finally {
            round.waiter.close(); // deregisters the targets, so their blocking mode can be restored
            for (int i = 0; i < n; i++) {
                if (switched[i] && b.target(i).isOpen()) {
                    ((SelectableChannel) b.target(i)).configureBlocking(true);
                }
            }
        }
    }

    /** Delivery of one chunk to every active target: offsets, progress times, the waiter. */
    private static final class Round {
        final Broadcast b;
        final int[] offsets;
        final long[] lastProgress;
        final Waiter waiter;

        Round(Broadcast b) {
            this.b = b;
            this.offsets = new int[b.targetCount()];
            this.lastProgress = new long[b.targetCount()];
            this.waiter = Waiter.of(b);
        }

        void deliver(ByteBuffer buf, int len) throws IOException {
            int n = b.targetCount();
            long now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                offsets[i] = 0;
                lastProgress[i] = now;
            }
            while (true) {
                boolean pending = false;
                boolean progress = false;
                for (int i = 0; i < n; i++) {
                    if (!b.isActive(i) || offsets[i] == len) {
                        continue;
                    }
                    buf.limit(len).position(offsets[i]);
                    int w;
                    try {
                        w = b.target(i).write(buf);
                    } catch (IOException e) {
                        b.fail(i, e);
                        continue;
                    }
                    if (w > 0) {
                        offsets[i] += w;
                        b.advance(i, w);
                        lastProgress[i] = System.nanoTime();
                        progress = true;
                    }
                    pending |= offsets[i] < len;
                }
                if (!pending) {
                    return;
                }
                if (progress) {
                    waiter.progressed();
                } else {
                    failStalled(len);
                    await(len);
                }
            }
        }

        private void failStalled(int len) throws IOException {
            long now = System.nanoTime();
            for (int i = 0; i < offsets.length; i++) {
                if (b.isActive(i) && offsets[i] < len && now - lastProgress[i] > b.stallTimeoutNanos()) {
                    b.fail(i, new IOException("target #" + i + " stalled: accepted no byte for "
                            + TimeUnit.NANOSECONDS.toMillis(now - lastProgress[i]) + " ms"));
                }
            }
        }

        /** Selects on the waiting selectable targets, or backs off while another target waits. */
        private void await(int len) throws IOException {
            boolean selectable = false;
            boolean other = false;
            for (int i = 0; i < offsets.length; i++) {
                boolean waiting = b.isActive(i) && offsets[i] < len;
                if (b.target(i) instanceof SelectableChannel && !((SelectableChannel) b.target(i)).isBlocking()) {
                    SelectableChannel sc = (SelectableChannel) b.target(i);
                    if (waiting || sc.isRegistered()) {
                        waiter.interest(sc, waiting ? SelectionKey.OP_WRITE : 0);
                    }
                    selectable |= waiting;
                } else {
                    other |= waiting;
                }
            }
            if (selectable && !other) {
                waiter.select(Math.min(MAX_SELECT_NANOS, b.stallTimeoutNanos() + TimeUnit.MILLISECONDS.toNanos(1)));
            } else if (selectable) {
                waiter.select(TimeUnit.MILLISECONDS.toNanos(1));
            } else {
                waiter.backOff();
            }
        }
    }
}

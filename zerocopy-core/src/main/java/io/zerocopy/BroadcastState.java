package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

import io.zerocopy.internal.Waitable;
import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.Broadcast;
import io.zerocopy.spi.ChannelKind;

/**
 * The engine's side of one {@link Broadcast}: the source count, per-target counts and
 * failures, and the pooled buffer released when the broadcast ends. Not thread-safe.
 */
final class BroadcastState extends SourceCursor implements Broadcast, Waitable {

    private final List<? extends WritableByteChannel> targets;
    private final ChannelKind[] targetKinds;
    private final long[] delivered;
    private final IOException[] failures;
    private final String[] fallbacks;
    private final boolean allOrNothing;
    private final long stallTimeoutNanos;
    private final BufferPool buffers;
    private long consumed;
    private int active;
    private ByteBuffer buffer;
    private final Waiter waiter;

    BroadcastState(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            List<? extends WritableByteChannel> targets, boolean allOrNothing, long stallTimeoutNanos, BufferPool buffers,
            long idleTimeoutNanos) {
        super(source, sourceKind, position, count);
        this.targets = targets;
        this.targetKinds = new ChannelKind[targets.size()];
        for (int i = 0; i < targetKinds.length; i++) {
            targetKinds[i] = ChannelKind.of(targets.get(i));
        }
        this.delivered = new long[targets.size()];
        this.failures = new IOException[targets.size()];
        this.fallbacks = new String[targets.size()];
        this.active = targets.size();
        this.allOrNothing = allOrNothing;
        this.stallTimeoutNanos = stallTimeoutNanos;
        this.buffers = buffers;
        this.waiter = Waiter.forBroadcast(source, targets, idleTimeoutNanos);
    }

    @Override
    public Waiter waiter() {
        return waiter;
    }

    @Override
    public long consumed() {
        return consumed;
    }

    @Override
    public void consumed(long bytes) {
        consumed += bytes;
        skip(bytes);
    }

    @Override
    public int targetCount() {
        return targets.size();
    }

    @Override
    public WritableByteChannel target(int i) {
        return targets.get(i);
    }

    @Override
    public ChannelKind targetKind(int i) {
        return targetKinds[i];
    }

    @Override
    public boolean isActive(int i) {
        return failures[i] == null;
    }

    @Override
    public int activeCount() {
        return active;
    }

    @Override
    public long delivered(int i) {
        return delivered[i];
    }

    @Override
    public void advance(int i, long bytes) {
        delivered[i] += bytes;
        if (bytes > 0) {
            waiter.progressed();
        }
        assert delivered[i] <= consumed : "target " + i + " ahead of the source";
    }

    @Override
    public void fail(int i, IOException cause) throws IOException {
        if (failures[i] == null) {
            failures[i] = cause;
            active--;
        }
        if (allOrNothing) {
            throw cause;
        }
    }

    @Override
    public void fellBack(int i, String path) {
        fallbacks[i] = path;
    }

    @Override
    public long stallTimeoutNanos() {
        return stallTimeoutNanos;
    }

    @Override
    public ByteBuffer buffer() {
        if (buffer == null) {
            buffer = buffers.acquire();
        }
        return buffer;
    }

    List<? extends WritableByteChannel> targets() {
        return targets;
    }

    BroadcastResult result(String strategy) {
        List<BroadcastResult.Target> list = new ArrayList<>(targets.size());
        for (int i = 0; i < delivered.length; i++) {
            list.add(new BroadcastResult.Target(i, delivered[i], failures[i], fallbacks[i]));
        }
        return new BroadcastResult(consumed, strategy, list);
    }

    IOException firstFailure() {
        for (IOException e : failures) {
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    void release() throws IOException {
        if (buffer != null) {
            buffers.release(buffer);
            buffer = null;
        }
        waiter.close();
    }
}

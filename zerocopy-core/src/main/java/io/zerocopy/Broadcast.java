package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * One broadcast in progress, as a {@link BroadcastStrategy} sees it: the source, read once,
 * and per target the bytes delivered and whether it is still active. Created by
 * {@link TransferEngine}; used only during one {@link BroadcastStrategy#broadcast} call, on the
 * calling thread. Not thread-safe.
 *
 * <p>Source positions work as in {@link Transfer}: a {@link ChannelKind#FILE} source is read at
 * {@link #position()}, which {@link #consumed(long)} advances.
 */
public final class Broadcast {

    private final ReadableByteChannel source;
    private final ChannelKind sourceKind;
    private final List<? extends WritableByteChannel> targets;
    private final ChannelKind[] targetKinds;
    private final long[] delivered;
    private final IOException[] failures;
    private final boolean allOrNothing;
    private final long stallTimeoutNanos;
    private final BufferPool buffers;
    private long position;
    private long remaining;
    private long consumed;
    private int active;
    private ByteBuffer buffer;
    private Readiness readiness;

    Broadcast(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            List<? extends WritableByteChannel> targets, boolean allOrNothing, long stallTimeoutNanos, BufferPool buffers) {
        this.source = source;
        this.sourceKind = sourceKind;
        this.position = position;
        this.remaining = count;
        this.targets = targets;
        this.targetKinds = new ChannelKind[targets.size()];
        for (int i = 0; i < targetKinds.length; i++) {
            targetKinds[i] = ChannelKind.of(targets.get(i));
        }
        this.delivered = new long[targets.size()];
        this.failures = new IOException[targets.size()];
        this.active = targets.size();
        this.allOrNothing = allOrNothing;
        this.stallTimeoutNanos = stallTimeoutNanos;
        this.buffers = buffers;
    }

    /** @return the source */
    public ReadableByteChannel source() {
        return source;
    }

    /** @return the source kind */
    public ChannelKind sourceKind() {
        return sourceKind;
    }

    /**
     * @return the source as a file channel
     * @throws IllegalStateException if it is not a file source
     */
    public FileChannel sourceFile() {
        if (sourceKind != ChannelKind.FILE) {
            throw new IllegalStateException("source is not a file: " + sourceKind);
        }
        return (FileChannel) source;
    }

    /** @return file position of the next source byte, or -1 for a stream source */
    public long position() {
        return position;
    }

    /** @return source bytes still to read, or {@link Transfer#UNBOUNDED} */
    public long remaining() {
        return remaining;
    }

    /** @return source bytes read so far */
    public long consumed() {
        return consumed;
    }

    /**
     * Records that {@code bytes} more source bytes were read (once, for every target).
     *
     * @param bytes bytes read
     */
    public void consumed(long bytes) {
        consumed += bytes;
        if (position >= 0) {
            position += bytes;
        }
        if (remaining != Transfer.UNBOUNDED) {
            remaining -= bytes;
        }
    }

    /** @return the number of targets */
    public int targetCount() {
        return targets.size();
    }

    /**
     * @param i a target index
     * @return that target
     */
    public WritableByteChannel target(int i) {
        return targets.get(i);
    }

    /**
     * @param i a target index
     * @return its kind
     */
    public ChannelKind targetKind(int i) {
        return targetKinds[i];
    }

    /**
     * @param i a target index
     * @return true unless it has failed
     */
    public boolean isActive(int i) {
        return failures[i] == null;
    }

    /** @return targets not failed */
    public int activeCount() {
        return active;
    }

    /**
     * @param i a target index
     * @return bytes delivered to it
     */
    public long delivered(int i) {
        return delivered[i];
    }

    /**
     * Records bytes that reached target {@code i}.
     *
     * @param i a target index
     * @param bytes bytes written
     */
    public void advance(int i, long bytes) {
        delivered[i] += bytes;
        assert delivered[i] <= consumed : "target " + i + " ahead of the source";
        if (readiness != null && bytes > 0) {
            readiness.progressed();
        }
    }

    /**
     * Records that target {@code i} failed; the broadcast goes on to the others, unless the
     * caller asked for all-or-nothing, in which case this throws.
     *
     * @param i a target index
     * @param cause why
     * @throws IOException {@code cause} itself under all-or-nothing
     */
    public void fail(int i, IOException cause) throws IOException {
        if (failures[i] == null) {
            failures[i] = cause;
            active--;
        }
        if (allOrNothing) {
            throw cause;
        }
    }

    /** @return how long a target may accept nothing before it is failed as stalled */
    public long stallTimeoutNanos() {
        return stallTimeoutNanos;
    }

    /** @return true if one target's failure ends the broadcast */
    public boolean allOrNothing() {
        return allOrNothing;
    }

    /** @return the engine's pooled direct buffer for this broadcast */
    public ByteBuffer buffer() {
        if (buffer == null) {
            buffer = buffers.acquire();
        }
        return buffer;
    }

    /**
     * Waits until a non-blocking source may be readable (see {@link Transfer#awaitReadable()}).
     *
     * @throws IOException if waiting fails or the thread is interrupted
     */
    public void awaitReadable() throws IOException {
        readiness().await(source, SelectionKey.OP_READ);
    }

    private Readiness readiness() {
        if (readiness == null) {
            readiness = new Readiness();
        }
        return readiness;
    }

    BroadcastResult result(String strategy) {
        List<BroadcastResult.Target> list = new ArrayList<>(targets.size());
        for (int i = 0; i < delivered.length; i++) {
            list.add(new BroadcastResult.Target(i, delivered[i], failures[i]));
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
        if (readiness != null) {
            readiness.close();
            readiness = null;
        }
    }
}

package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

import io.zerocopy.internal.Waiter;

/**
 * Batches many small writes into few large ones. Bytes written to the coalescer are copied
 * into an internal buffer until the batch would reach the threshold (default
 * {@value #DEFAULT_THRESHOLD} bytes); then the batch and the buffer being written go out
 * together in one gathering write, without copying that last buffer.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #write(ByteBuffer)} consumes every remaining byte of its argument before it
 *       returns (copied into the batch, or written to the target), and keeps no reference to
 *       it: the caller may reuse the buffer at once.</li>
 *   <li>Partial writes by the target are continued until every byte is written; a
 *       non-blocking target is waited on with a selector, not spun on.</li>
 *   <li>{@link #flush()} writes the batch; {@link #close()} flushes, then closes the target.</li>
 *   <li>If the target fails, the exception propagates; bytes not yet written stay in the batch
 *       (and the argument's position shows how much of it was consumed), so a later
 *       {@link #flush()} retries them.</li>
 * </ul>
 *
 * <p>Not thread-safe: one writer at a time, as with any {@code WritableByteChannel} stream.
 */
public final class BufferCoalescer implements WritableByteChannel {

    /** Default batch threshold in bytes. */
    public static final int DEFAULT_THRESHOLD = 8192;

    private final WritableByteChannel target;
    private final GatheringByteChannel gathering;
    private final ByteBuffer batch;
    private final ByteBuffer[] pair = new ByteBuffer[2];
    private final ByteBuffer[] single = new ByteBuffer[1];
    private final TransferEngine engine;
    private Waiter waiter;
    private boolean open = true;

    /**
     * @param target where batches are written; not null
     */
    public BufferCoalescer(WritableByteChannel target) {
        this(target, DEFAULT_THRESHOLD);
    }

    /**
     * @param target where batches are written; not null
     * @param threshold the batch size that triggers a write; at least 1
     */
    public BufferCoalescer(WritableByteChannel target, int threshold) {
        this(target, threshold, null);
    }

    /**
     * A coalescer whose batches go out through {@code engine}'s
     * {@link TransferEngine#send memory-send path} (vmsplice with zerocopy-linux, when the
     * batch is above the engine's threshold) instead of a plain gathering write.
     *
     * <p>The coalescer refills its batch, and the caller reuses the buffer it wrote, as soon as
     * a send returns; so its sends never use a strategy that may leave the kernel reading the
     * buffers after it returns ({@link io.zerocopy.spi.TransferStrategy#readsBuffersAfterReturn()}:
     * zerocopy-linux's {@code Linux.vmsplice(true)}), even where {@code engine} has one: the
     * engine's next strategy serves instead (the gathering write of {@code copy}, unless
     * another memory-send strategy comes first). What a receiver reads is what was written.
     *
     * @param target where batches are written; not null
     * @param threshold the batch size that triggers a write; at least 1
     * @param engine the engine whose {@code send} writes each batch; null for plain writes
     */
    public BufferCoalescer(WritableByteChannel target, int threshold, TransferEngine engine) {
        this.engine = engine;
        this.target = Objects.requireNonNull(target, "target");
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold < 1: " + threshold);
        }
        this.gathering = target instanceof GatheringByteChannel ? (GatheringByteChannel) target : null;
        this.batch = ByteBuffer.allocateDirect(threshold);
    }

    /**
     * Adds every remaining byte of {@code src} to the batch, writing the batch (with
     * {@code src}) if it reaches the threshold.
     *
     * @param src the bytes; not null; its position ends at its limit
     * @return the bytes consumed: all of {@code src.remaining()}
     * @throws ClosedChannelException if the coalescer is closed
     * @throws IOException if the target fails; see the class contract
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        if (!open) {
            throw new ClosedChannelException();
        }
        int n = src.remaining();
        if (batch.position() + (long) n < batch.capacity()) {
            batch.put(src);
            return n;
        }
        batch.flip();
        try {
            if (engine != null) {
                pair[0] = batch;
                pair[1] = src;
                engine.send(pair, target, true);
            } else if (gathering != null) {
                pair[0] = batch;
                pair[1] = src;
                while (batch.hasRemaining() || src.hasRemaining()) {
                    if (gathering.write(pair, 0, 2) == 0) {
                        waiter().await(target, SelectionKey.OP_WRITE);
                    } else {
                        progressed();
                    }
                }
            } else {
                writeFully(batch);
                writeFully(src);
            }
        } finally {
            pair[1] = null;
            batch.compact();
        }
        return n;
    }

    /**
     * Writes the batch.
     *
     * @throws ClosedChannelException if the coalescer is closed
     * @throws IOException if the target fails; unwritten bytes stay in the batch
     */
    public void flush() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        batch.flip();
        try {
            if (engine != null && batch.hasRemaining()) {
                single[0] = batch;
                engine.send(single, target, true);
            } else {
                writeFully(batch);
            }
        } finally {
            batch.compact();
        }
    }

    /** @return bytes held in the batch, not yet written */
    public int pending() {
        return batch.position();
    }

    /** @return the threshold */
    public int threshold() {
        return batch.capacity();
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (target.write(b) == 0) {
                waiter().await(target, SelectionKey.OP_WRITE);
            } else {
                progressed();
            }
        }
    }

    private Waiter waiter() {
        if (waiter == null) {
            waiter = Waiter.forTransfer(target, target, 0);
        }
        return waiter;
    }

    private void progressed() {
        if (waiter != null) {
            waiter.progressed();
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * Flushes the batch, then closes the target. The target is closed even if the flush fails.
     * Closing a closed coalescer does nothing.
     *
     * @throws IOException if the flush or closing the target fails
     */
    @Override
    public void close() throws IOException {
        if (!open) {
            return;
        }
        try {
            flush();
        } finally {
            open = false;
            try {
                target.close();
            } finally {
                if (waiter != null) {
                    waiter.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "BufferCoalescer{threshold=" + batch.capacity() + ", pending=" + batch.position() + "}";
    }
}

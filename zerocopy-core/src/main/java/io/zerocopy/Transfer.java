package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.WritableByteChannel;

/**
 * One transfer in progress, as a {@link TransferStrategy} sees it: the endpoints, the byte
 * reached, the bytes left, and the engine's services (a reusable buffer, waiting on
 * non-blocking channels). Created by {@link TransferEngine}; a strategy uses it only during
 * its {@link TransferStrategy#transfer} call, on the calling thread. Not thread-safe.
 *
 * <p>Positions: a {@link ChannelKind#FILE} source is read at {@link #position()}, which
 * advances as bytes are delivered; its own channel position is not used. A
 * {@link ChannelKind#FILE} target is written at its channel position, which a strategy
 * leaves advanced by the bytes it delivered, exactly as {@code FileChannel.write} does.
 */
public final class Transfer {

    /** {@link #remaining()} of a transfer that runs until the source's end of stream. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    private final ReadableByteChannel source;
    private final WritableByteChannel target;
    private final ChannelKind sourceKind;
    private final ChannelKind targetKind;
    private final BufferPool bufferPool;
    private final TransferListener listener;

    private long position;
    private long remaining;
    private long delivered;
    private long undelivered;
    private String strategy;
    private ByteBuffer buffer;
    private Readiness readiness;

    Transfer(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            WritableByteChannel target, ChannelKind targetKind, BufferPool bufferPool, TransferListener listener) {
        this.source = source;
        this.target = target;
        this.sourceKind = sourceKind;
        this.targetKind = targetKind;
        this.position = position;
        this.remaining = count;
        this.bufferPool = bufferPool;
        this.listener = listener;
    }

    /** @return the source channel */
    public ReadableByteChannel source() {
        return source;
    }

    /** @return the target channel */
    public WritableByteChannel target() {
        return target;
    }

    /** @return the source's kind; {@link ChannelKind#FILE} means positional reads at {@link #position()} */
    public ChannelKind sourceKind() {
        return sourceKind;
    }

    /** @return the target's kind */
    public ChannelKind targetKind() {
        return targetKind;
    }

    /**
     * @return the source as a file channel
     * @throws IllegalStateException if the source kind is not {@link ChannelKind#FILE}
     */
    public FileChannel sourceFile() {
        if (sourceKind != ChannelKind.FILE) {
            throw new IllegalStateException("source is not a file: " + sourceKind);
        }
        return (FileChannel) source;
    }

    /**
     * The buffers of a {@link ChannelKind#MEMORY} source. Their positions advance as bytes are
     * delivered: a strategy reading them directly must leave each buffer's position after the
     * last byte delivered from it. {@link #source()} reads the same buffers as a channel.
     *
     * @return the buffers, in order
     * @throws IllegalStateException if the source kind is not {@link ChannelKind#MEMORY}
     */
    public ByteBuffer[] sourceBuffers() {
        if (sourceKind != ChannelKind.MEMORY) {
            throw new IllegalStateException("source is not memory: " + sourceKind);
        }
        return ((MemorySource) source).buffers();
    }

    /**
     * @return the target as a file channel
     * @throws IllegalStateException if the target kind is not {@link ChannelKind#FILE}
     */
    public FileChannel targetFile() {
        if (targetKind != ChannelKind.FILE) {
            throw new IllegalStateException("target is not a file: " + targetKind);
        }
        return (FileChannel) target;
    }

    /** @return the file position of the next source byte; {@code -1} for a non-file source */
    public long position() {
        return position;
    }

    /** @return bytes still to deliver, or {@link #UNBOUNDED} until the source's end of stream */
    public long remaining() {
        return remaining;
    }

    /** @return true if the transfer has a byte count; false if it runs until end of stream */
    public boolean isBounded() {
        return remaining != UNBOUNDED;
    }

    /** @return bytes delivered to the target so far, by every strategy */
    public long delivered() {
        return delivered;
    }

    /**
     * @param max an upper bound, such as a buffer's capacity
     * @return {@code min(remaining(), max)}
     */
    public long nextChunk(long max) {
        return Math.min(remaining, max);
    }

    /**
     * Records that {@code bytes} more bytes reached the target: advances {@link #position()}
     * (for a file source), {@link #delivered()} and, for a bounded transfer,
     * {@link #remaining()}.
     *
     * @param bytes bytes written to the target by the last call; zero or more
     */
    public void advance(long bytes) {
        assert bytes >= 0 && bytes <= remaining : "advance " + bytes + " of " + remaining;
        if (bytes == 0) {
            return;
        }
        delivered += bytes;
        if (position >= 0) {
            position += bytes;
        }
        if (remaining != UNBOUNDED) {
            remaining -= bytes;
        }
        if (readiness != null) {
            readiness.progressed();
        }
        listener.onProgress(strategy, delivered);
    }

    /**
     * Records bytes consumed from the source that will not reach the target (a pipe that could
     * not be drained after the target failed, say), so the exception about to be thrown can
     * report them.
     *
     * @param bytes bytes lost in flight
     */
    public void undelivered(long bytes) {
        undelivered += bytes;
    }

    /**
     * A direct buffer of {@link TransferEngine.Builder#chunkSize(int) the engine's chunk size},
     * reused across transfers; cleared when first returned. Valid until the transfer ends.
     *
     * @return the buffer
     */
    public ByteBuffer buffer() {
        if (buffer == null) {
            buffer = bufferPool.acquire();
        }
        return buffer;
    }

    /**
     * Writes every remaining byte of {@code src} to the target, waiting on a non-blocking
     * target rather than spinning, and advances the transfer after each write.
     *
     * @param src bytes to deliver; its position ends at its limit
     * @throws IOException on a write error; bytes written before it are already advanced
     */
    public void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int n = target.write(src);
            if (n > 0) {
                advance(n);
            } else {
                awaitWritable();
            }
        }
    }

    /**
     * Waits until a non-blocking source may have bytes to read: returns at once for a blocking
     * channel, selects on a selectable one, and backs off (parking, never spinning) otherwise.
     *
     * @throws IOException if waiting fails; {@code ClosedByInterruptException} (the channel closed) if the thread is interrupted
     */
    public void awaitReadable() throws IOException {
        readiness().await(source, SelectionKey.OP_READ);
    }

    /**
     * Waits until a non-blocking target may accept bytes, as {@link #awaitReadable()} does.
     *
     * @throws IOException if waiting fails; {@code ClosedByInterruptException} (the channel closed) if the thread is interrupted
     */
    public void awaitWritable() throws IOException {
        readiness().await(target, SelectionKey.OP_WRITE);
    }

    private Readiness readiness() {
        if (readiness == null) {
            readiness = new Readiness();
        }
        return readiness;
    }

    // ---- engine side ----

    void strategy(String name) {
        this.strategy = name;
    }

    String strategy() {
        return strategy;
    }

    long undeliveredBytes() {
        return undelivered;
    }

    void release() throws IOException {
        if (buffer != null) {
            bufferPool.release(buffer);
            buffer = null;
        }
        if (readiness != null) {
            readiness.close();
            readiness = null;
        }
    }
}

package io.zerocopy.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * One transfer in progress, as a {@link TransferStrategy} sees it: the endpoints, the byte
 * reached, the bytes left, and the engine's services (a pooled buffer, waiting on non-blocking
 * channels). Made by the engine; a strategy uses it only during its
 * {@link TransferStrategy#transfer} call, on the calling thread. Not thread-safe.
 *
 * <p>Positions: a {@link ChannelKind#FILE} source is read at {@link #position()}, which
 * advances as bytes are delivered; its own channel position is not used. A
 * {@link ChannelKind#FILE} target is written at its channel position, which a strategy leaves
 * advanced by the bytes it delivered, exactly as {@code FileChannel.write} does.
 */
public interface Transfer {

    /** @return the source channel */
    ReadableByteChannel source();

    /** @return the target channel */
    WritableByteChannel target();

    /** @return the source's kind; {@link ChannelKind#FILE} means positional reads at {@link #position()} */
    ChannelKind sourceKind();

    /** @return the target's kind */
    ChannelKind targetKind();

    /**
     * @return the source as a file channel
     * @throws IllegalStateException if the source kind is not {@link ChannelKind#FILE}
     */
    FileChannel sourceFile();

    /**
     * The buffers of a {@link ChannelKind#MEMORY} source. A strategy reading them directly
     * leaves each buffer's position after the last byte delivered from it. {@link #source()}
     * reads the same buffers as a channel.
     *
     * @return the buffers, in order
     * @throws IllegalStateException if the source kind is not {@link ChannelKind#MEMORY}
     */
    ByteBuffer[] sourceBuffers();

    /**
     * @return the target as a file channel
     * @throws IllegalStateException if the target kind is not {@link ChannelKind#FILE}
     */
    FileChannel targetFile();

    /** @return the file position of the next source byte; {@code -1} for a non-file source */
    long position();

    /**
     * @return bytes still to deliver; {@code Long.MAX_VALUE} for a transfer that runs until the
     *     source's end of stream
     */
    long remaining();

    /** @return bytes delivered to the target so far, by every strategy */
    long delivered();

    /**
     * Records that {@code bytes} more bytes reached the target: advances {@link #position()}
     * (for a file source), {@link #delivered()} and, for a bounded transfer, {@link #remaining()}.
     *
     * @param bytes bytes written to the target by the last call; from 0 to {@link #remaining()}
     * @throws IllegalArgumentException if {@code bytes} is negative or more than remain, or an
     *     earlier call was: the count does not move, and the engine fails the transfer with a
     *     {@code TransferException} naming the strategy even if the strategy catches this (see
     *     {@link TransferStrategy})
     */
    void advance(long bytes);

    /**
     * Records, as {@link #advance}, that {@code bytes} more bytes reached the target, and that
     * they went through a user-space buffer instead of the strategy's own path: a zero-copy
     * strategy that had to copy some bytes (a splice relay step with no pooled pipe free) says
     * so here, and the engine reports them ({@code TransferResult.bytesCopied()}, the JFR
     * {@code io.zerocopy.Transfer} event's {@code copied}). The copy loop, whose path is copying,
     * uses {@link #advance}.
     *
     * @param bytes bytes written to the target by the last call; from 0 to {@link #remaining()}
     * @throws IllegalArgumentException as {@link #advance}
     */
    default void advanceCopied(long bytes) {
        advance(bytes);
    }

    /**
     * Records bytes consumed from the source that will not reach the target (a pipe that could
     * not be drained after the target failed, say), so the exception about to be thrown can
     * report them.
     *
     * @param bytes bytes lost in flight; zero or more
     */
    void undelivered(long bytes);

    /**
     * A direct buffer of the engine's chunk size, pooled across transfers; cleared when first
     * returned. Valid until the transfer ends or {@link #releaseBuffer()}.
     *
     * @return the buffer
     */
    ByteBuffer buffer();

    /**
     * Gives {@link #buffer()} back to the pool before the transfer ends, so that a transfer
     * that waits with nothing in its buffer holds none; the next {@link #buffer()} call takes a
     * buffer again (maybe another one; its bytes are not kept). The caller must not use the
     * buffer it had afterwards. Does nothing if no buffer is held.
     */
    default void releaseBuffer() {
    }

    /**
     * Writes every remaining byte of {@code src} to the target, waiting on a non-blocking target
     * rather than spinning, and advances the transfer after each write.
     *
     * @param src bytes to deliver; its position ends at its limit
     * @throws IOException on a write error; bytes written before it are already advanced
     */
    void writeFully(ByteBuffer src) throws IOException;

    /**
     * Waits until a non-blocking source may have bytes to read: selects on a selectable channel
     * in non-blocking mode and backs off (parking, never spinning) otherwise.
     *
     * @throws IOException if waiting fails; {@code ClosedByInterruptException} (both channels
     *     closed) if the thread is interrupted; {@code AsynchronousCloseException} if a channel
     *     was closed by another thread
     */
    void awaitReadable() throws IOException;

    /**
     * Waits until a non-blocking target may accept bytes, as {@link #awaitReadable()} does.
     *
     * @throws IOException as {@link #awaitReadable()}
     */
    void awaitWritable() throws IOException;
}

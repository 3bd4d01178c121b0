package io.zerocopy.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * One broadcast in progress, as a {@link BroadcastStrategy} sees it: the source, read once,
 * and per target the bytes delivered and whether it is still active. Made by the engine; used
 * only during one {@link BroadcastStrategy#broadcast} call, on the calling thread. Not
 * thread-safe.
 *
 * <p>Source positions work as in {@link Transfer}: a {@link ChannelKind#FILE} source is read at
 * {@link #position()}, which {@link #consumed(long)} advances.
 */
public interface Broadcast {

    /** @return the source */
    ReadableByteChannel source();

    /** @return the source kind */
    ChannelKind sourceKind();

    /**
     * @return the source as a file channel
     * @throws IllegalStateException if it is not a file source
     */
    FileChannel sourceFile();

    /** @return file position of the next source byte, or -1 for a stream source */
    long position();

    /** @return source bytes still to read; {@code Long.MAX_VALUE} until end of stream */
    long remaining();

    /** @return source bytes read so far */
    long consumed();

    /**
     * Records that {@code bytes} more source bytes were read (once, for every target).
     *
     * @param bytes bytes read
     */
    void consumed(long bytes);

    /** @return the number of targets */
    int targetCount();

    /**
     * @param i a target index
     * @return that target
     */
    WritableByteChannel target(int i);

    /**
     * @param i a target index
     * @return its kind
     */
    ChannelKind targetKind(int i);

    /**
     * @param i a target index
     * @return true unless it has failed
     */
    boolean isActive(int i);

    /** @return targets not failed */
    int activeCount();

    /**
     * @param i a target index
     * @return bytes delivered to it
     */
    long delivered(int i);

    /**
     * Records bytes that reached target {@code i}.
     *
     * @param i a target index
     * @param bytes bytes written
     */
    void advance(int i, long bytes);

    /**
     * Records that target {@code i} failed; the broadcast goes on to the others, unless the
     * caller asked for all-or-nothing, in which case this throws.
     *
     * @param i a target index
     * @param cause why
     * @throws IOException {@code cause} itself under all-or-nothing
     */
    void fail(int i, IOException cause) throws IOException;

    /**
     * Records that target {@code i} is served from now on by another path of the strategy,
     * such as {@code "copy"} for a target that refused the strategy's own calls after the
     * broadcast began; the target stays active and its count goes on. The result says so
     * ({@link io.zerocopy.BroadcastResult.Target#fallback()}).
     *
     * @param i a target index
     * @param path the name of the path now serving it
     */
    default void fellBack(int i, String path) { }

    /** @return how long a target may accept nothing before it is failed as stalled */
    long stallTimeoutNanos();

    /** @return the engine's pooled direct buffer for this broadcast */
    ByteBuffer buffer();
}

package io.zerocopy;

import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;

import io.zerocopy.spi.ChannelKind;

/**
 * The source side shared by a transfer and a broadcast: the channel, its kind, the file
 * position of the next byte and the bytes left. Not thread-safe.
 */
abstract class SourceCursor {

    /** {@link #remaining()} of a transfer that runs until the source's end of stream. */
    static final long UNBOUNDED = Long.MAX_VALUE;

    private final ReadableByteChannel source;
    private final ChannelKind sourceKind;
    private long position;
    private long remaining;

    SourceCursor(ReadableByteChannel source, ChannelKind sourceKind, long position, long count) {
        this.source = source;
        this.sourceKind = sourceKind;
        this.position = position;
        this.remaining = count;
    }

    public ReadableByteChannel source() {
        return source;
    }

    public ChannelKind sourceKind() {
        return sourceKind;
    }

    public FileChannel sourceFile() {
        if (sourceKind != ChannelKind.FILE) {
            throw new IllegalStateException("source is not a file: " + sourceKind);
        }
        return (FileChannel) source;
    }

    public long position() {
        return position;
    }

    public long remaining() {
        return remaining;
    }

    /** Moves past {@code bytes} source bytes: the position of a file source, and the count left. */
    final void skip(long bytes) {
        if (position >= 0) {
            position += bytes;
        }
        if (remaining != UNBOUNDED) {
            remaining -= bytes;
        }
    }
}

package io.zerocopy.linux;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

import io.zerocopy.internal.Waitable;
import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Transfer;

/**
 * A transfer made outside the engine, as the asynchronous driver gives one to a stepper: exact
 * counts (an out-of-range {@link #advance} throws), one {@link Waiter} (so {@link Waiter#of}
 * finds it and a test can cancel), and no waiting at all: {@link #awaitReadable()},
 * {@link #awaitWritable()} and {@link #writeFully} throw, since a step must never wait.
 */
final class SteppedTransfer implements Transfer, Waitable, Closeable {

    private final ReadableByteChannel source;
    private final ChannelKind sourceKind;
    private final WritableByteChannel target;
    private final ChannelKind targetKind;
    private final Waiter waiter;
    private long position;
    private long remaining;
    private long delivered;
    private long undelivered;
    private long copied;
    private ByteBuffer buffer;
    private int buffersTaken;

    /**
     * @param position a file source's first byte, else -1
     * @param count bytes to move, or {@code Long.MAX_VALUE} until the source ends
     */
    SteppedTransfer(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            WritableByteChannel target, ChannelKind targetKind) {
        this.source = source;
        this.sourceKind = sourceKind;
        this.position = position;
        this.remaining = count;
        this.target = target;
        this.targetKind = targetKind;
        this.waiter = Waiter.forTransfer(source, target, 0);
    }

    /** @return a transfer from a stream source until its end */
    static SteppedTransfer stream(ReadableByteChannel source, ChannelKind sourceKind, WritableByteChannel target,
            ChannelKind targetKind) {
        return new SteppedTransfer(source, sourceKind, -1, Long.MAX_VALUE, target, targetKind);
    }

    @Override
    public ReadableByteChannel source() {
        return source;
    }

    @Override
    public WritableByteChannel target() {
        return target;
    }

    @Override
    public ChannelKind sourceKind() {
        return sourceKind;
    }

    @Override
    public ChannelKind targetKind() {
        return targetKind;
    }

    @Override
    public FileChannel sourceFile() {
        return (FileChannel) source;
    }

    @Override
    public ByteBuffer[] sourceBuffers() {
        throw new IllegalStateException("no memory source here");
    }

    @Override
    public FileChannel targetFile() {
        return (FileChannel) target;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long remaining() {
        return remaining;
    }

    @Override
    public long delivered() {
        return delivered;
    }

    /** @return the bytes reported through {@link #undelivered(long)} */
    long undeliveredBytes() {
        return undelivered;
    }

    @Override
    public void advance(long bytes) {
        if (bytes < 0 || bytes > remaining) {
            throw new IllegalArgumentException("advance(" + bytes + ") with " + remaining + " remaining");
        }
        delivered += bytes;
        if (position >= 0) {
            position += bytes;
        }
        if (remaining != Long.MAX_VALUE) {
            remaining -= bytes;
        }
        waiter.progressed();
    }

    @Override
    public void advanceCopied(long bytes) {
        advance(bytes);
        copied += bytes;
    }

    /** @return the bytes reported through {@link #advanceCopied(long)} */
    long copiedBytes() {
        return copied;
    }

    @Override
    public void undelivered(long bytes) {
        undelivered += bytes;
    }

    @Override
    public ByteBuffer buffer() {
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(64 * 1024);
            buffersTaken++;
        }
        return buffer;
    }

    @Override
    public void releaseBuffer() {
        buffer = null;
    }

    /** @return true if {@link #buffer()} was taken and not released since */
    boolean holdsBuffer() {
        return buffer != null;
    }

    /** @return how many times {@link #buffer()} took a buffer (once, then again after each release) */
    int buffersTaken() {
        return buffersTaken;
    }

    @Override
    public void writeFully(ByteBuffer src) {
        throw new AssertionError("a step never waits: writeFully called");
    }

    @Override
    public void awaitReadable() {
        throw new AssertionError("a step never waits: awaitReadable called");
    }

    @Override
    public void awaitWritable() {
        throw new AssertionError("a step never waits: awaitWritable called");
    }

    @Override
    public Waiter waiter() {
        return waiter;
    }

    @Override
    public void close() throws IOException {
        waiter.close();
    }
}

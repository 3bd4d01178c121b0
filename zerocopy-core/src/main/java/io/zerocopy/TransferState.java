package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.WritableByteChannel;

import io.zerocopy.internal.Waitable;
import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Transfer;

/**
 * The engine's side of one {@link Transfer}: the counts every strategy reports to, the strategy
 * running, and the resources (pooled buffer, waiter) released when the transfer ends. Not
 * thread-safe: one transfer, one thread.
 */
final class TransferState extends SourceCursor implements Transfer, Waitable {

    private final WritableByteChannel target;
    private final ChannelKind targetKind;
    private final BufferPool bufferPool;
    private final TransferListener listener;
    private final long idleTimeoutNanos;

    private long delivered;
    private long undelivered;
    private String strategy;
    private ByteBuffer buffer;
    private Waiter waiter;

    TransferState(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            WritableByteChannel target, ChannelKind targetKind, BufferPool bufferPool, TransferListener listener,
            long idleTimeoutNanos) {
        super(source, sourceKind, position, count);
        this.target = target;
        this.targetKind = targetKind;
        this.bufferPool = bufferPool;
        this.listener = listener;
        this.idleTimeoutNanos = idleTimeoutNanos;
        if (idleTimeoutNanos > 0) {
            waiter(); // the idle clock starts with the transfer, not at its first wait
        }
    }

    @Override
    public WritableByteChannel target() {
        return target;
    }

    @Override
    public ChannelKind targetKind() {
        return targetKind;
    }

    @Override
    public ByteBuffer[] sourceBuffers() {
        if (sourceKind() != ChannelKind.MEMORY) {
            throw new IllegalStateException("source is not memory: " + sourceKind());
        }
        return ((MemorySource) source()).buffers();
    }

    @Override
    public FileChannel targetFile() {
        if (targetKind != ChannelKind.FILE) {
            throw new IllegalStateException("target is not a file: " + targetKind);
        }
        return (FileChannel) target;
    }

    @Override
    public long delivered() {
        return delivered;
    }

    @Override
    public void advance(long bytes) {
        if (bytes <= 0 || bytes > remaining()) {
            if (bytes == 0) {
                return;
            }
            throw new IllegalArgumentException("strategy " + strategy + " advanced " + bytes + " bytes with "
                    + remaining() + " remaining");
        }
        delivered += bytes;
        skip(bytes);
        if (waiter != null) {
            waiter.progressed();
        }
        listener.onProgress(strategy, delivered);
    }

    @Override
    public void undelivered(long bytes) {
        undelivered += bytes;
    }

    @Override
    public ByteBuffer buffer() {
        if (buffer == null) {
            buffer = bufferPool.acquire();
        }
        return buffer;
    }

    /**
     * {@inheritDoc} When the write fails (an interrupt, a close by another thread, a reset), the
     * bytes it wrote before failing, which the JDK's channels show in {@code src}'s position,
     * are advanced first, so the count stays exact. With an idle timeout, a write to a blocking
     * target is guarded by the waiter's watchdog ({@link Waiter#beforeBlockingCall}).
     */
    @Override
    public void writeFully(ByteBuffer src) throws IOException {
        Waiter guard = waiter != null && waiter.guards(target) ? waiter : null;
        while (src.hasRemaining()) {
            int before = src.position();
            int n;
            try {
                if (guard != null) {
                    guard.beforeBlockingCall(target);
                }
                n = target.write(src);
            } catch (IOException e) {
                advance(src.position() - before);
                throw guard != null ? guard.blockingCallFailed(e) : e;
            }
            if (n > 0) {
                advance(n);
            }
            if (guard != null) {
                guard.afterBlockingCall();
            }
            if (n == 0) {
                awaitWritable();
            }
        }
    }

    @Override
    public void awaitReadable() throws IOException {
        waiter().await(source(), SelectionKey.OP_READ);
    }

    @Override
    public void awaitWritable() throws IOException {
        waiter().await(target, SelectionKey.OP_WRITE);
    }

    @Override
    public Waiter waiter() {
        if (waiter == null) {
            waiter = Waiter.forTransfer(source(), target, idleTimeoutNanos);
        }
        return waiter;
    }

    boolean isBounded() {
        return remaining() != UNBOUNDED;
    }

    void strategy(String name) {
        this.strategy = name;
    }

    String strategy() {
        return strategy;
    }

    long undeliveredBytes() {
        return undelivered;
    }

    /** Returns the buffer to the pool and closes the waiter. */
    void release() throws IOException {
        if (buffer != null) {
            bufferPool.release(buffer);
            buffer = null;
        }
        if (waiter != null) {
            Waiter w = waiter;
            waiter = null;
            w.close();
        }
    }
}

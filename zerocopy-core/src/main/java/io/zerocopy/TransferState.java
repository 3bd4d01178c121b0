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
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;

/**
 * The engine's side of one {@link Transfer}: the counts every strategy reports to, the strategy
 * running, and the resources (pooled buffer, waiter) released when the transfer ends. Not
 * thread-safe: one transfer, one thread.
 *
 * <p>It also checks what a strategy reports against the transfer's bounds: a count out of
 * range in {@link #advance}, and, when the strategy returns, {@link #checkReturn}. The first
 * breach is kept as {@link #violation()}; from then on the count no longer moves, and the
 * engine ends the transfer with it whatever the strategy does next.
 */
final class TransferState extends SourceCursor implements Transfer, Waitable {

    private final WritableByteChannel target;
    private final ChannelKind targetKind;
    private final BufferPool bufferPool;
    private final TransferListener listener;
    private final TransferInfo info;
    private final long idleTimeoutNanos;
    /** A file source's size when the transfer began; -1 for other sources. */
    private final long sourceSizeAtStart;

    private long delivered;
    /** Of {@link #delivered}, the bytes strategies reported through {@link #advanceCopied}. */
    private long copied;
    private RuntimeException violation;
    private long undelivered;
    private String strategy;
    private int fallbacks;
    private ByteBuffer buffer;
    private Waiter waiter;

    /**
     * @param sourceSizeAtStart a file source's size when the transfer began, -1 for other sources
     * @param info what the listener is given; null only with {@link TransferListener#NONE}
     */
    TransferState(ReadableByteChannel source, ChannelKind sourceKind, long position, long count, long sourceSizeAtStart,
            WritableByteChannel target, ChannelKind targetKind, BufferPool bufferPool, TransferListener listener,
            TransferInfo info, long idleTimeoutNanos) {
        super(source, sourceKind, position, count);
        this.sourceSizeAtStart = sourceSizeAtStart;
        this.target = target;
        this.targetKind = targetKind;
        this.bufferPool = bufferPool;
        this.listener = listener;
        this.info = info;
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

    /**
     * {@inheritDoc} A count out of range is kept as the transfer's {@link #violation()}: this
     * call and every later one throw it, and the count stays where it was.
     */
    @Override
    public void advance(long bytes) {
        if (violation != null) {
            throw violation;
        }
        if (bytes <= 0 || bytes > remaining() || delivered + bytes < 0) {
            if (bytes == 0) {
                return;
            }
            throw violated(new IllegalArgumentException("strategy " + strategy + " reported advance(" + bytes
                    + ") with " + (isBounded() ? remaining() + " bytes remaining" : delivered + " bytes delivered")
                    + ": a count is from 0 to the bytes remaining"));
        }
        delivered += bytes;
        skip(bytes);
        if (waiter != null) {
            waiter.progressed();
        }
        listener.onProgress(info, strategy, delivered);
    }

    @Override
    public void advanceCopied(long bytes) {
        advance(bytes);
        copied += bytes;
    }

    /** @return the bytes delivered that strategies reported as copied through a buffer ({@link #advanceCopied}) */
    long copied() {
        return copied;
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

    @Override
    public void releaseBuffer() {
        if (buffer != null) {
            bufferPool.release(buffer);
            buffer = null;
        }
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

    /**
     * Checks what a strategy that returned {@code outcome} (rather than throwing) reports:
     * <ul>
     *   <li>an outcome, not null;</li>
     *   <li>{@link Outcome#COMPLETE} with bytes remaining only where the source ended: a memory
     *       source never ends short, and a file source ends short only where the file has no
     *       byte at {@link #position()} that it already had when the transfer began (a
     *       positional read of one byte tells; a stream source's end cannot be checked without
     *       consuming it, so the strategy's word is taken);</li>
     *   <li>for a memory source, buffer positions advanced by exactly the bytes advanced.</li>
     * </ul>
     * A breach becomes the transfer's {@link #violation()}.
     *
     * @throws IOException if the source cannot be read for the check
     */
    void checkReturn(Outcome outcome) throws IOException {
        if (violation != null) {
            return;
        }
        if (outcome == null) {
            violated(new IllegalStateException("strategy " + strategy + " returned null, not an Outcome"));
            return;
        }
        if (sourceKind() == ChannelKind.MEMORY) {
            long unsent = ((MemorySource) source()).remaining();
            if (unsent != remaining()) {
                violated(new IllegalStateException("strategy " + strategy + " returned " + outcome + " with "
                        + remaining() + " bytes remaining by its count, but the buffers hold " + unsent));
            } else if (outcome.isComplete() && unsent > 0) {
                violated(new IllegalStateException("strategy " + strategy + " returned COMPLETE with " + unsent
                        + " bytes of the buffers not delivered"));
            }
        } else if (outcome.isComplete() && isBounded() && remaining() > 0 && position() < sourceSizeAtStart
                && hasByteAt(position())) {
            violated(new IllegalStateException("strategy " + strategy + " returned COMPLETE with " + remaining()
                    + " bytes remaining, but the file has bytes at position " + position() + " (its size was "
                    + sourceSizeAtStart + " when the transfer began); unless the file was cut and refilled"
                    + " during the transfer, the strategy stopped early"));
        }
    }

    private boolean hasByteAt(long at) throws IOException {
        return sourceFile().read(ByteBuffer.allocate(1), at) > 0;
    }

    private RuntimeException violated(RuntimeException e) {
        violation = e;
        return e;
    }

    /**
     * @return the first breach of the strategy contract in this transfer (an
     *     {@code IllegalArgumentException} from {@link #advance}, an {@code IllegalStateException}
     *     from {@link #checkReturn}), or null
     */
    RuntimeException violation() {
        return violation;
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

    /** Counts a strategy that handed over to the next. */
    void fellBack() {
        fallbacks++;
    }

    /** @return how many strategies handed over to the next */
    int fallbacks() {
        return fallbacks;
    }

    long undeliveredBytes() {
        return undelivered;
    }

    /** Returns the buffer to the pool and closes the waiter. */
    void release() throws IOException {
        releaseBuffer();
        if (waiter != null) {
            Waiter w = waiter;
            waiter = null;
            w.close();
        }
    }
}

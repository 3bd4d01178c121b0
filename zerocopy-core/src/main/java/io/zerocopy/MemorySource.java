package io.zerocopy;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The source of a {@link TransferEngine#send}: the caller's buffers, read as a channel. Reading
 * copies bytes out and advances the buffers' positions; strategies that write the buffers
 * directly advance the positions themselves. Never closes anything. Not thread-safe.
 */
final class MemorySource implements ReadableByteChannel {

    private final ByteBuffer[] buffers;

    MemorySource(ByteBuffer[] buffers) {
        this.buffers = buffers;
    }

    ByteBuffer[] buffers() {
        return buffers;
    }

    long remaining() {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst) {
        int start = dst.position();
        for (ByteBuffer b : buffers) {
            if (!dst.hasRemaining()) {
                break;
            }
            if (!b.hasRemaining()) {
                continue;
            }
            int n = Math.min(b.remaining(), dst.remaining());
            int limit = b.limit();
            b.limit(b.position() + n);
            dst.put(b);
            b.limit(limit);
        }
        int n = dst.position() - start;
        return n == 0 && dst.hasRemaining() ? -1 : n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() { }
}

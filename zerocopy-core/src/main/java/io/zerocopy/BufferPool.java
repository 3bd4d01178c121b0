package io.zerocopy;

import java.nio.ByteBuffer;

/**
 * A bounded stack of direct buffers of one size, shared by the transfers of one engine so that
 * no transfer allocates a buffer once the pool is warm. Thread-safe.
 */
final class BufferPool {

    private final int bufferSize;
    private final ByteBuffer[] free;
    private int count;

    BufferPool(int bufferSize, int maxPooled) {
        this.bufferSize = bufferSize;
        this.free = new ByteBuffer[maxPooled];
    }

    ByteBuffer acquire() {
        synchronized (this) {
            if (count > 0) {
                ByteBuffer b = free[--count];
                free[count] = null;
                return b.clear();
            }
        }
        return ByteBuffer.allocateDirect(bufferSize);
    }

    void release(ByteBuffer buffer) {
        synchronized (this) {
            if (count < free.length) {
                free[count++] = buffer;
            }
        }
    }

    int bufferSize() {
        return bufferSize;
    }
}

package io.zerocopy.linux;

/**
 * A bounded view of native memory shared with the kernel (an io_uring's rings and SQE array),
 * made by {@link Syscalls#memory}. Internal: not API.
 *
 * <p>Offsets are in bytes from the start of the view; an access outside it, or an int access
 * at an offset not a multiple of 4, throws instead of touching other memory. Plain accesses
 * are for memory published or consumed through an acquire or release access of the other side;
 * {@link #getIntAcquire}, {@link #setIntRelease} and {@link #getIntOpaque} are the C11
 * {@code memory_order_acquire}, {@code memory_order_release} and relaxed ({@code READ_ONCE})
 * accesses liburing makes on the same words. Byte order is the platform's (little-endian on
 * x86_64, aarch64 and riscv64). Thread-safe as memory is: callers order their own accesses.
 */
interface NativeMemory {

    byte getByte(long offset);

    void putByte(long offset, byte value);

    void putShort(long offset, short value);

    int getInt(long offset);

    void putInt(long offset, int value);

    long getLong(long offset);

    void putLong(long offset, long value);

    /** @return the int at {@code offset}, read with acquire ordering: later loads see what the writer stored before its release */
    int getIntAcquire(long offset);

    /** Stores {@code value} with release ordering: earlier loads and stores are visible to an acquiring reader first. */
    void setIntRelease(long offset, int value);

    /** @return the int at {@code offset}, read once, untorn, not hoisted (no ordering of other accesses) */
    int getIntOpaque(long offset);

    /** @return the view's length in bytes */
    long size();
}

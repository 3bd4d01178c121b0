package io.zerocopy.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * {@link NativeMemory} over a {@link MemorySegment} (JDK 22+): bounds-checked, and the ordered
 * int accesses through {@code JAVA_INT.varHandle()} ({@code getAcquire}, {@code setRelease},
 * {@code getOpaque}), which need 4-byte alignment and throw otherwise. On x86-64 acquire and
 * release compile to plain moves kept in order by the compiler; on aarch64 to {@code ldar} and
 * {@code stlr}: what C11's {@code memory_order_acquire}/{@code release} give liburing. Internal:
 * not API.
 */
final class ForeignMemory implements NativeMemory {

    /** Coordinates {@code (MemorySegment, long offset)}. */
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment segment;

    /** A restricted method ({@code reinterpret}): native access as for the calls. */
    ForeignMemory(long address, long size) {
        this.segment = MemorySegment.ofAddress(address).reinterpret(size);
    }

    @Override
    public byte getByte(long offset) {
        return segment.get(JAVA_BYTE, offset);
    }

    @Override
    public void putByte(long offset, byte value) {
        segment.set(JAVA_BYTE, offset, value);
    }

    @Override
    public void putShort(long offset, short value) {
        segment.set(JAVA_SHORT, offset, value);
    }

    @Override
    public int getInt(long offset) {
        return segment.get(JAVA_INT, offset);
    }

    @Override
    public void putInt(long offset, int value) {
        segment.set(JAVA_INT, offset, value);
    }

    @Override
    public long getLong(long offset) {
        return segment.get(JAVA_LONG, offset);
    }

    @Override
    public void putLong(long offset, long value) {
        segment.set(JAVA_LONG, offset, value);
    }

    @Override
    public int getIntAcquire(long offset) {
        return (int) INT.getAcquire(segment, offset);
    }

    @Override
    public void setIntRelease(long offset, int value) {
        INT.setRelease(segment, offset, value);
    }

    @Override
    public int getIntOpaque(long offset) {
        return (int) INT.getOpaque(segment, offset);
    }

    @Override
    public long size() {
        return segment.byteSize();
    }
}

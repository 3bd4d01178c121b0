package io.zerocopy.linux;

import java.lang.reflect.Field;

import sun.misc.Unsafe;

/**
 * {@link UnsafeFields.Memory} through {@code sun.misc.Unsafe}; the only class that names
 * it. Internal: not API.
 *
 * <p>{@code sun.misc.Unsafe} lives in module {@code jdk.unsupported}: where that module is not
 * in the runtime (a jlink image without it, {@code --limit-modules java.base}, a modular
 * application that does not require it), loading this class or calling {@link #open()} throws
 * {@link NoClassDefFoundError}, which the caller keeps as the reason descriptors cannot be read.
 */
final class UnsafeMemory implements UnsafeFields.Memory {

    private final Unsafe unsafe;

    private UnsafeMemory(Unsafe unsafe) {
        this.unsafe = unsafe;
    }

    /**
     * @return the JDK's Unsafe as memory to read fields with
     * @throws ReflectiveOperationException if {@code theUnsafe} cannot be read
     * @throws NoClassDefFoundError if module {@code jdk.unsupported} is absent
     */
    static UnsafeFields.Memory open() throws ReflectiveOperationException {
        Field f = Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return new UnsafeMemory((Unsafe) f.get(null));
    }

    @Override
    public long objectFieldOffset(Field f) {
        return unsafe.objectFieldOffset(f);
    }

    @Override
    public int getInt(Object o, long offset) {
        return unsafe.getInt(o, offset);
    }

    @Override
    public Object getObject(Object o, long offset) {
        return unsafe.getObject(o, offset);
    }

    @Override
    public boolean getBooleanVolatile(Object o, long offset) {
        return unsafe.getBooleanVolatile(o, offset);
    }

    @Override
    public String toString() {
        return "sun.misc.Unsafe";
    }
}

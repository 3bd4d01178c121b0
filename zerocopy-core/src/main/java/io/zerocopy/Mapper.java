package io.zerocopy;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Maps a file region read-only and unmaps it at once when the window is closed, instead of
 * when the garbage collector gets to it.
 *
 * <ul>
 *   <li>JDK 22 and newer: {@code FileChannel.map(mode, position, size, Arena)} in a confined
 *       arena, closed with the window (the supported API; no warning).</li>
 *   <li>JDK 17 to 21: {@code FileChannel.map} and {@code sun.misc.Unsafe.invokeCleaner}
 *       (module {@code jdk.unsupported}, exported: no {@code --add-opens}). Not used on newer
 *       JDKs, where it is deprecated for removal and prints a warning.</li>
 * </ul>
 * If neither is available the mapping is left to the collector; correctness does not depend on
 * it. The API is reached through method handles so that the library still compiles for 17.
 */
final class Mapper {

    /** A mapped window: its bytes as a buffer, valid until {@link #close()}. Not thread-safe. */
    interface Window extends AutoCloseable {
        ByteBuffer buffer();

        @Override
        void close();
    }

    private static final Arenas ARENAS = Arenas.find();
    private static final MethodHandle INVOKE_CLEANER = ARENAS == null ? findInvokeCleaner() : null;

    private Mapper() { }

    static Window map(FileChannel file, long position, long size) throws IOException {
        if (ARENAS != null) {
            return ARENAS.map(file, position, size);
        }
        MappedByteBuffer map = file.map(FileChannel.MapMode.READ_ONLY, position, size);
        return new Window() {
            @Override
            public ByteBuffer buffer() {
                return map;
            }

            @Override
            public void close() {
                if (INVOKE_CLEANER != null) {
                    invoke(INVOKE_CLEANER, map);
                }
            }
        };
    }

    /** @return how windows are unmapped, for diagnostics */
    static String method() {
        return ARENAS != null ? "arena" : INVOKE_CLEANER != null ? "invokeCleaner" : "gc";
    }

    private static Object invoke(MethodHandle h, Object arg) {
        try {
            return h.invoke(arg);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static MethodHandle findInvokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The JDK 22+ foreign-memory calls, looked up once. */
    private static final class Arenas {
        final MethodHandle ofConfined;
        final MethodHandle map;
        final MethodHandle asByteBuffer;
        final MethodHandle close;

        private Arenas(MethodHandle ofConfined, MethodHandle map, MethodHandle asByteBuffer, MethodHandle close) {
            this.ofConfined = ofConfined;
            this.map = map;
            this.asByteBuffer = asByteBuffer;
            this.close = close;
        }

        static Arenas find() {
            if (Runtime.version().feature() < 22) {
                return null;
            }
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> arena = Class.forName("java.lang.foreign.Arena");
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                return new Arenas(
                        lookup.findStatic(arena, "ofConfined", MethodType.methodType(arena)),
                        lookup.findVirtual(FileChannel.class, "map", MethodType.methodType(segment,
                                FileChannel.MapMode.class, long.class, long.class, arena)),
                        lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class)),
                        lookup.findVirtual(arena, "close", MethodType.methodType(void.class)));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        Window map(FileChannel file, long position, long size) throws IOException {
            Object arena;
            try {
                arena = ofConfined.invoke();
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            ByteBuffer buffer;
            try {
                Object segment = map.invoke(file, FileChannel.MapMode.READ_ONLY, position, size, arena);
                buffer = (ByteBuffer) asByteBuffer.invoke(segment);
            } catch (IOException | RuntimeException | Error e) {
                invoke(close, arena);
                throw e;
            } catch (Throwable e) {
                invoke(close, arena);
                throw new IllegalStateException(e);
            }
            return new Window() {
                @Override
                public ByteBuffer buffer() {
                    return buffer;
                }

                @Override
                public void close() {
                    invoke(Arenas.this.close, arena);
                }
            };
        }
    }
}

package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.testkit.Loopback;

/** Descriptors of JDK channels, read without --add-opens, duplicated safely. */
class ChannelDescriptorsTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
        assertNull(ChannelDescriptors.unavailabilityCause());
    }

    @Test
    void fileChannelDuplicateRefersToTheSameFile() throws Exception {
        Path f = Files.write(dir.resolve("f"), new byte[] {1});
        try (FileChannel ch = FileChannel.open(f)) {
            assertSameFile(ch, f.toRealPath().toString());
        }
    }

    @Test
    void socketChannelsConnectedAndAcceptedHaveDescriptors() throws Exception {
        try (Loopback.Connection c = Loopback.connect()) {
            for (Channel ch : new Channel[] {c.client, c.accepted}) {
                String link = link(ChannelDescriptors.raw(ch));
                assertTrue(link.startsWith("socket:"), link);
                assertSameFile(ch, link);
            }
        }
    }

    @Test
    void pipeEndsHaveDescriptors() throws Exception {
        Pipe p = Pipe.open();
        try (Pipe.SourceChannel r = p.source(); Pipe.SinkChannel w = p.sink()) {
            for (Channel ch : new Channel[] {r, w}) {
                String link = link(ChannelDescriptors.raw(ch));
                assertTrue(link.startsWith("pipe:"), link);
                assertSameFile(ch, link);
            }
        }
    }

    @Test
    void closedChannelIsRefused() throws Exception {
        Path f = Files.write(dir.resolve("f"), new byte[] {1});
        FileChannel ch = FileChannel.open(f);
        ch.close();
        assertThrows(ClosedChannelException.class, () -> ChannelDescriptors.dup(Native.syscalls(), ch));
        Loopback.Connection c = Loopback.connect();
        c.close();
        assertThrows(ClosedChannelException.class, () -> ChannelDescriptors.dup(Native.syscalls(), c.client));
    }

    @Test
    void foreignChannelHasNoDescriptor() throws Exception {
        ReadableByteChannel foreign = new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) {
                return -1;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() { }
        };
        assertEquals(-1, ChannelDescriptors.dup(Native.syscalls(), foreign));
        assertEquals(false, ChannelDescriptors.readable(foreign.getClass()));
    }

    @Test
    void methodHandlesReadWhatUnsafeReadsWhereSunNioChIsOpen() throws Exception {
        boolean opened = Object.class.getModule().isOpen("sun.nio.ch", ChannelDescriptors.class.getModule());
        if (!opened) {
            IllegalAccessException e = assertThrows(IllegalAccessException.class, MethodHandleFields::open);
            assertTrue(e.getMessage().contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED"), e.getMessage());
            assertEquals("sun.misc.Unsafe", ChannelDescriptors.route());
            return;
        }
        assertEquals("method handles on sun.nio.ch", ChannelDescriptors.route());
        ChannelFields handles = MethodHandleFields.open();
        ChannelFields unsafe = UnsafeFields.of(UnsafeMemory.open());
        Path f = Files.write(dir.resolve("f"), new byte[] {1});
        Pipe p = Pipe.open();
        try (FileChannel file = FileChannel.open(f); Loopback.Connection c = Loopback.connect();
                Pipe.SourceChannel r = p.source(); Pipe.SinkChannel w = p.sink()) {
            for (Channel ch : new Channel[] {file, c.client, c.accepted, r, w}) {
                assertTrue(handles.raw(ch) > 2, ch.toString());
                assertEquals(unsafe.raw(ch), handles.raw(ch), ch.toString());
                assertEquals(unsafe.forcedNonBlocking(ch), handles.forcedNonBlocking(ch), ch.toString());
                assertTrue(handles.readable(ch.getClass()));
            }
            file.close();
            assertEquals(-1, handles.raw(file), "closed");
        }
    }

    @Test
    void aMemoryThatRefusesIsItselfTheCause() throws Exception {
        UnsafeFields.Memory unsafe = UnsafeMemory.open();
        assertNull(UnsafeFields.of(unsafe).cause);
        UnsupportedOperationException offsets = new UnsupportedOperationException("objectFieldOffset denied");
        assertSame(offsets, UnsafeFields.of(new Refusing(unsafe, offsets, null)).cause,
                "the exception itself, not a made-up NoSuchFieldException");
        UnsupportedOperationException reads = new UnsupportedOperationException("getInt denied");
        assertSame(reads, UnsafeFields.of(new Refusing(unsafe, null, reads)).cause,
                "a refused read is found when the layout is made, not in a transfer");
        NoClassDefFoundError missing = new NoClassDefFoundError("sun/misc/Unsafe");
        assertSame(missing, UnsafeFields.unavailable(missing).cause);
    }

    /** Unsafe, but offsets or reads throw the given exception. */
    private static final class Refusing implements UnsafeFields.Memory {
        private final UnsafeFields.Memory real;
        private final RuntimeException offsets;
        private final RuntimeException reads;

        Refusing(UnsafeFields.Memory real, RuntimeException offsets, RuntimeException reads) {
            this.real = real;
            this.offsets = offsets;
            this.reads = reads;
        }

        @Override
        public long objectFieldOffset(Field f) {
            refuse(offsets);
            return real.objectFieldOffset(f);
        }

        @Override
        public int getInt(Object o, long offset) {
            refuse(reads);
            return real.getInt(o, offset);
        }

        @Override
        public Object getObject(Object o, long offset) {
            refuse(reads);
            return real.getObject(o, offset);
        }

        @Override
        public boolean getBooleanVolatile(Object o, long offset) {
            refuse(reads);
            return real.getBooleanVolatile(o, offset);
        }

        private static void refuse(RuntimeException e) {
            if (e != null) {
                throw e;
            }
        }
    }

    /** dup's result names the same open file as the channel (same /proc/self/fd link target). */
    private static void assertSameFile(Channel ch, String expected) throws Exception {
        int fd = ChannelDescriptors.dup(Native.syscalls(), ch);
        try {
            assertTrue(fd > 2, "fd " + fd);
            assertEquals(expected, link(fd));
            int flags = Native.syscalls().fcntl(fd, 1 /* F_GETFD */, 0);
            assertEquals(1, flags & 1, "FD_CLOEXEC on the duplicate");
        } finally {
            Native.syscalls().close(fd);
        }
    }

    private static String link(int fd) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }
}

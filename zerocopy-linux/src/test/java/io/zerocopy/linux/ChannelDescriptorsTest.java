package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

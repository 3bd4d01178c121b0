package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.zerocopy.spi.ChannelKind;

/** Memory sends: buffers to a channel, byte-exact, positions advanced, buffers free to reuse on return. */
class SendTest {

    @TempDir
    Path dir;

    static ByteBuffer[] split(byte[] payload, boolean direct, int pieces) {
        List<ByteBuffer> list = new ArrayList<>();
        int step = Math.max(1, payload.length / pieces);
        for (int i = 0; i < payload.length; i += step) {
            int n = Math.min(step, payload.length - i);
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(n + 10) : ByteBuffer.allocate(n + 10);
            b.position(5);
            b.put(payload, i, n).flip().position(5);
            list.add(b);
        }
        return list.toArray(new ByteBuffer[0]);
    }

    @ParameterizedTest
    @EnumSource(value = ChannelKind.class, names = {"FILE", "SOCKET", "PIPE", "CHANNEL"})
    void buffersReachTheTargetInOrder(ChannelKind kind) throws Exception {
        for (int size : new int[] {1, 4095, 65537, (1 << 20) + 3, 16 << 20}) {
            for (boolean direct : new boolean[] {true, false}) {
                byte[] payload = Payloads.of(size, 50 + size);
                ByteBuffer[] bufs = split(payload, direct, 7);
                RecordingListener rec = new RecordingListener();
                TransferEngine engine = ZeroCopy.builder().providers(false).listener(rec).build();
                try (Endpoints.Target out = Endpoints.target(kind, dir)) {
                    assertEquals(size, engine.send(bufs, out.channel()));
                    for (ByteBuffer b : bufs) {
                        assertFalse(b.hasRemaining(), "every buffer consumed");
                        b.clear();
                        while (b.hasRemaining()) {
                            b.put((byte) 0x7F);
                        }
                    }
                    Payloads.assertSameBytes(payload, out.finish(), kind + " " + size + " direct=" + direct);
                }
                assertEquals("copy", rec.last().strategy());
            }
        }
    }

    @Test
    void emptyAndBadInput() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        assertEquals(0, ZeroCopy.send(new ByteBuffer[0], Channels.newChannel(sink)));
        assertEquals(0, ZeroCopy.send(new ByteBuffer[] {ByteBuffer.allocate(0)}, Channels.newChannel(sink)));
        assertThrows(NullPointerException.class, () -> ZeroCopy.send(null, Channels.newChannel(sink)));
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> ZeroCopy.send(new ByteBuffer[] {ByteBuffer.allocate(1), null}, Channels.newChannel(sink)));
        assertEquals("buffers[1]", e.getMessage());
    }

    @Test
    void aCoalescerCanFlushThroughTheEngine() throws Exception {
        byte[] payload = Payloads.of(500_000, 51);
        TransferEngine engine = ZeroCopy.builder().providers(false).build();
        try (Endpoints.Target out = Endpoints.target(ChannelKind.SOCKET, dir)) {
            BufferCoalescer c = new BufferCoalescer(out.channel(), 32 << 10, engine);
            ByteBuffer reused = ByteBuffer.allocateDirect(1000);
            for (int i = 0; i < payload.length; i += 1000) {
                reused.clear();
                reused.put(payload, i, Math.min(1000, payload.length - i)).flip();
                c.write(reused);
            }
            c.flush();
            Payloads.assertSameBytes(payload, out.finish(), "coalescer via engine");
        }
    }
}

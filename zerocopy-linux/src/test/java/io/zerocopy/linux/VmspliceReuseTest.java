package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zerocopy.BufferCoalescer;
import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * The buffer-reuse hazard of vmsplice, shown on this kernel: a buffer sent with unsafe reuse
 * and overwritten while the receiver has not read yet. Each case sends 64 KiB of 'A' to a
 * receiver that is paused, overwrites the buffer with 'B' as soon as {@code send} returns,
 * then lets the receiver read, and counts the 'B' bytes it sees. A {@code BufferCoalescer},
 * which reuses its batch at once, is kept off that path.
 */
class VmspliceReuseTest {

    private static final int SIZE = 64 << 10;
    /** Fits a default 64 KiB pipe however the buffer is aligned, so the reader can wait until send returns. */
    private static final int PIPE_SIZE = 16 << 10;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    /** @return how many of the bytes the receiver read are the overwritten value */
    private static int overwrittenSeen(TransferEngine engine, Recorder rec, String expectedStrategy, boolean pipe)
            throws Exception {
        int size = pipe ? PIPE_SIZE : SIZE;
        ByteBuffer buf = ByteBuffer.allocateDirect(size);
        fill(buf, (byte) 'A');
        byte[] got = new byte[size];
        if (pipe) {
            Pipe p = Pipe.open();
            try (Pipe.SinkChannel sink = p.sink(); Pipe.SourceChannel source = p.source()) {
                assertEquals(size, engine.withListener(rec).send(new ByteBuffer[] {buf}, sink));
                fill(buf, (byte) 'B');
                readFully(source, got);
            }
        } else {
            try (Loopback.Connection c = Loopback.connect()) {
                assertEquals(SIZE, engine.withListener(rec).send(new ByteBuffer[] {buf}, c.client));
                assertEquals(SIZE, buf.position(), "position advanced by the bytes sent");
                fill(buf, (byte) 'B');
                readFully(c.accepted, got);
            }
        }
        assertEquals(expectedStrategy, rec.last().strategy());
        int seen = 0;
        for (byte b : got) {
            assertTrue(b == 'A' || b == 'B');
            seen += b == 'B' ? 1 : 0;
        }
        return seen;
    }

    private static void fill(ByteBuffer buf, byte value) {
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, value);
        }
    }

    private static void readFully(java.nio.channels.ReadableByteChannel ch, byte[] into) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(into);
        while (b.hasRemaining() && ch.read(b) >= 0) {
            // until full
        }
        assertEquals(into.length, b.position());
    }

    /**
     * The finding: with unsafe reuse, a loopback receiver reads the bytes written into the
     * buffer after {@code send} returned (the receive queue shares the caller's pages).
     */
    @Test
    void unsafeReuseToALoopbackSocketLetsTheReceiverSeeLaterWrites() throws Exception {
        TransferEngine engine = ZeroCopy.builder().threshold(0).addFirst(Linux.vmsplice(true)).build();
        int seen = overwrittenSeen(engine, new Recorder(), "vmsplice", false);
        System.out.println("VmspliceReuseTest: unsafe reuse, loopback socket: receiver saw " + seen + " of " + SIZE
                + " bytes overwritten after send returned");
        assertEquals(SIZE, seen, "this kernel shares the sender's pages with the loopback receiver");
    }

    @Test
    void unsafeReuseToAPipeLetsTheReaderSeeLaterWrites() throws Exception {
        TransferEngine engine = ZeroCopy.builder().threshold(0).addFirst(Linux.vmsplice(true)).build();
        int seen = overwrittenSeen(engine, new Recorder(), "vmsplice", true);
        System.out.println("VmspliceReuseTest: unsafe reuse, pipe: reader saw " + seen + " of " + PIPE_SIZE + " overwritten");
        assertEquals(PIPE_SIZE, seen, "a pipe holds the sender's pages until read");
    }

    /** The default: loopback and pipe targets take the gathering write, so later writes are never seen. */
    @Test
    void safeModeFallsBackForLocalTargetsAndTheReceiverSeesWhatWasSent() throws Exception {
        TransferEngine engine = ZeroCopy.builder().threshold(0).addFirst(Linux.vmsplice()).build();
        assertEquals(0, overwrittenSeen(engine, new Recorder(), "copy", false));
        assertEquals(0, overwrittenSeen(engine, new Recorder(), "copy", true));
    }

    /**
     * A coalescer reuses its batch as soon as a send returns. Built on an engine whose vmsplice
     * has unsafe reuse, its sends must not go through it: the receiver, which reads only after
     * every batch went out, gets exactly the bytes written, each batch different.
     */
    @Test
    void aCoalescerOnAnUnsafeReuseEngineDeliversWhatWasWritten() throws Exception {
        Recorder rec = new Recorder();
        TransferEngine engine = ZeroCopy.builder().threshold(0).addFirst(Linux.vmsplice(true)).build().withListener(rec);
        byte[] payload = Payloads.of(SIZE, 17);
        byte[] got = new byte[SIZE];
        try (Loopback.Connection c = Loopback.connect()) {
            BufferCoalescer coalescer = new BufferCoalescer(c.client, 8192, engine);
            ByteBuffer piece = ByteBuffer.allocateDirect(1000);
            for (int i = 0; i < SIZE; i += piece.capacity()) {
                piece.clear();
                piece.put(payload, i, Math.min(piece.capacity(), SIZE - i)).flip();
                coalescer.write(piece);
            }
            coalescer.flush();
            readFully(c.accepted, got);
        }
        Payloads.assertSameBytes(payload, got, "what the receiver read");
        assertTrue(rec.results.stream().noneMatch(r -> r.strategy().equals("vmsplice")), "no coalescer send went through vmsplice");
        assertTrue(rec.results.size() >= SIZE / 8192, "one send a batch: " + rec.results.size());
        assertEquals("vmsplice", sendOnce(engine), "a plain send still uses it: that caller opted in");
    }

    /** @return the strategy that served one plain send of a direct buffer to a loopback socket */
    private static String sendOnce(TransferEngine engine) throws Exception {
        Recorder rec = new Recorder();
        try (Loopback.Connection c = Loopback.connect()) {
            engine.withListener(rec).send(new ByteBuffer[] {ByteBuffer.allocateDirect(4096)}, c.client);
        }
        return rec.last().strategy();
    }
}

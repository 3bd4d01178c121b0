package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferFuture;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * Asynchronous socket-to-socket transfers with the default engine: the relays splice in
 * non-blocking steps on the reactor, hold no thread while they wait, and lease a pipe only
 * while it holds bytes, so more relays than pooled pipes all splice.
 */
@Timeout(120)
class AsyncRelayTest {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void moreWaitingRelaysThanPipesHoldNoThreadAndAllSplice() throws Exception {
        TransferEngine engine = ZeroCopy.builder().build();
        int n = 2 * Linux.sharedPipePool().maxPipes() + 50;
        List<Loopback.Connection> in = new ArrayList<>();
        List<Loopback.Connection> out = new ArrayList<>();
        List<TransferFuture> futures = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                in.add(Loopback.connect());
                out.add(Loopback.connect());
                futures.add(engine.transferAsync(in.get(i).accepted, out.get(i).client));
            }
            Thread.sleep(200); // every relay now waits for its source
            assertEquals(0, busyThreads("zerocopy-blocking-"), "no relay holds a thread while it waits");
            byte[][] payloads = new byte[n][];
            for (int i = 0; i < n; i++) {
                payloads[i] = Payloads.of(20_000 + i, i);
                in.get(i).client.write(ByteBuffer.wrap(payloads[i]));
                in.get(i).client.shutdownOutput();
            }
            for (int i = 0; i < n; i++) {
                TransferResult r = futures.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(payloads[i].length, r.bytes());
                assertEquals("splice", r.strategy(), "relay " + i + ": " + r.attempts());
                out.get(i).client.shutdownOutput();
                Payloads.assertSameBytes(payloads[i], readAll(out.get(i).accepted), "relay " + i);
            }
            assertTrue(n > Linux.sharedPipePool().maxPipes());
        } finally {
            for (Loopback.Connection c : in) {
                c.close();
            }
            for (Loopback.Connection c : out) {
                c.close();
            }
        }
    }

    private static byte[] readAll(SocketChannel ch) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (ch.read(b) >= 0) {
            all.write(b.array(), 0, b.position());
            b.clear();
        }
        all.write(b.array(), 0, b.position());
        return all.toByteArray();
    }

    private static long busyThreads(String prefix) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith(prefix))
                .filter(e -> java.util.Arrays.stream(e.getValue()).noneMatch(f -> f.getMethodName().equals("getTask")))
                .count();
    }
}

package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.BroadcastResult;
import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.AsyncChecks;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;

/**
 * {@code broadcastAsync} of a file to sockets with zerocopy-linux: every target is served by
 * sendfile's non-blocking steps, byte-exact, and no target holds a blocking thread.
 */
@org.junit.jupiter.api.Timeout(60)
class SendfileBroadcastAsyncTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void everySocketTargetIsServedBySendfileSteps() throws Exception {
        byte[] payload = Fixtures.payload(8 * 1024 * 1024 + 3);
        TransferEngine engine = ZeroCopy.defaultEngine();
        List<Loopback.Connection> connections = new ArrayList<>();
        List<WritableByteChannel> targets = new ArrayList<>();
        try (FileChannel source = FileChannel.open(Fixtures.file(dir, "source", payload))) {
            for (int i = 0; i < 8; i++) {
                connections.add(Loopback.connect());
                targets.add(connections.get(i).client);
            }
            var f = engine.broadcastAsync(source, 0, payload.length, targets);
            Thread.sleep(200); // nobody reads yet: every target waits with full socket buffers
            assertEquals(0, AsyncChecks.busyThreads("zerocopy-blocking-"), "no target holds a blocking thread");
            List<CompletableFuture<byte[]>> received = new ArrayList<>();
            for (Loopback.Connection c : connections) {
                received.add(Fixtures.drain(c.accepted));
            }
            BroadcastResult r = f.get(30, TimeUnit.SECONDS);
            assertTrue(r.allDelivered(), r.toString());
            assertEquals("sendfile", r.strategy());
            for (int i = 0; i < targets.size(); i++) {
                connections.get(i).client.shutdownOutput();
                Payloads.assertSameBytes(payload, received.get(i).get(30, TimeUnit.SECONDS), "target " + i);
            }
        } finally {
            for (Loopback.Connection c : connections) {
                c.close();
            }
        }
    }
}

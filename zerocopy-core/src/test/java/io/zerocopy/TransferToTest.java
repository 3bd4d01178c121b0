package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Loopback;
import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import io.zerocopy.testkit.StalledTransfer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code transferTo} serves only targets where its JDK call cannot block: blocking sockets and
 * pipes go to the next strategy, so that a close, an interrupt or an idle timeout always
 * reaches the transfer, on every JDK.
 */
class TransferToTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = ChannelKind.class, names = {"SOCKET", "PIPE"})
    void aBlockingTargetGoesToTheNextStrategyWithTheReason(ChannelKind target) throws Exception {
        byte[] payload = Payloads.of(300_000, 41);
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies("transferTo", "copy")
                .listener(rec).build();
        try (Endpoints.Source src = Endpoints.source(ChannelKind.FILE, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(target, dir)) {
            assertEquals(payload.length, engine.transfer(src.file(), 0, payload.length, dst.channel()));
            Payloads.assertSameBytes(payload, dst.finish(), "file -> blocking " + target);
        }
        TransferResult r = rec.last();
        assertEquals("copy", r.strategy(), r.toString());
        assertEquals("transferTo", r.attempts().get(0).strategy());
        assertEquals(0, r.attempts().get(0).bytes());
        assertEquals(TransferToStrategy.BLOCKING_TARGET.reason(), r.attempts().get(0).fallbackReason());
    }

    @Test
    void aNonBlockingTargetIsServedAndACloseFromAnotherThreadEndsTheWait() throws Exception {
        byte[] payload = Payloads.of(64 << 20, 42);
        Path src = Files.write(dir.resolve("src"), payload);
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0).strategies("transferTo").build();
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            Endpoints.nonBlocking(c.client);
            StalledTransfer stalled = StalledTransfer.start(() -> engine.transfer(in, 0, payload.length, c.client));
            stalled.cancelling();
            c.client.close();
            TransferException e = stalled.failsWithin(1_000, "transferTo");
            assertEquals("transferTo", e.strategy());
            byte[] got = Endpoints.drain(c.accepted);
            assertTrue(e.bytesDelivered() > 0 && e.bytesDelivered() <= got.length,
                    "after an asynchronous close the count is a lower bound: " + e.bytesDelivered() + " of " + got.length);
            Payloads.assertSameBytes(java.util.Arrays.copyOf(payload, got.length), got, "the prefix");
        }
    }
}

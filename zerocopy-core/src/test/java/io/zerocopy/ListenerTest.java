package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Endpoints;
import io.zerocopy.testkit.Payloads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.spi.ChannelKind;

/** Progress is reported as bytes reach the target, ending at the total; the result names the strategy. */
class ListenerTest {

    @TempDir
    Path dir;

    @Test
    void progressRisesToTheTotalAndTheResultNamesTheStrategy() throws Exception {
        List<Long> progress = new ArrayList<>();
        List<TransferResult> results = new ArrayList<>();
        TransferListener listener = new TransferListener() {
            @Override
            public void onProgress(String strategy, long delivered) {
                assertEquals("copy", strategy);
                progress.add(delivered);
            }

            @Override
            public void onComplete(TransferResult result) {
                results.add(result);
            }
        };
        TransferEngine engine = ZeroCopy.builder().providers(false).strategies("copy").chunkSize(4096).build()
                .withListener(listener);
        byte[] payload = Payloads.of(1 << 20, 12);
        try (Endpoints.Source src = Endpoints.source(ChannelKind.PIPE, payload, 0, dir);
             Endpoints.Target dst = Endpoints.target(ChannelKind.FILE, dir)) {
            engine.transfer(src.channel(), dst.channel());
            Payloads.assertSameBytes(payload, dst.finish(), "listener run");
        }
        assertTrue(progress.size() >= 256, "one report per 4 KiB chunk at least: " + progress.size());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1));
        }
        assertEquals(1 << 20, (long) progress.get(progress.size() - 1));
        assertEquals(1, results.size());
        assertEquals(new TransferResult.Attempt("copy", 1 << 20, null), results.get(0).attempts().get(0));
        assertTrue(results.get(0).nanos() > 0);
    }
}

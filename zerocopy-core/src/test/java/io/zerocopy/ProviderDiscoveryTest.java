package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.spi.TransferStrategyProvider;

/**
 * Strategies from a {@link TransferStrategyProvider} on the class path are found with no code
 * change, tried before the core ones for the pairs they support, and left out when providers
 * are disabled.
 */
class ProviderDiscoveryTest {

    /** Registered in this module's test resources; serves only generic-channel pairs. */
    public static final class TestProvider implements TransferStrategyProvider {
        @Override
        public List<TransferStrategy> strategies() {
            return List.of(new UpperCaseNothing());
        }
    }

    /** A byte-exact strategy that copies through a heap buffer, for generic channel pairs only. */
    static final class UpperCaseNothing implements TransferStrategy {
        @Override
        public String name() {
            return "test-provided";
        }

        @Override
        public boolean supports(ChannelKind source, ChannelKind target, long size) {
            return source == ChannelKind.CHANNEL && target == ChannelKind.CHANNEL;
        }

        @Override
        public Outcome transfer(Transfer t) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(1000);
            while (t.remaining() > 0) {
                buf.clear();
                if (t.source().read(buf) < 0) {
                    return Outcome.COMPLETE;
                }
                buf.flip();
                t.writeFully(buf);
            }
            return Outcome.COMPLETE;
        }
    }

    @Test
    void providedStrategiesComeFirstAndServeTheirPairs() throws Exception {
        RecordingListener rec = new RecordingListener();
        TransferEngine engine = ZeroCopy.builder().listener(rec).build();
        assertEquals("test-provided", engine.strategies().get(0), engine.toString());
        byte[] payload = Payloads.of(100_000, 77);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReadableByteChannel in = Channels.newChannel(new ByteArrayInputStream(payload));
        WritableByteChannel target = Channels.newChannel(out);
        assertEquals(payload.length, engine.transfer(in, target));
        Payloads.assertSameBytes(payload, out.toByteArray(), "provided strategy");
        assertEquals("test-provided", rec.last().strategy());
    }

    @Test
    void disabledProvidersAreNotLoaded() {
        TransferEngine engine = ZeroCopy.builder().providers(false).build();
        assertFalse(engine.strategies().contains("test-provided"));
        assertEquals(List.of("transferTo", "mmap", "copy", "transferFrom"), engine.strategies());
    }

    @Test
    void customStrategiesAddedFirstPrecedeEverything() {
        TransferEngine engine = ZeroCopy.builder().providers(false).addFirst(new UpperCaseNothing())
                .strategies("copy").build();
        assertEquals(List.of("test-provided", "copy"), engine.strategies());
        assertTrue(engine.toString().contains("threshold=8192"), engine.toString());
    }

    @Test
    void preferencesReorderOnePairOnly() {
        TransferEngine defaults = ZeroCopy.builder().providers(false).build();
        assertEquals(List.of("mmap", "transferTo", "copy"), defaults.strategies(ChannelKind.FILE, ChannelKind.SOCKET));
        assertEquals(List.of("transferTo", "mmap", "copy"), defaults.strategies(ChannelKind.FILE, ChannelKind.FILE));
        assertEquals(List.of("copy", "transferFrom"), defaults.strategies(ChannelKind.SOCKET, ChannelKind.FILE));
        TransferEngine custom = ZeroCopy.builder().providers(false).addFirst(new UpperCaseNothing())
                .prefer(ChannelKind.FILE, ChannelKind.FILE, "copy", "nonexistent")
                .prefer(ChannelKind.FILE, ChannelKind.SOCKET).build();
        assertEquals(List.of("copy", "transferTo", "mmap"), custom.strategies(ChannelKind.FILE, ChannelKind.FILE));
        assertEquals(List.of("mmap", "transferTo", "copy"), custom.strategies(ChannelKind.FILE, ChannelKind.SOCKET),
                "no names: the default order");
        assertEquals(List.of("test-provided", "copy"), custom.strategies(ChannelKind.CHANNEL, ChannelKind.CHANNEL));
        assertEquals(List.of("mmap", "transferTo", "copy"), defaults.strategies(ChannelKind.FILE, ChannelKind.SOCKET, 100_000),
                "transferTo declines blocking sockets, the usual kind");
        assertEquals(List.of("transferTo", "mmap", "copy"), defaults.strategies(ChannelKind.FILE, ChannelKind.FILE, 100_000),
                "below 256 KiB, mmap's mapping costs more than it saves");
        assertEquals(List.of("mmap", "transferTo", "copy"), defaults.strategies(ChannelKind.FILE, ChannelKind.SOCKET, 256 * 1024));
        assertEquals(List.of("copy"), defaults.strategies(ChannelKind.FILE, ChannelKind.SOCKET, 8191));
        TransferEngine banded = ZeroCopy.builder().providers(false)
                .prefer(ChannelKind.FILE, ChannelKind.FILE, 1 << 20, "mmap").build();
        assertEquals(List.of("transferTo", "mmap", "copy"), banded.strategies(ChannelKind.FILE, ChannelKind.FILE, 100_000));
        assertEquals(List.of("mmap", "transferTo", "copy"), banded.strategies(ChannelKind.FILE, ChannelKind.FILE, 1 << 20));
        TransferEngine ordered = ZeroCopy.builder().providers(false).strategies("transferTo", "mmap", "copy").build();
        assertEquals(List.of("transferTo", "mmap", "copy"), ordered.strategies(ChannelKind.FILE, ChannelKind.SOCKET),
                "an explicit order replaces the built-in preference");
    }
}

package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.BroadcastSuite;

/**
 * Runs only in the surefire execution {@code tee-disabled} ({@code -Dio.zerocopy.linux.tee=false}):
 * the module is present and offers its transfer strategies, but broadcasts take the portable
 * {@code copy} path through the whole shared suite.
 */
class TeeDisabledBroadcastTest extends BroadcastSuite {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
        assertEquals("false", System.getProperty(Linux.TEE_PROPERTY), "run by the tee-disabled execution");
    }

    @Override
    protected TransferEngine engine(TransferEngine.Builder builder) {
        return builder.build();
    }

    @Override
    protected String expectedStrategy(ChannelKind source) {
        return "copy";
    }

    @Test
    void theModuleIsPresentButOffersNoBroadcast() {
        TransferEngine engine = ZeroCopy.builder().build();
        assertTrue(engine.strategies().contains("splice"), engine.toString());
        assertEquals(List.of("copy"), engine.broadcastStrategies());
        assertTrue(new LinuxStrategyProvider().broadcastStrategies().isEmpty());
    }
}

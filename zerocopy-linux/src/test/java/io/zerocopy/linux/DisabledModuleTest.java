package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.payload;
import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;

/**
 * Runs only in the surefire execution {@code linux-disabled}, which sets
 * {@code -Dio.zerocopy.linux.enabled=false}: the module reports itself unavailable with the
 * reason, offers no strategy, and the core alone still transfers.
 */
class DisabledModuleTest {

    @TempDir
    Path dir;

    @Test
    void killSwitchDisablesTheModuleAndCoreStillWorks() throws Exception {
        assertEquals("false", System.getProperty(Linux.ENABLED_PROPERTY), "run by the linux-disabled execution");
        assertFalse(Linux.isAvailable());
        assertTrue(Linux.unavailabilityCause().getMessage().contains(Linux.ENABLED_PROPERTY), Linux.unavailabilityCause().toString());
        assertThrows(UnsatisfiedLinkError.class, Linux::ensureAvailability);
        assertTrue(new LinuxStrategyProvider().strategies().isEmpty());

        TransferEngine engine = ZeroCopy.builder().build();
        assertFalse(engine.strategies().contains("splice"), engine.toString());
        assertFalse(engine.strategies().contains("copyFileRange"), engine.toString());
        byte[] data = payload((1 << 20) + 1);
        Path src = Fixtures.file(dir, "src", data);
        Path dst = dir.resolve("dst");
        Recorder r = new Recorder();
        assertEquals(data.length, engine.withListener(r).transfer(src, dst));
        assertSameBytes(data, Files.readAllBytes(dst), "core alone");
        assertFalse(r.last().strategy().equals("splice"));
    }
}

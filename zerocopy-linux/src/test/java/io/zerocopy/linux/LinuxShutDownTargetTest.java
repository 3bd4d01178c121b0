package io.zerocopy.linux;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.ShutDownTargetSuite;

/** A socket target whose output is shut down: the Linux strategies report it as the core ones do. */
class LinuxShutDownTargetTest extends ShutDownTargetSuite {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Override
    protected List<String> strategyNames() {
        return List.of("sendfile", "splice", "copy", "mmap", "transferTo");
    }

    @Override
    protected TransferEngine.Builder builder() {
        return ZeroCopy.builder();
    }
}

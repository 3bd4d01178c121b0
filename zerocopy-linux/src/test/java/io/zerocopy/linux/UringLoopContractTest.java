package io.zerocopy.linux;

import org.junit.jupiter.api.BeforeEach;

import io.zerocopy.spi.EventLoop;
import io.zerocopy.testkit.EventLoopContract;

/** The io_uring loop ({@link UringEventLoop}) keeps the {@link EventLoop} contract; skipped with the probe's cause where io_uring does not serve. */
class UringLoopContractTest extends EventLoopContract {

    private EventLoop loop;

    @BeforeEach
    void ioUring() {
        IoUringTest.requireIoUring();
        loop = Linux.ioUringEventLoops().loops().get(0);
    }

    @Override
    protected EventLoop loop() {
        return loop;
    }
}

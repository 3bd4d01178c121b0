package io.zerocopy;

import io.zerocopy.spi.EventLoop;
import io.zerocopy.testkit.EventLoopContract;

/** The selector loop ({@link Reactor}) keeps the {@link EventLoop} contract. */
class SelectorLoopContractTest extends EventLoopContract {

    private final EventLoop loop = EventLoops.selector().next();

    @Override
    protected EventLoop loop() {
        return loop;
    }
}

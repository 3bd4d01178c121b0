package io.zerocopy.spi;

import io.zerocopy.EventLoops;

/**
 * Offers a group of {@link EventLoop}s by name, found with {@link java.util.ServiceLoader}, so
 * that the system property {@value io.zerocopy.EventLoops#PROPERTY} can make it the default of
 * every engine. A provider never throws: where its loops cannot run it answers another group
 * (the selector loops, {@link EventLoops#selector()}) and says why in its own way.
 */
public interface EventLoopProvider {

    /** @return the name the system property selects it by, such as {@code "io_uring"} */
    String name();

    /** @return the provider's loops (the same group on every call), or the selector loops where they cannot run */
    EventLoops eventLoops();
}

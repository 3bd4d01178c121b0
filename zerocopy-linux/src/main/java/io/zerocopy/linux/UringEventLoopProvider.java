package io.zerocopy.linux;

import io.zerocopy.EventLoops;
import io.zerocopy.spi.EventLoopProvider;

/**
 * Offers the io_uring event loops ({@link Linux#ioUringEventLoops()}) under the name
 * {@code io_uring}, so that {@code -Dio.zerocopy.eventLoops=io_uring} makes them every engine's
 * default. Where io_uring does not serve it answers the selector loops (the cause:
 * {@link Linux#ioUringUnavailabilityCause()}). Never throws.
 */
public final class UringEventLoopProvider implements EventLoopProvider {

    /** For {@link java.util.ServiceLoader}. */
    public UringEventLoopProvider() { }

    @Override
    public String name() {
        return UringEventLoops.NAME;
    }

    @Override
    public EventLoops eventLoops() {
        try {
            return Linux.ioUringEventLoops();
        } catch (RuntimeException | LinkageError e) {
            System.getLogger(UringEventLoopProvider.class.getName()).log(System.Logger.Level.WARNING,
                    "zerocopy-linux: io_uring event loops unavailable", e);
            return EventLoops.selector();
        }
    }
}

package io.zerocopy.linux;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

import io.zerocopy.EventLoops;
import io.zerocopy.spi.EventLoop;

/**
 * The process's io_uring event loops ({@link UringEventLoop}), set up once, on the first
 * question: as many as processors from 1 to 4 (the selector loops' rule), or the selector loops
 * where io_uring does not serve, with the cause kept. Internal: not API.
 */
final class UringEventLoops {

    /** The group's name, and the value of {@link EventLoops#PROPERTY} that makes it the default. */
    static final String NAME = "io_uring";

    private UringEventLoops() { }

    /** @return the io_uring loops, or the selector loops where io_uring does not serve ({@link #cause()}) */
    static EventLoops group() {
        return Holder.GROUP;
    }

    /** @return why the io_uring loops do not serve (the probe's cause, or their setup's failure), or null */
    static Throwable cause() {
        return Holder.CAUSE;
    }

    /**
     * @param probed the io_uring probe's verdict (null: io_uring serves)
     * @param sys the binding
     * @param count loops to start
     * @param causeOut receives the setup failure, if any
     * @return the io_uring loops, or the selector loops when {@code probed} is not null or a ring cannot be set up
     */
    static EventLoops choose(Throwable probed, Syscalls sys, int count, Throwable[] causeOut) {
        if (probed != null) {
            causeOut[0] = probed;
            return EventLoops.selector();
        }
        List<EventLoop> loops = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                loops.add(new UringEventLoop(sys, i + 1));
            }
        } catch (IOException | RuntimeException e) {
            // Loops already started stay idle (their threads wait for nothing); none is handed out.
            causeOut[0] = e;
            return EventLoops.selector();
        }
        return EventLoops.of(NAME, loops);
    }

    private static final class Holder {
        static final EventLoops GROUP;
        static final Throwable CAUSE;

        static {
            Throwable[] cause = new Throwable[1];
            Throwable probed = Linux.isAvailable() ? IoUringProbe.unavailabilityCause() : Linux.unavailabilityCause();
            GROUP = choose(probed, probed == null ? Native.syscalls() : null,
                    Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), cause);
            CAUSE = cause[0];
            if (CAUSE != null && probed == null) { // the probe logged its own cause once
                System.getLogger(Linux.class.getPackageName()).log(Level.WARNING,
                        "zerocopy-linux: io_uring event loops cannot be set up; the selector loops serve: " + CAUSE);
            }
        }
    }
}

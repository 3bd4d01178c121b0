package io.zerocopy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;

import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * {@code transferTo}: {@link FileChannel#transferTo} from a file source to a file or a
 * non-blocking channel (sendfile, or copy_file_range on newer JDKs, underneath on Linux). Each
 * call moves at most {@link #MAX_CHUNK} (8 MiB) bytes so that progress is reported on long
 * transfers; sendfile's own cap of 0x7ffff000 bytes a call is absorbed by the loop.
 *
 * <p>A blocking selectable target (a socket or pipe in blocking mode) is left to the next
 * strategy ({@link #BLOCKING_TARGET}): the JDK call would block inside the kernel where an
 * interrupt loses the count of bytes it sent (the JDK throws without it), an idle timeout
 * cannot reach it, and on JDK 17 to 21 a close from another thread does not end it
 * (JDK-8310902). A non-blocking target returns at once with what it took, so the engine
 * always knows the count and waits itself. A zero return before the end of the file means
 * the target accepted nothing: it is waited on. Asynchronously it steps ({@link TransferToStepper}).
 */
final class TransferToStrategy implements TransferStrategy {

    static final String NAME = "transferTo";
    static final long MAX_CHUNK = 8L << 20;

    /** Why this strategy leaves a blocking selectable target to the next one (see the class comment). */
    static final Outcome BLOCKING_TARGET = Outcome.unsupported(Outcome.Scope.TRANSFER,
            "a blocking target: FileChannel.transferTo would block where an interrupt loses the count"
                    + " and a timeout (or, before JDK 22, a close) cannot reach it");

    /**
     * For strategies that write through a JDK call: to a blocking socket or pipe that stops
     * reading, the call blocks inside the JDK, out of reach of the engine's idle timeout; with
     * a timeout set, a strategy that waits through the library (splice, or copy) serves instead.
     */
    static final Outcome BLOCKS_PAST_TIMEOUT = Outcome.unsupported(Outcome.Scope.TRANSFER,
            "a blocking target would block inside the JDK, out of reach of the idle timeout");

    /**
     * For strategies that trust a file's size: the file reports size 0 (a /proc file, say) so
     * only reading it to its end can tell what it holds; the next strategy does that.
     */
    static final Outcome SIZELESS_FILE = Outcome.unsupported(Outcome.Scope.TRANSFER,
            "the file reports size 0 (a special file such as /proc?): read it as a stream");

    /** @return true if a JDK write to this transfer's target would block out of the idle timeout's reach */
    static boolean blocksPastTimeout(Transfer t) {
        return isBlockingSelectable(t) && Waiter.of(t).idleTimeoutNanos() > 0;
    }

    private static boolean isBlockingSelectable(Transfer t) {
        return t.target() instanceof SelectableChannel && ((SelectableChannel) t.target()).isBlocking();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return source == ChannelKind.FILE;
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        FileChannel file = t.sourceFile();
        if (isBlockingSelectable(t)) {
            return BLOCKING_TARGET;
        }
        while (t.remaining() > 0) {
            long n = file.transferTo(t.position(), Math.min(t.remaining(), MAX_CHUNK), t.target());
            if (n > 0) {
                t.advance(n);
                continue;
            }
            long size = file.size();
            if (size == 0 && t.delivered() == 0) {
                return SIZELESS_FILE;
            }
            if (t.position() >= size) {
                return Outcome.COMPLETE;
            }
            t.awaitWritable();
        }
        return Outcome.COMPLETE;
    }

    /**
     * {@inheritDoc} A {@link TransferToStepper} to a file or a non-blocking selectable target;
     * null (run blocking) for any other target, whose {@code write} may block.
     */
    @Override
    public Stepper stepper(Transfer t) {
        return TransferToStepper.of(t);
    }

    @Override
    public String toString() {
        return NAME;
    }
}

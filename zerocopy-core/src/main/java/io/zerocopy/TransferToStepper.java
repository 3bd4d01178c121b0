package io.zerocopy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;

import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;

/**
 * {@link TransferToStrategy}'s non-blocking form: {@link FileChannel#transferTo} from the file at
 * {@link Transfer#position()} to a file, or to a selectable target in non-blocking mode, which
 * takes what its buffer has room for and returns at once. A step calls it until the target
 * takes less than asked ({@link Step#AWAIT_TARGET}; a file that ends there is found at the next
 * step), the transfer is complete, or {@link #stepBytes} were delivered ({@link Step#YIELD}):
 * {@link CopyStepper#STEP_BYTES} to a channel, {@link TransferToStrategy#MAX_CHUNK} to a file.
 * Reads the page cache, so {@link #blocksOnFileIo()}. Nothing is ever in flight: the count is
 * what the JDK returned, a fallback loses no byte, and {@link #close()} holds nothing.
 */
final class TransferToStepper implements Stepper {

    /**
     * Why a stepper gives up on a target that is not selectable (a file) and took nothing: there
     * is no readiness to wait for, and stepping again at once could spin; the next strategy tries.
     */
    static final Outcome FILE_TOOK_NOTHING = Outcome.unsupported(Outcome.Scope.TRANSFER,
            "the file target took nothing: there is no readiness to wait for");

    private final Transfer t;
    private final FileChannel file;
    private final long stepBytes;
    private final boolean selectable;

    private TransferToStepper(Transfer t) {
        this.t = t;
        this.file = t.sourceFile();
        this.selectable = t.target() instanceof SelectableChannel;
        this.stepBytes = t.target() instanceof FileChannel ? TransferToStrategy.MAX_CHUNK : CopyStepper.STEP_BYTES;
    }

    /** @return a stepper, or null if a write to the target could block ({@link CopyStepper#writesWithoutWaiting}) */
    static TransferToStepper of(Transfer t) {
        return CopyStepper.writesWithoutWaiting(t.target()) ? new TransferToStepper(t) : null;
    }

    @Override
    public boolean blocksOnFileIo() {
        return true;
    }

    @Override
    public Step step() throws IOException {
        long budget = stepBytes;
        while (t.remaining() > 0) {
            if (budget <= 0) {
                return Step.YIELD;
            }
            long ask = Math.min(t.remaining(), budget);
            long n = file.transferTo(t.position(), ask, t.target());
            if (n > 0) {
                t.advance(n);
                budget -= n;
                if (n < ask && selectable) {
                    return Step.AWAIT_TARGET; // the target's buffer is full, or the file ends here (the next step sees 0)
                }
                continue;
            }
            long size = file.size();
            if (size == 0 && t.delivered() == 0) {
                return Step.fallback(TransferToStrategy.SIZELESS_FILE);
            }
            if (t.position() >= size) {
                return Step.COMPLETE;
            }
            if (!selectable) {
                return Step.fallback(FILE_TOOK_NOTHING); // waiting for a file would spin
            }
            return Step.AWAIT_TARGET; // the target took nothing
        }
        return Step.COMPLETE;
    }

    @Override
    public void close() {
        // nothing held
    }

    @Override
    public String toString() {
        return TransferToStrategy.NAME + " stepper";
    }
}

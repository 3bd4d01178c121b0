package io.zerocopy;

import java.io.IOException;
import java.nio.channels.FileChannel;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * {@code mmap}: maps the source file in bounded read-only windows and writes each window to the
 * target straight from the mapping. Every window is unmapped before the next is mapped, on
 * success and on failure, so at most one window per transfer is mapped at any time (see
 * {@link Mapper} for how, per JDK).
 *
 * <p>A file truncated under the mapping: a descriptor-backed target gets {@code EFAULT} from
 * the kernel, surfacing as an {@code IOException}; a target that copies from the buffer in Java
 * takes the JVM's {@code InternalError} for the fault, which is turned into an
 * {@code IOException} here.
 */
final class MmapStrategy implements TransferStrategy {

    static final String NAME = "mmap";

    private final long windowSize;

    MmapStrategy(long windowSize) {
        this.windowSize = windowSize;
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
        if (TransferToStrategy.blocksPastTimeout(t)) {
            return TransferToStrategy.BLOCKS_PAST_TIMEOUT;
        }
        FileChannel file = t.sourceFile();
        while (t.remaining() > 0) {
            long size = file.size();
            if (size == 0 && t.delivered() == 0) {
                return TransferToStrategy.SIZELESS_FILE;
            }
            long available = size - t.position();
            if (available <= 0) {
                return Outcome.COMPLETE;
            }
            long window = Math.min(Math.min(t.remaining(), windowSize), available);
            try (Mapper.Window map = Mapper.map(file, t.position(), window)) {
                t.writeFully(map.buffer());
            } catch (InternalError e) {
                throw fault(t, e);
            }
        }
        return Outcome.COMPLETE;
    }

    /** @return the exception for the JVM's fault on a mapped source (a file truncated under the mapping) */
    static IOException fault(Transfer t, InternalError e) {
        return new IOException("fault reading mapped source at position " + t.position()
                + " (file truncated during the transfer?)", e);
    }

    /**
     * {@inheritDoc} A {@link MmapStepper}, which maps one window per step, to a file or a
     * non-blocking selectable target; null (run blocking) for any other target.
     */
    @Override
    public Stepper stepper(Transfer t) {
        return MmapStepper.of(t, windowSize);
    }

    @Override
    public String toString() {
        return NAME + "(window=" + windowSize + ", unmap=" + Mapper.method() + ")";
    }
}

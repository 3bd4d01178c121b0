package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;

import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;

/**
 * {@link MmapStrategy}'s non-blocking form: each step maps one window of the file at
 * {@link Transfer#position()} (at most the strategy's window size), writes it to a file or a
 * non-blocking selectable target until the target takes nothing ({@link Step#AWAIT_TARGET}; a
 * file that takes nothing: {@link TransferToStepper#FILE_TOOK_NOTHING}, a fallback) or
 * the window is out ({@link Step#YIELD}, or {@link Step#COMPLETE}), and unmaps it before it
 * returns, also when it throws. No mapping outlives a step, so none is held while the transfer
 * waits, and every window is used and unmapped by the thread that mapped it (a JDK 22+
 * confined arena requires it; see {@link Mapper}). Touches the mapped file, so
 * {@link #blocksOnFileIo()}. Nothing is ever in flight: the bytes not written are read again
 * from the file, and {@link #close()} holds nothing.
 */
final class MmapStepper implements Stepper {

    private final Transfer t;
    private final FileChannel file;
    private final long windowSize;
    private final boolean selectable;

    private MmapStepper(Transfer t, long windowSize) {
        this.t = t;
        this.selectable = t.target() instanceof SelectableChannel;
        this.file = t.sourceFile();
        this.windowSize = windowSize;
    }

    /** @return a stepper, or null if a write to the target could block ({@link CopyStepper#writesWithoutWaiting}) */
    static MmapStepper of(Transfer t, long windowSize) {
        return CopyStepper.writesWithoutWaiting(t.target()) ? new MmapStepper(t, windowSize) : null;
    }

    @Override
    public boolean blocksOnFileIo() {
        return true;
    }

    @Override
    public Step step() throws IOException {
        if (t.remaining() == 0) {
            return Step.COMPLETE;
        }
        long size = file.size();
        if (size == 0 && t.delivered() == 0) {
            return Step.fallback(TransferToStrategy.SIZELESS_FILE);
        }
        long available = size - t.position();
        if (available <= 0) {
            return Step.COMPLETE;
        }
        long window = Math.min(Math.min(t.remaining(), windowSize), available);
        try (Mapper.Window map = Mapper.map(file, t.position(), window)) {
            ByteBuffer b = map.buffer();
            while (b.hasRemaining()) {
                int before = b.position();
                int n;
                try {
                    n = t.target().write(b);
                } catch (IOException e) {
                    t.advance(b.position() - before); // what the target took before it failed
                    throw e;
                }
                if (n == 0) {
                    return selectable ? Step.AWAIT_TARGET : Step.fallback(TransferToStepper.FILE_TOOK_NOTHING);
                }
                t.advance(n);
            }
        } catch (InternalError e) {
            throw MmapStrategy.fault(t, e);
        }
        return t.remaining() == 0 ? Step.COMPLETE : Step.YIELD;
    }

    @Override
    public void close() {
        // nothing held: every window is unmapped within its step
    }

    @Override
    public String toString() {
        return MmapStrategy.NAME + " stepper (window=" + windowSize + ")";
    }
}

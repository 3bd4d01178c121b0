package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectableChannel;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;

/**
 * The {@code copy} loop in non-blocking steps: reads into the transfer's pooled buffer and
 * writes it out, at most {@value #STEP_BYTES} bytes a step; a memory source by gathering
 * writes. Made only where no call can block on a peer: each end a file, or a selectable
 * channel in non-blocking mode. Bytes read from a stream source and not yet written are
 * reported undelivered on {@link #close()}.
 */
final class CopyStepper implements Stepper {

    static final int STEP_BYTES = 1 << 20;

    private final Transfer t;
    private final FileChannel file;
    private ByteBuffer buf;

    private CopyStepper(Transfer t) {
        this.t = t;
        this.file = t.sourceKind() == ChannelKind.FILE ? t.sourceFile() : null;
    }

    /** @return a stepper, or null if a call on an end could block */
    static CopyStepper of(Transfer t) {
        boolean sourceOk = t.sourceKind() == ChannelKind.FILE || t.sourceKind() == ChannelKind.MEMORY
                || nonBlocking(t.source());
        return sourceOk && writesWithoutWaiting(t.target()) ? new CopyStepper(t) : null;
    }

    /**
     * @return true if no write to {@code target} waits on a peer: a file channel with a position
     *     (so not one opened on a FIFO, whose writes wait for its reader), or a selectable channel
     *     in non-blocking mode; false for a blocking one and for any other channel
     */
    static boolean writesWithoutWaiting(Object target) {
        if (target instanceof FileChannel) {
            try {
                ((FileChannel) target).position();
                return true;
            } catch (IOException e) {
                return false; // no position: a FIFO or a terminal
            }
        }
        return nonBlocking(target);
    }

    private static boolean nonBlocking(Object channel) {
        return channel instanceof SelectableChannel && !((SelectableChannel) channel).isBlocking();
    }

    @Override
    public boolean blocksOnFileIo() {
        return file != null || t.target() instanceof FileChannel;
    }

    @Override
    public Step step() throws IOException {
        if (t.sourceKind() == ChannelKind.MEMORY) {
            return writeBuffers();
        }
        long budget = STEP_BYTES;
        if (buf == null) {
            buf = t.buffer();
            buf.clear().limit(0);
        }
        while (true) {
            if (buf.hasRemaining()) {
                int n = t.target().write(buf);
                if (n > 0) {
                    t.advance(n);
                    budget -= n;
                }
                if (buf.hasRemaining()) {
                    return n > 0 && budget > 0 ? Step.YIELD : Step.AWAIT_TARGET;
                }
            }
            if (t.remaining() == 0) {
                return Step.COMPLETE;
            }
            if (budget <= 0) {
                return Step.YIELD;
            }
            buf.clear();
            buf.limit((int) Math.min(t.remaining(), buf.capacity()));
            int n = file != null ? file.read(buf, t.position()) : t.source().read(buf);
            if (n < 0 || n == 0 && file != null) {
                buf.limit(0);
                return Step.COMPLETE;
            }
            buf.flip();
            if (n == 0) {
                return Step.AWAIT_SOURCE;
            }
        }
    }

    private Step writeBuffers() throws IOException {
        ByteBuffer[] srcs = t.sourceBuffers();
        GatheringByteChannel out = t.target() instanceof GatheringByteChannel ? (GatheringByteChannel) t.target() : null;
        long budget = STEP_BYTES;
        int first = 0;
        while (t.remaining() > 0) {
            while (!srcs[first].hasRemaining()) {
                first++;
            }
            long n = out != null ? out.write(srcs, first, srcs.length - first) : t.target().write(srcs[first]);
            if (n <= 0) {
                return Step.AWAIT_TARGET;
            }
            t.advance(n);
            budget -= n;
            if (budget <= 0 && t.remaining() > 0) {
                return Step.YIELD;
            }
        }
        return Step.COMPLETE;
    }

    @Override
    public void close() {
        if (buf != null && buf.hasRemaining() && file == null && t.sourceKind() != ChannelKind.MEMORY) {
            t.undelivered(buf.remaining()); // read from a stream, never written
        }
        buf = null;
    }
}

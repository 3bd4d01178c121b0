package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * {@code copy}: the traditional loop, reading into the engine's pooled direct buffer and
 * writing it out; for a memory source, a gathering write straight from the caller's buffers.
 * Serves every pair; the selector's choice below the size threshold and the last resort of
 * every chain.
 */
final class CopyStrategy implements TransferStrategy {

    static final String NAME = "copy";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return true;
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        if (t.sourceKind() == ChannelKind.MEMORY) {
            return writeBuffers(t);
        }
        ByteBuffer buf = t.buffer();
        FileChannel file = t.sourceKind() == ChannelKind.FILE ? t.sourceFile() : null;
        while (t.remaining() > 0) {
            buf.clear();
            buf.limit((int) Math.min(t.remaining(), buf.capacity()));
            int n = file != null ? file.read(buf, t.position()) : t.source().read(buf);
            if (n < 0) {
                return Outcome.COMPLETE;
            }
            if (n == 0) {
                if (file != null) {
                    return Outcome.COMPLETE;
                }
                t.awaitReadable();
                continue;
            }
            buf.flip();
            try {
                t.writeFully(buf);
            } catch (IOException | RuntimeException e) {
                if (file == null) {
                    t.undelivered(buf.remaining()); // read from a stream, so gone with the buffer
                }
                throw e;
            }
        }
        return Outcome.COMPLETE;
    }

    /** Memory sources need no intermediate buffer: a gathering write straight from the caller's buffers. */
    private static Outcome writeBuffers(Transfer t) throws IOException {
        ByteBuffer[] srcs = t.sourceBuffers();
        if (t.target() instanceof GatheringByteChannel) {
            GatheringByteChannel out = (GatheringByteChannel) t.target();
            int first = 0;
            while (t.remaining() > 0) {
                while (!srcs[first].hasRemaining()) {
                    first++;
                }
                long n = out.write(srcs, first, srcs.length - first);
                if (n > 0) {
                    t.advance(n);
                } else {
                    t.awaitWritable();
                }
            }
        } else {
            for (ByteBuffer b : srcs) {
                t.writeFully(b);
            }
        }
        return Outcome.COMPLETE;
    }

    @Override
    public String toString() {
        return NAME;
    }
}

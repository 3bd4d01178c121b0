package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;

import io.zerocopy.internal.Waiter;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * {@code copy}: the traditional loop, reading into the engine's pooled direct buffer and
 * writing it out; for a memory source, a gathering write straight from the caller's buffers.
 * Serves every pair; the selector's choice below the size threshold and the last resort of
 * every chain.
 *
 * <p>With an idle timeout, a read from a blocking stream and a write to a blocking target are
 * guarded by the waiter's watchdog: a call that outlasts the deadline has its channel closed
 * and the transfer ends with the timeout. Progress is seen per buffer (64 KiB by default): a
 * blocking write of one buffer must finish within the timeout.
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
        Waiter waiter = Waiter.of(t);
        Waiter guard = file == null && waiter.guards(t.source()) ? waiter : null;
        while (t.remaining() > 0) {
            buf.clear();
            buf.limit((int) Math.min(t.remaining(), buf.capacity()));
            int n = file != null ? file.read(buf, t.position()) : guard != null ? guardedRead(t, buf, guard) : t.source().read(buf);
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

    /** @return the copy loop in non-blocking steps, where no call on an end can block ({@link CopyStepper}) */
    @Override
    public Stepper stepper(Transfer t) {
        return CopyStepper.of(t);
    }

    /** A read from a blocking stream with an idle timeout: the watchdog ends it past the deadline. */
    private static int guardedRead(Transfer t, ByteBuffer buf, Waiter guard) throws IOException {
        guard.beforeBlockingCall(t.source());
        int n;
        try {
            n = t.source().read(buf);
        } catch (IOException e) {
            throw guard.blockingCallFailed(e);
        }
        try {
            guard.afterBlockingCall();
        } catch (IOException e) {
            if (n > 0) {
                t.undelivered(n); // read, then the channel was closed for the timeout: never written
            }
            throw e;
        }
        return n;
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

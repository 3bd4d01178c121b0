package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * {@code transferFrom}: {@link FileChannel#transferFrom} from a blocking stream source into a
 * file target. Not in the default order ahead of {@code copy}: on JDK 17 it copies from a
 * non-file source through an 8 KiB buffer. Select it by name to use it. Its blocking form refuses
 * non-blocking sources, which it would have to wait on; its non-blocking form
 * ({@link TransferFromStepper}, for the asynchronous API and the event-loop form) serves them,
 * telling a source with nothing now from its end with a one-byte read.
 *
 * <p>When the target fails (a full disk, say), the bytes delivered are exact: a JDK call that wrote
 * some bytes returns their count and only the next call throws. But the JDK drops what it read
 * into its own 8 KiB buffer and could not write, in both calls, so up to 16 KiB read from the
 * source are lost without being counted as undelivered. {@code copy} counts them.
 */
final class TransferFromStrategy implements TransferStrategy {

    static final String NAME = "transferFrom";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return target == ChannelKind.FILE && source != ChannelKind.FILE;
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        if (t.source() instanceof SelectableChannel && !((SelectableChannel) t.source()).isBlocking()) {
            return Outcome.unsupported(Outcome.Scope.TRANSFER, "transferFrom cannot read a non-blocking source");
        }
        FileChannel out = t.targetFile();
        while (t.remaining() > 0) {
            long at = out.position();
            long n = out.transferFrom(t.source(), at, Math.min(t.remaining(), TransferToStrategy.MAX_CHUNK));
            if (n > 0) {
                out.position(at + n);
                t.advance(n);
            } else if (endOfStream(t, out, at)) {
                return Outcome.COMPLETE;
            }
        }
        return Outcome.COMPLETE;
    }

    /** {@inheritDoc} A {@link TransferFromStepper} from a non-blocking selectable source; null (run blocking) otherwise. */
    @Override
    public Stepper stepper(Transfer t) {
        return TransferFromStepper.of(t);
    }

    /**
     * transferFrom returns 0 both at the end of the stream and when the source gave nothing
     * this time (a channel that may return 0): one read of one byte tells them apart, and a
     * byte read is delivered at once.
     *
     * @return true at the end of the stream
     */
    private static boolean endOfStream(Transfer t, FileChannel out, long at) throws IOException {
        ByteBuffer one = t.buffer();
        one.clear().limit(1);
        int r = t.source().read(one);
        if (r < 0) {
            return true;
        }
        if (r == 0) {
            t.awaitReadable();
            return false;
        }
        out.position(at);
        t.writeFully(one.flip());
        return false;
    }

    @Override
    public String toString() {
        return NAME;
    }
}

package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;

import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;
import io.zerocopy.spi.Transfer;

/**
 * {@link TransferFromStrategy}'s non-blocking form: {@link FileChannel#transferFrom} from a
 * selectable source in non-blocking mode into the file target at its channel position, which is
 * left advanced by the bytes delivered. The JDK call reads until the source has nothing and
 * returns what it wrote, 0 both when the source has nothing now and at its end of stream; a
 * step then reads one byte to tell them apart: none ({@link Step#AWAIT_SOURCE}), the end
 * ({@link Step#COMPLETE}, also before the count asked for: a short source makes a short
 * transfer, as in the blocking form), or a byte, written at once at the target's position. A
 * step delivers at most {@link CopyStepper#STEP_BYTES} (then {@link Step#YIELD}). Writes the
 * file, so {@link #blocksOnFileIo()}.
 *
 * <p>In flight: only the one byte, between its read and its write; if that write fails the byte
 * is reported undelivered. What the JDK reads into its own buffer and cannot write when the file
 * fails is lost uncounted, as in the blocking form ({@link TransferFromStrategy}).
 */
final class TransferFromStepper implements Stepper {

    private final Transfer t;
    private final FileChannel out;
    private final ByteBuffer one = ByteBuffer.allocate(1);

    private TransferFromStepper(Transfer t) {
        this.t = t;
        this.out = t.targetFile();
    }

    /** @return a stepper, or null if a read of the source could block (not a non-blocking selectable channel) */
    static TransferFromStepper of(Transfer t) {
        boolean nonBlocking = t.source() instanceof SelectableChannel && !((SelectableChannel) t.source()).isBlocking();
        return nonBlocking ? new TransferFromStepper(t) : null;
    }

    @Override
    public boolean blocksOnFileIo() {
        return true;
    }

    @Override
    public Step step() throws IOException {
        long budget = CopyStepper.STEP_BYTES;
        while (t.remaining() > 0) {
            if (budget <= 0) {
                return Step.YIELD;
            }
            long at = out.position();
            long n = out.transferFrom(t.source(), at, Math.min(t.remaining(), budget));
            if (n > 0) {
                out.position(at + n);
                t.advance(n);
                budget -= n;
                continue;
            }
            one.clear();
            int r = t.source().read(one);
            if (r < 0) {
                return Step.COMPLETE;
            }
            if (r == 0) {
                return Step.AWAIT_SOURCE;
            }
            one.flip();
            try {
                while (one.hasRemaining()) {
                    out.write(one, at);
                }
            } catch (IOException e) {
                t.undelivered(1); // read from the stream, never written
                throw e;
            }
            out.position(at + 1);
            t.advance(1);
            budget--;
        }
        return Step.COMPLETE;
    }

    @Override
    public void close() {
        // nothing held between steps
    }

    @Override
    public String toString() {
        return TransferFromStrategy.NAME + " stepper";
    }
}

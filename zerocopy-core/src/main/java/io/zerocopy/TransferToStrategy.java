package io.zerocopy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;

/**
 * {@code transferTo}: {@link FileChannel#transferTo} from a file source to any target
 * (sendfile, or copy_file_range on newer JDKs, underneath on Linux). Each call moves at most
 * {@link #MAX_CHUNK} (8 MiB) bytes so that progress is reported on long transfers; sendfile's own cap
 * of 0x7ffff000 bytes a call is absorbed by the loop.
 *
 * <p>A zero return before the end of the file means the target accepted nothing: a
 * non-blocking or non-selectable target is waited on; a blocking selectable target that does
 * this is handed to the next strategy.
 */
final class TransferToStrategy implements TransferStrategy {

    static final String NAME = "transferTo";
    static final long MAX_CHUNK = 8L << 20;

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
        boolean blockingTarget = t.target() instanceof SelectableChannel
                && ((SelectableChannel) t.target()).isBlocking();
        while (t.remaining() > 0) {
            long n = file.transferTo(t.position(), t.nextChunk(MAX_CHUNK), t.target());
            if (n > 0) {
                t.advance(n);
                continue;
            }
            long size = file.size();
            if (size == 0 && t.delivered() == 0) {
                return Outcome.SIZELESS_FILE;
            }
            if (t.position() >= size) {
                return Outcome.COMPLETE;
            }
            if (blockingTarget) {
                return Outcome.unsupported(Outcome.Scope.TRANSFER,
                        "FileChannel.transferTo moved no bytes at position " + t.position() + " of a longer file");
            }
            t.awaitWritable();
        }
        return Outcome.COMPLETE;
    }

    @Override
    public String toString() {
        return NAME;
    }
}

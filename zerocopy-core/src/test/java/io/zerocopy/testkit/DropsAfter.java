package io.zerocopy.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A source that gives {@code room} bytes of another channel, then fails every read, as a
 * connection that drops does: the reading counterpart of {@link FillsUpAfter}. A read that
 * would cross the limit returns the bytes up to it; the next one fails.
 */
public final class DropsAfter implements ReadableByteChannel {

    private final ReadableByteChannel in;
    private long room;

    /**
     * @param in the channel read until the drop
     * @param room bytes given before reads fail
     */
    public DropsAfter(ReadableByteChannel in, long room) {
        this.in = in;
        this.room = room;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (room <= 0) {
            throw new IOException("Connection reset (simulated)");
        }
        ByteBuffer part = dst.duplicate();
        part.limit(part.position() + (int) Math.min(room, dst.remaining()));
        int n = in.read(part);
        dst.position(part.position());
        if (n > 0) {
            room -= n;
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return in.isOpen();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

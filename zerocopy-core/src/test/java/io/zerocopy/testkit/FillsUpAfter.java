package io.zerocopy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** A target that takes {@code room} bytes, then fails every write, as a device that runs out of space does. */
public final class FillsUpAfter implements WritableByteChannel {

    private final ByteArrayOutputStream taken;
    private long room;

    /**
     * @param room bytes accepted before writes fail
     * @param keep whether to keep the bytes taken, for {@link #taken()}
     */
    public FillsUpAfter(long room, boolean keep) {
        this.room = room;
        this.taken = keep ? new ByteArrayOutputStream() : null;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (room <= 0) {
            throw new IOException("No space left on device (simulated)");
        }
        int n = (int) Math.min(room, src.remaining());
        if (taken != null) {
            byte[] b = new byte[n];
            src.get(b);
            taken.write(b);
        } else {
            src.position(src.position() + n);
        }
        room -= n;
        return n;
    }

    /** @return the bytes taken, if kept */
    public byte[] taken() {
        return taken.toByteArray();
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() { }
}

package io.zerocopy;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The stream forms' endpoints: a stream the engine can reach the file of becomes that file's
 * channel; any other stream is read or written through a channel view, which the strategies
 * see as {@link io.zerocopy.spi.ChannelKind#CHANNEL}: no descriptor, so the strategies that
 * serve it read or write it through the view (the copy loop; for a file source,
 * {@code transferTo} or {@code mmap}, which hand the view the file's bytes).
 *
 * <p>Unwrapped, through public API only: a {@link FileInputStream} or {@link FileOutputStream}
 * of exactly that class ({@code getChannel()}, whose position is the stream's position). A
 * subclass may override {@code read} or {@code write}, so it is not unwrapped, as
 * {@code Channels.newChannel} does. Not unwrapped: the streams of a {@code Socket} (even one
 * with a channel), {@code Files.newInputStream}/{@code newOutputStream} and
 * {@code Channels.newInputStream}/{@code newOutputStream}: their classes are internal to the
 * JDK ({@code sun.nio.ch}) and offer no way back to the channel without reflection into a
 * module that is not open; and any filter stream (a {@code BufferedInputStream} may hold
 * bytes already read from its file).
 *
 * <p>The views are not {@code Channels.newChannel}'s: those move at most 8 KiB a call through
 * a buffer of their own, where a view reads into or writes from the engine's buffer directly.
 *
 * <p>A view never closes its stream, except when the idle timeout's watchdog closes the view
 * to end a read or write blocked past the deadline: the only way to end such a call.
 */
final class Streams {

    private Streams() { }

    /** @return the stream's file channel, or a view of the stream */
    static ReadableByteChannel source(InputStream in) {
        if (in.getClass() == FileInputStream.class) {
            return ((FileInputStream) in).getChannel();
        }
        return new Source(in);
    }

    /** @return the stream's file channel, or a view of the stream */
    static WritableByteChannel target(OutputStream out) {
        if (out.getClass() == FileOutputStream.class) {
            return ((FileOutputStream) out).getChannel();
        }
        return new Target(out);
    }

    /**
     * Scratch array for a direct buffer: one per view, at most the first request's size (the
     * engine's chunk), allocated on first need. Heap buffers are read or written in place.
     */
    private abstract static class View {
        private byte[] scratch;
        private volatile boolean open = true;

        final byte[] scratch(int wanted) {
            if (scratch == null || scratch.length < Math.min(wanted, 1 << 16)) {
                scratch = new byte[Math.min(wanted, 1 << 16)];
            }
            return scratch;
        }

        final void ensureOpen() throws ClosedChannelException {
            if (!open) {
                throw new ClosedChannelException();
            }
        }

        public final boolean isOpen() {
            return open;
        }

        final boolean markClosed() {
            boolean was = open;
            open = false;
            return was;
        }
    }

    /** An {@link InputStream} read as a channel. */
    private static final class Source extends View implements ReadableByteChannel {
        private final InputStream in;

        Source(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            ensureOpen();
            int len = dst.remaining();
            if (len == 0) {
                return 0;
            }
            if (dst.hasArray()) {
                int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), len);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
            byte[] b = scratch(len);
            int n = in.read(b, 0, Math.min(len, b.length));
            if (n > 0) {
                dst.put(b, 0, n);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            if (markClosed()) {
                in.close();
            }
        }

        @Override
        public String toString() {
            return "stream " + in;
        }
    }

    /** An {@link OutputStream} written as a channel; every write takes all it is given. */
    private static final class Target extends View implements WritableByteChannel {
        private final OutputStream out;

        Target(OutputStream out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            ensureOpen();
            int len = src.remaining();
            if (src.hasArray()) {
                out.write(src.array(), src.arrayOffset() + src.position(), len);
                src.position(src.position() + len);
                return len;
            }
            byte[] b = scratch(len);
            int written = 0;
            while (written < len) {
                int n = Math.min(len - written, b.length);
                src.get(b, 0, n);
                try {
                    out.write(b, 0, n);
                } catch (IOException e) {
                    src.position(src.position() - n);
                    if (written > 0) {
                        return written;
                    }
                    throw e;
                }
                written += n;
            }
            return written;
        }

        @Override
        public void close() throws IOException {
            if (markClosed()) {
                out.close();
            }
        }

        @Override
        public String toString() {
            return "stream " + out;
        }
    }
}

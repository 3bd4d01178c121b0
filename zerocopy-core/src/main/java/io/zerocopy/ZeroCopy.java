package io.zerocopy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry point: moves bytes between files, sockets, pipes and other channels by the cheapest
 * path available, falling back without losing or repeating a byte. The static methods use a
 * shared default {@link TransferEngine} (all strategies found on the class path, default
 * settings); {@link #builder()} configures another.
 *
 * <pre>{@code
 * long n = ZeroCopy.transfer(Path.of("in.bin"), Path.of("out.bin"));
 * long m = ZeroCopy.transfer(fileChannel, 0, fileChannel.size(), socketChannel);
 * }</pre>
 *
 * <p>Threads, timeouts and cancellation (every call, every engine; more in docs/threads.md):
 * <ul>
 *   <li>A call blocks its thread until the transfer ends. On a virtual thread the library's
 *       own waits park the virtual thread (zerocopy-linux waits on descriptors through one
 *       poller thread), so idle connections do not hold carrier threads.</li>
 *   <li>An interrupt, or a close of either channel by another thread, ends the transfer
 *       within about 100 ms wherever the library waits or copies: then a
 *       {@link TransferException} gives {@link TransferException#bytesDelivered()} exactly,
 *       its cause the NIO exception ({@code ClosedByInterruptException} closes both channels).
 *       The library never calls {@code FileChannel.transferTo} on a blocking socket or pipe,
 *       which neither a close (before JDK 22) nor a timeout could end; an interrupt that lands
 *       inside one of its calls to a file or non-blocking channel loses that call's bytes (8 MiB
 *       at most) from the count. After an asynchronous close the count may be a lower
 *       bound.</li>
 *   <li>{@link TransferEngine.Builder#idleTimeout} and
 *       {@link TransferEngine#withIdleTimeout} end a transfer in which no byte moves for a
 *       time with a {@link TransferTimeoutException}; the channels stay open, except a
 *       blocking channel on which the copy loop was blocked inside the JDK: the library's
 *       watchdog closes it, the only way to end that call.</li>
 *   <li>Other threads using the same channels: while zerocopy-linux sends to or splices a
 *       socket or pipe channel, that channel's open file description is in non-blocking mode
 *       (Linux offers splice no per-call non-blocking flag for sockets). Another thread's blocking read of
 *       the channel still blocks as usual, but its blocking write may return after writing
 *       part of its buffer: write in a loop until the buffer is empty, or do not write to a
 *       channel from another thread while a transfer writes to it. The mode is restored when
 *       the last transfer on the channel ends.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class ZeroCopy {

    private ZeroCopy() { }

    /** @return a builder for a configured engine */
    public static TransferEngine.Builder builder() {
        return new TransferEngine.Builder();
    }

    /** @return the shared default engine, created on first use */
    public static TransferEngine defaultEngine() {
        return DefaultEngine.INSTANCE;
    }

    /**
     * Copies a file. See {@link TransferEngine#transfer(Path, Path)}.
     *
     * <p>While it runs, another thread's blocking write to the same socket or pipe channel may
     * return after writing part of its buffer; interrupts, closes from another thread and idle
     * timeouts end it with the exact count. See the class comment, "Threads".
     *
     * @param source the file to read
     * @param target the file to create (with the source's permission bits) or truncate and write
     * @return the bytes copied
     * @throws IOException if the copy fails; a {@link TransferException} says how far it got
     */
    public static long transfer(Path source, Path target) throws IOException {
        return DefaultEngine.INSTANCE.transfer(source, target);
    }

    /**
     * Copies a file with {@code Files.copy}'s meaning of the options
     * ({@code REPLACE_EXISTING}, {@code COPY_ATTRIBUTES}, {@code NOFOLLOW_LINKS}). See
     * {@link TransferEngine#transfer(Path, Path, CopyOption...)}.
     *
     * <pre>{@code
     * ZeroCopy.transfer(src, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
     * }</pre>
     *
     * @param source the file to read
     * @param target the file to create
     * @param options how to copy
     * @return the bytes copied
     * @throws FileAlreadyExistsException if the target exists and {@code REPLACE_EXISTING} is not given
     * @throws UnsupportedOperationException for {@code ATOMIC_MOVE} or an unknown option
     * @throws IOException if the copy fails (the target then deleted); a {@link TransferException}
     *     says how far it got
     */
    public static long transfer(Path source, Path target, CopyOption... options) throws IOException {
        return DefaultEngine.INSTANCE.transfer(source, target, options);
    }

    /**
     * Moves everything until the source's end of stream. See
     * {@link TransferEngine#transfer(ReadableByteChannel, WritableByteChannel)}.
     *
     * <p>While it runs, another thread's blocking write to the same socket or pipe channel may
     * return after writing part of its buffer; interrupts, closes from another thread and idle
     * timeouts end it with the exact count. See the class comment, "Threads".
     *
     * @param source the channel to read
     * @param target the channel to write
     * @return the bytes moved
     * @throws IOException if the transfer fails; a {@link TransferException} says how far it got
     */
    public static long transfer(ReadableByteChannel source, WritableByteChannel target) throws IOException {
        return DefaultEngine.INSTANCE.transfer(source, target);
    }

    /**
     * Starts a transfer until the source's end of stream without blocking the caller. See
     * {@link TransferEngine#transferAsync(ReadableByteChannel, WritableByteChannel)} and
     * {@link TransferFuture}.
     *
     * @param source the channel to read; not null, open
     * @param target the channel to write; not null, open, not the source
     * @return the transfer's future
     * @throws IOException if a channel's mode or a file's size cannot be read or set, or a channel is closed
     */
    public static TransferFuture transferAsync(ReadableByteChannel source, WritableByteChannel target) throws IOException {
        return DefaultEngine.INSTANCE.transferAsync(source, target);
    }

    /**
     * Starts moving a region of a file without blocking the caller. See
     * {@link TransferEngine#transferAsync(FileChannel, long, long, WritableByteChannel)}.
     *
     * @param source the file; not null, open
     * @param position the first byte; {@code >= 0}
     * @param count the bytes to move; {@code >= 0}, {@code position + count} must not overflow
     * @param target the channel to write; not null, open, not the source
     * @return the transfer's future
     * @throws IOException if a channel's mode or the file's size cannot be read or set, or a channel is closed
     */
    public static TransferFuture transferAsync(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        return DefaultEngine.INSTANCE.transferAsync(source, position, count, target);
    }

    /**
     * Moves a region of a file. See
     * {@link TransferEngine#transfer(FileChannel, long, long, WritableByteChannel)}.
     *
     * <p>While it runs, another thread's blocking write to the same socket or pipe channel may
     * return after writing part of its buffer; interrupts, closes from another thread and idle
     * timeouts end it with the exact count. See the class comment, "Threads".
     *
     * @param source the file
     * @param position the first byte
     * @param count the bytes to move
     * @param target the channel to write
     * @return the bytes moved, fewer than {@code count} only if the file is shorter
     * @throws IOException if the transfer fails; a {@link TransferException} says how far it got
     */
    public static long transfer(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        return DefaultEngine.INSTANCE.transfer(source, position, count, target);
    }

    /**
     * Moves everything until the source's end of stream, by the channel path when the streams
     * are backed by files, through a pooled buffer otherwise. See
     * {@link TransferEngine#transfer(InputStream, OutputStream)}: which streams are unwrapped
     * (a {@code FileInputStream} or {@code FileOutputStream} of exactly that class; not a
     * {@code BufferedInputStream}, a socket's streams or {@code Files.newInputStream}), and the
     * positions after the call. Neither stream is closed.
     *
     * @param source the stream to read
     * @param target the stream to write
     * @return the bytes moved
     * @throws IOException if the transfer fails; a {@link TransferException} says how far it got
     */
    public static long transfer(InputStream source, OutputStream target) throws IOException {
        return DefaultEngine.INSTANCE.transfer(source, target);
    }

    /**
     * Moves a region of a file to a stream, such as a servlet response. See
     * {@link TransferEngine#transfer(FileChannel, long, long, OutputStream)}.
     *
     * @param source the file
     * @param position the first byte
     * @param count the bytes to move
     * @param target the stream to write; not closed
     * @return the bytes moved, fewer than {@code count} only if the file is shorter
     * @throws IOException if the transfer fails; a {@link TransferException} says how far it got
     */
    public static long transfer(FileChannel source, long position, long count, OutputStream target)
            throws IOException {
        return DefaultEngine.INSTANCE.transfer(source, position, count, target);
    }

    /**
     * Moves a whole file to a channel. See {@link TransferEngine#transfer(Path, WritableByteChannel)}.
     *
     * @param source the file to read
     * @param target the channel to write; not closed
     * @return the bytes moved
     * @throws IOException if the transfer fails; a {@link TransferException} says how far it got
     */
    public static long transfer(Path source, WritableByteChannel target) throws IOException {
        return DefaultEngine.INSTANCE.transfer(source, target);
    }

    /**
     * Moves a whole file to a stream. See {@link TransferEngine#transfer(Path, OutputStream)}.
     *
     * @param source the file to read
     * @param target the stream to write; not closed
     * @return the bytes moved
     * @throws IOException if the transfer fails; a {@link TransferException} says how far it got
     */
    public static long transfer(Path source, OutputStream target) throws IOException {
        return DefaultEngine.INSTANCE.transfer(source, target);
    }

    /**
     * Writes buffers to a channel. See {@link TransferEngine#send(ByteBuffer[], WritableByteChannel)}.
     *
     * @param buffers the bytes
     * @param target the channel to write
     * @return the bytes written
     * @throws IOException if writing fails; a {@link TransferException} says how far it got
     */
    public static long send(ByteBuffer[] buffers, WritableByteChannel target) throws IOException {
        return DefaultEngine.INSTANCE.send(buffers, target);
    }

    /**
     * Delivers one source to many targets, reading it once. See
     * {@link TransferEngine#broadcast(ReadableByteChannel, List)}.
     *
     * @param source the channel to read
     * @param targets the channels to write
     * @return per-target counts and failures
     * @throws IOException if the broadcast fails; a {@link BroadcastException} has the per-target counts
     */
    public static BroadcastResult broadcast(ReadableByteChannel source, List<? extends WritableByteChannel> targets)
            throws IOException {
        return DefaultEngine.INSTANCE.broadcast(source, targets);
    }

    /**
     * Delivers a region of a file to many targets. See
     * {@link TransferEngine#broadcast(FileChannel, long, long, List)}.
     *
     * @param source the file
     * @param position the first byte
     * @param count the bytes to deliver
     * @param targets the channels to write
     * @return per-target counts and failures
     * @throws IOException if the broadcast fails; a {@link BroadcastException} has the per-target counts
     */
    public static BroadcastResult broadcast(FileChannel source, long position, long count,
            List<? extends WritableByteChannel> targets) throws IOException {
        return DefaultEngine.INSTANCE.broadcast(source, position, count, targets);
    }

    private static final class DefaultEngine {
        static final TransferEngine INSTANCE = builder().build();
    }
}

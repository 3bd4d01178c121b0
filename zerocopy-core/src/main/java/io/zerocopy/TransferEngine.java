package io.zerocopy;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Preference;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.spi.TransferStrategyProvider;

/**
 * A configured transferer: which strategies it tries, in which order, the size below which it
 * copies, its buffers and listener. Build one with {@link ZeroCopy#builder()};
 * {@link ZeroCopy}'s static methods use a default instance.
 *
 * <p>Every {@code transfer} either delivers the bytes it returns and no more, or throws a
 * {@link TransferException} carrying the bytes delivered before the failure. When a strategy
 * cannot serve, the next continues from the exact byte reached; a strategy refused for the
 * whole engine (the path does not exist here) is not tried again. An unchecked exception from
 * a strategy is a bug in it and propagates unwrapped. A strategy that reports what it did not
 * do (a count out of the transfer's bounds, {@code COMPLETE} before a file or the caller's
 * buffers end: see {@link TransferStrategy}) ends the transfer with a
 * {@link TransferException} that names it. A listener cannot change a result
 * ({@link TransferListener}).
 *
 * <p>Every call blocks the calling thread until the transfer ends; non-blocking channels are
 * waited on (never busy-spun). Thread-safe: one engine serves any number of concurrent
 * transfers. Immutable apart from the memory of refused strategies.
 */
public final class TransferEngine {

    /** Default size threshold in bytes (8 KiB): smaller known sizes use the copy loop. */
    public static final long DEFAULT_THRESHOLD = Defaults.THRESHOLD;
    /** Default chunk (buffer) size of the copy loop (64 KiB). */
    public static final int DEFAULT_CHUNK_SIZE = Defaults.CHUNK_SIZE;

    private final Selection selection;
    private final FallbackChain chain;
    private final Broadcaster broadcaster;
    private final BufferPool buffers;

    private final TransferListener listener;
    private final long idleTimeoutNanos;
    private final EventLoops eventLoops;

    private TransferEngine(Selection selection, BufferPool buffers, TransferListener listener, Broadcaster broadcaster,
            long idleTimeoutNanos, EventLoops eventLoops) {
        this.selection = selection;
        this.eventLoops = eventLoops;
        this.buffers = buffers;
        this.broadcaster = broadcaster;
        this.listener = GuardedListener.of(listener);
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.chain = new FallbackChain(selection, buffers, this.listener, idleTimeoutNanos);
    }

    /**
     * Returns an engine that shares this one's strategies, buffers and memory of refused
     * strategies but reports to {@code listener}; for observing a single call.
     *
     * @param listener the listener; not null
     * @return the engine
     */
    public TransferEngine withListener(TransferListener listener) {
        return new TransferEngine(selection, buffers, Objects.requireNonNull(listener, "listener"), broadcaster,
                idleTimeoutNanos, eventLoops);
    }

    /**
     * Returns an engine that shares this one's strategies, buffers, listener and memory of
     * refused strategies but ends a transfer or broadcast in which no byte moves for
     * {@code timeout}; for calls that need their own limit on a shared engine.
     *
     * @param timeout positive; {@link Duration#ZERO} for no limit
     * @return the engine
     * @see Builder#idleTimeout(Duration)
     */
    public TransferEngine withIdleTimeout(Duration timeout) {
        long nanos = Checks.idleTimeout(timeout);
        return new TransferEngine(selection, buffers, listener, broadcaster.withIdleTimeout(nanos), nanos, eventLoops);
    }

    /** @return the loops this engine's asynchronous transfers run on ({@link Builder#eventLoops}) */
    public EventLoops eventLoops() {
        return eventLoops;
    }

    /** @return the names of the strategies, in the engine's order (before per-pair ranking) */
    public List<String> strategies() {
        return selection.names();
    }

    /**
     * @param source a source kind
     * @param target a target kind
     * @return the strategies a transfer of unknown size between these kinds tries, in order
     */
    public List<String> strategies(ChannelKind source, ChannelKind target) {
        return strategies(source, target, -1);
    }

    /**
     * The plan a transfer would follow now: the same selection that {@code transfer} uses,
     * including the threshold and the strategies refused for this engine.
     *
     * @param source a source kind
     * @param target a target kind
     * @param size a transfer size, or -1 for unknown
     * @return the names of the strategies tried for such a transfer, in order
     */
    public List<String> strategies(ChannelKind source, ChannelKind target, long size) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        return selection.plan(source, target, size);
    }

    /** @return the names of the broadcast strategies, in the order they are tried */
    public List<String> broadcastStrategies() {
        return broadcaster.names();
    }

    /** @return the size below which the copy loop is used */
    public long threshold() {
        return selection.threshold();
    }

    /**
     * Copies a file: creates the target or truncates it, then copies every byte the source has
     * when it is opened. A new target gets the source's permission bits, less the process's
     * umask (as {@code Files.copy} gives a new file); an existing target is written in place and
     * keeps its inode, owner and permission bits, and a link target is followed (where
     * {@code Files.copy} with {@code REPLACE_EXISTING} deletes the target and creates a new
     * file): {@code /dev/null}, a FIFO or a hard-linked file stay what they are. For
     * {@code Files.copy}'s meaning, see {@link #transfer(Path, Path, CopyOption...)}.
     *
     * @param source an existing regular file; not null
     * @param target the file to write; not null, not a directory, not the source
     * @return the bytes copied
     * @throws IllegalArgumentException if a path is a directory, or both name the same file
     * @throws TransferException if the copy fails after it began; the target then holds the
     *     bytes delivered (it is not deleted)
     * @throws IOException if a file cannot be opened
     */
    public long transfer(Path source, Path target) throws IOException {
        return FileCopy.createOrTruncate(source, target, this::copyFile);
    }

    /**
     * Copies a file with {@link java.nio.file.Files#copy(Path, Path, CopyOption...)}'s meaning
     * of the options, the bytes going by the cheapest path as for every transfer (extent
     * sharing, copy_file_range with zerocopy-linux).
     * <ul>
     *   <li>Without {@link StandardCopyOption#REPLACE_EXISTING}: a {@link FileAlreadyExistsException}
     *       if the target exists (a symbolic link counts, even a dangling one); the target is
     *       created with {@code CREATE_NEW}, so a file created by another process after the check
     *       is not overwritten either. With it: an existing target is deleted (a link, not the
     *       file it names) and a new file created, as {@code Files.copy} does; a hard link or open
     *       descriptor to the old file keeps the old bytes.</li>
     *   <li>The new file gets the source's permission bits, less the process's umask. With
     *       {@link StandardCopyOption#COPY_ATTRIBUTES} also, as {@code Files.copy} on Linux: the
     *       owner and group and the exact permission bits where the process may set them (a
     *       refusal is ignored), the user extended attributes where the file systems have them
     *       (failures ignored), then the last-modified and last-access times (a failure fails the
     *       copy). The set-user-ID, set-group-ID and sticky bits are not copied (Java's POSIX
     *       view does not show them).</li>
     *   <li>{@link LinkOption#NOFOLLOW_LINKS}: a symbolic link source is copied as a link (a new
     *       link with the same target; the method returns 0); a regular source is opened with
     *       {@code O_NOFOLLOW}. Without it a link source is followed.</li>
     *   <li>{@link StandardCopyOption#ATOMIC_MOVE} and any other option: an
     *       {@link UnsupportedOperationException} naming it, before any file is touched.</li>
     *   <li>If the copy fails after the target was created (bytes, attributes, an interrupt), the
     *       target is deleted, as {@code Files.copy} does; the exception says how far the bytes
     *       got. A target deleted for {@code REPLACE_EXISTING} is not restored.</li>
     * </ul>
     * Unlike {@code Files.copy}, a directory source or target (replaced by {@code Files.copy} if
     * empty) and the same file as source and target (a no-op for {@code Files.copy}) are refused
     * with an {@link IllegalArgumentException}.
     *
     * @param source an existing regular file, or a symbolic link with {@code NOFOLLOW_LINKS}; not null
     * @param target the file to create; not null, not a directory, not the source
     * @param options {@code REPLACE_EXISTING}, {@code COPY_ATTRIBUTES}, {@code NOFOLLOW_LINKS}; not null, no null element
     * @return the bytes copied, 0 for a link
     * @throws FileAlreadyExistsException if the target exists and {@code REPLACE_EXISTING} is not given
     * @throws UnsupportedOperationException for {@code ATOMIC_MOVE} or an unknown option
     * @throws IllegalArgumentException if a path is a directory, or both name the same file
     * @throws TransferException if the bytes fail after the copy began (the target then deleted)
     * @throws IOException if a file cannot be opened, created, deleted, or its times set
     */
    public long transfer(Path source, Path target, CopyOption... options) throws IOException {
        return FileCopy.copy(source, target, Checks.copyOptions(source, target, options), this::copyFile);
    }

    private long copyFile(FileChannel in, FileChannel out) throws IOException {
        return chain.run(in, ChannelKind.FILE, 0, in.size(), out, ChannelKind.FILE, false);
    }

    /**
     * Moves every byte from {@code source} to {@code target} until the source's end of stream.
     * A {@link FileChannel} source is read from its position to the size it has when the call
     * begins, and its position is left after the last byte delivered (also on failure). Neither
     * channel is closed.
     *
     * @param source the channel to read; not null, open
     * @param target the channel to write; not null, open, not the source
     * @return the bytes moved
     * @throws ClosedChannelException if either channel is closed when the call begins
     * @throws TransferException if the transfer fails after it began
     * @throws IOException if the source's position or size cannot be read
     */
    public long transfer(ReadableByteChannel source, WritableByteChannel target) throws IOException {
        Checks.distinctAndOpen(source, target);
        ChannelKind targetKind = ChannelKind.of(target);
        if (source instanceof FileChannel && ((FileChannel) source).size() > 0) {
            return FilePosition.advance((FileChannel) source,
                    (file, start, count) -> chain.run(file, ChannelKind.FILE, start, count, target, targetKind, false),
                    moved -> moved, TransferException::bytesDelivered);
        }
        ChannelKind kind = source instanceof FileChannel ? ChannelKind.CHANNEL : ChannelKind.of(source);
        return chain.run(source, kind, -1, TransferState.UNBOUNDED, target, targetKind, false);
    }

    /**
     * Moves {@code count} bytes of a file, starting at {@code position}, to {@code target}.
     * The source's own position is not used or changed. If the file ends before
     * {@code position + count}, the bytes that exist are moved and their number returned.
     *
     * @param source the file; not null, open
     * @param position the first byte; {@code >= 0}
     * @param count the bytes to move; {@code >= 0}, {@code position + count} must not overflow
     * @param target the channel to write; not null, open, not the source
     * @return the bytes moved, less than {@code count} only if the file is shorter
     * @throws IllegalArgumentException on a negative or overflowing position or count
     * @throws ClosedChannelException if either channel is closed when the call begins
     * @throws TransferException if the transfer fails after it began
     */
    public long transfer(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Checks.region(position, count);
        Checks.distinctAndOpen(source, target);
        return chain.run(source, ChannelKind.FILE, position, count, target, ChannelKind.of(target), false);
    }

    /**
     * Moves every byte from {@code source} to {@code target} until the source's end of stream,
     * the replacement of {@code InputStream.transferTo} and of the copy loops of Guava and
     * Commons IO. Streams backed by a file take the engine's channel path (zero-copy where a
     * strategy serves the pair); any other stream is copied through the engine's pooled buffer.
     *
     * <p>Unwrapped, through public API only:
     * <ul>
     *   <li>a {@link FileInputStream} or {@link FileOutputStream} of exactly that class, through
     *       {@code getChannel()}: the source is read from the stream's position to the file's
     *       size when the call begins, as {@link #transfer(ReadableByteChannel, WritableByteChannel)}
     *       reads a {@code FileChannel} (a file that reports no size, such as a FIFO, is read to
     *       its end of stream); the target is written at its position (at the end in append
     *       mode). A subclass is not unwrapped, since it may override {@code read} or
     *       {@code write}.</li>
     * </ul>
     * Not unwrapped (copied through the buffer): {@code BufferedInputStream} and every other
     * filter stream, whose buffer may hold bytes already read from the file (they are not
     * skipped: the bytes the stream returns are the bytes moved); the streams of a
     * {@code Socket}, even one made by {@code SocketChannel.open()};
     * {@code Files.newInputStream}/{@code newOutputStream} and
     * {@code Channels.newInputStream}/{@code newOutputStream}. Those classes are internal to
     * the JDK and lead back to their channel only by reflection, which the library does not
     * use. To move a socket's or a channel's bytes without a copy, pass the channel
     * ({@code socket.getChannel()}, the channel given to {@code Channels}) to the channel
     * forms, or use {@link #transfer(FileChannel, long, long, OutputStream)} for a file region.
     *
     * <p>Neither stream is closed or flushed. After the call each unwrapped file stream's
     * position is after the last byte delivered, also on failure: a {@code FileInputStream}
     * read to its end reads end of stream next. A stream copied through the buffer has been read
     * to its end of stream (on failure: up to a point, with the bytes read but not written
     * given by {@link TransferException#bytesUndelivered()}). With an idle timeout, a read or
     * write blocked inside a stream past the deadline is ended by closing that stream, the
     * only way to end it; the transfer then fails with a {@link TransferTimeoutException}.
     *
     * @param source the stream to read; not null
     * @param target the stream to write; not null, not the source
     * @return the bytes moved
     * @throws ClosedChannelException if a file stream's channel is closed when the call begins
     * @throws TransferException if the transfer fails after it began; it carries the bytes
     *     delivered
     * @throws IOException if a file stream's position or size cannot be read
     */
    public long transfer(InputStream source, OutputStream target) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        return transfer(Streams.source(source), Streams.target(target));
    }

    /**
     * Moves {@code count} bytes of a file, starting at {@code position}, to a stream: a file
     * served to a servlet response or to a socket's stream. The source's own position is not
     * used or changed. A {@link FileOutputStream} target is unwrapped as in
     * {@link #transfer(InputStream, OutputStream)}; any other stream gets the bytes through
     * {@code write(byte[], int, int)} calls (from the file's mapping or the pooled buffer,
     * whichever strategy serves). The stream is not closed or flushed.
     *
     * @param source the file; not null, open
     * @param position the first byte; {@code >= 0}
     * @param count the bytes to move; {@code >= 0}, {@code position + count} must not overflow
     * @param target the stream to write; not null
     * @return the bytes moved, less than {@code count} only if the file is shorter
     * @throws IllegalArgumentException on a negative or overflowing position or count
     * @throws ClosedChannelException if the source, or a file stream's channel, is closed
     * @throws TransferException if the transfer fails after it began
     */
    public long transfer(FileChannel source, long position, long count, OutputStream target) throws IOException {
        Objects.requireNonNull(target, "target");
        return transfer(source, position, count, Streams.target(target));
    }

    /**
     * Moves a whole file to a channel: every byte the file has when it is opened. The channel is
     * not closed.
     *
     * @param source an existing regular file; not null, not a directory
     * @param target the channel to write; not null, open
     * @return the bytes moved
     * @throws IllegalArgumentException if the source is a directory
     * @throws ClosedChannelException if the target is closed when the call begins
     * @throws TransferException if the transfer fails after it began
     * @throws IOException if the file cannot be opened
     */
    public long transfer(Path source, WritableByteChannel target) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (Files.isDirectory(source)) {
            throw new IllegalArgumentException("source is a directory: " + source);
        }
        if (!target.isOpen()) {
            throw new ClosedChannelException();
        }
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            return chain.run(in, ChannelKind.FILE, 0, in.size(), target, ChannelKind.of(target), false);
        }
    }

    /**
     * Moves a whole file to a stream, as {@code Files.copy(Path, OutputStream)}: every byte the
     * file has when it is opened. The target is unwrapped as in
     * {@link #transfer(InputStream, OutputStream)}; it is not closed or flushed.
     *
     * @param source an existing regular file; not null, not a directory
     * @param target the stream to write; not null
     * @return the bytes moved
     * @throws IllegalArgumentException if the source is a directory
     * @throws TransferException if the transfer fails after it began
     * @throws IOException if the file cannot be opened
     */
    public long transfer(Path source, OutputStream target) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        return transfer(source, Streams.target(target));
    }

    /**
     * Starts moving every byte from {@code source} to {@code target} until the source's end of
     * stream, without blocking the caller: the asynchronous form of
     * {@link #transfer(ReadableByteChannel, WritableByteChannel)}, with the same strategies,
     * counts and errors. A file source is moved from its position to its size, and its position
     * is advanced by the bytes delivered when the transfer ends.
     *
     * <p>Waiting costs no thread: the transfer's steps run on one of the engine's few event loop
     * threads ({@link Builder#eventLoops}; and on file threads when they read or write a file),
     * which wait for readiness for every transfer at once. A strategy with no non-blocking form here runs on a thread of the
     * library's for its duration. Selectable channels are put in non-blocking mode for the
     * transfer and back in blocking mode after it, if they were (while they are in it, another
     * thread's blocking read or write on them fails). The idle timeout applies. Completion,
     * cancellation and threads: {@link TransferFuture}.
     *
     * @param source the channel to read; not null, open
     * @param target the channel to write; not null, open, not the source
     * @return the transfer's future; never completed before this method returns
     * @throws ClosedChannelException if either channel is closed when the call begins
     * @throws IOException if a channel's mode or a file's size cannot be read or set
     */
    public TransferFuture transferAsync(ReadableByteChannel source, WritableByteChannel target) throws IOException {
        Checks.distinctAndOpen(source, target);
        ChannelKind targetKind = ChannelKind.of(target);
        if (source instanceof FileChannel && ((FileChannel) source).size() > 0) {
            FileChannel file = (FileChannel) source;
            long start = file.position();
            long count = Math.max(0, file.size() - start);
            return AsyncTransfer.start(chain.start(file, ChannelKind.FILE, start, count, target, targetKind, false, true),
                    delivered -> FilePosition.setQuietly(file, start + delivered), eventLoops);
        }
        ChannelKind kind = source instanceof FileChannel ? ChannelKind.CHANNEL : ChannelKind.of(source);
        return AsyncTransfer.start(chain.start(source, kind, -1, TransferState.UNBOUNDED, target, targetKind, false, true),
                null, eventLoops);
    }

    /**
     * Starts moving {@code count} bytes of a file, from {@code position}, to {@code target},
     * without blocking the caller: the asynchronous form of
     * {@link #transfer(FileChannel, long, long, WritableByteChannel)} (see
     * {@link #transferAsync(ReadableByteChannel, WritableByteChannel)}).
     *
     * @param source the file; not null, open
     * @param position the first byte; {@code >= 0}
     * @param count the bytes to move; {@code >= 0}, {@code position + count} must not overflow
     * @param target the channel to write; not null, open, not the source
     * @return the transfer's future; never completed before this method returns
     * @throws IllegalArgumentException on a negative or overflowing position or count
     * @throws ClosedChannelException if either channel is closed when the call begins
     * @throws IOException if a channel's mode or the file's size cannot be read or set
     */
    public TransferFuture transferAsync(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Checks.region(position, count);
        Checks.distinctAndOpen(source, target);
        return AsyncTransfer.start(chain.start(source, ChannelKind.FILE, position, count, target, ChannelKind.of(target),
                false, true), null, eventLoops);
    }

    /**
     * A transfer from {@code source} until its end of stream, for an event loop: see
     * {@link NonBlockingTransfer}. Selectable channels must be in non-blocking mode, and stay so.
     *
     * @param source the channel to read; not null, open; a file is read from position 0 to its size
     * @param target the channel to write; not null, open, not the source
     * @return the transfer; nothing moved yet
     * @throws java.nio.channels.IllegalBlockingModeException if a selectable channel is in blocking mode
     * @throws ClosedChannelException if either channel is closed when the call begins
     * @throws IOException if a file's size cannot be read
     */
    public NonBlockingTransfer nonBlocking(ReadableByteChannel source, WritableByteChannel target) throws IOException {
        Checks.distinctAndOpen(source, target);
        Checks.nonBlocking(source, target);
        if (source instanceof FileChannel) {
            FileChannel file = (FileChannel) source;
            return new NonBlockingTransfer(chain.start(file, ChannelKind.FILE, 0, file.size(), target,
                    ChannelKind.of(target), false, true));
        }
        return new NonBlockingTransfer(chain.start(source, ChannelKind.of(source), -1, TransferState.UNBOUNDED, target,
                ChannelKind.of(target), false, true));
    }

    /**
     * {@code count} bytes of a file, from {@code position}, to {@code target}, for an event loop:
     * see {@link NonBlockingTransfer}.
     *
     * @param source the file; not null, open
     * @param position the first byte; {@code >= 0}
     * @param count the bytes to move; {@code >= 0}, {@code position + count} must not overflow
     * @param target the channel to write; not null, open, not the source
     * @return the transfer; nothing moved yet
     * @throws IllegalArgumentException on a negative or overflowing position or count
     * @throws java.nio.channels.IllegalBlockingModeException if the target is selectable and blocking
     * @throws ClosedChannelException if either channel is closed when the call begins
     * @throws IOException if the file's size cannot be read
     */
    public NonBlockingTransfer nonBlocking(FileChannel source, long position, long count, WritableByteChannel target)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Checks.region(position, count);
        Checks.distinctAndOpen(source, target);
        Checks.nonBlocking(source, target);
        return new NonBlockingTransfer(chain.start(source, ChannelKind.FILE, position, count, target,
                ChannelKind.of(target), false, true));
    }

    /**
     * Writes every remaining byte of {@code buffers}, in order, to {@code target} (a gathering
     * write on the portable path; a memory-send strategy such as vmsplice where one was added).
     * Each buffer's position is left after the last byte delivered from it, also on failure.
     * When this returns, the target no longer reads the buffers and the caller may reuse them,
     * unless the engine was given a strategy that says otherwise
     * ({@link TransferStrategy#readsBuffersAfterReturn()}: zerocopy-linux's
     * {@code Linux.vmsplice(true)}) and that strategy served.
     *
     * @param buffers the bytes; not null, no null element; heap or direct
     * @param target the channel to write; not null, open
     * @return the bytes written: the sum of the buffers' remaining bytes
     * @throws ClosedChannelException if the target is closed when the call begins
     * @throws TransferException if writing fails after it began
     */
    public long send(ByteBuffer[] buffers, WritableByteChannel target) throws IOException {
        return send(buffers, target, false);
    }

    /**
     * As {@link #send(ByteBuffer[], WritableByteChannel)}; with {@code reuseOnReturn}, only
     * strategies that leave the buffers when they return serve, whatever the engine holds.
     */
    /**
     * Starts sending the buffers' remaining bytes to {@code target} without blocking the caller:
     * the asynchronous form of {@link #send(ByteBuffer[], WritableByteChannel)} (see
     * {@link #transferAsync(ReadableByteChannel, WritableByteChannel)} for threads and channels).
     * The buffers must not be modified until the future completes; once it has completed
     * (normally or not) the kernel holds no reference to them and they may be reused: strategies
     * that read the buffers after they return are not used. Their positions advance by the bytes
     * delivered.
     *
     * @param buffers the buffers; not null, none null
     * @param target the channel to write; not null, open
     * @return the transfer's future; never completed before this method returns
     * @throws ClosedChannelException if the target is closed when the call begins
     * @throws IOException if the target's mode cannot be set
     */
    public TransferFuture sendAsync(ByteBuffer[] buffers, WritableByteChannel target) throws IOException {
        Checks.buffers(buffers, target);
        MemorySource source = new MemorySource(buffers);
        return AsyncTransfer.start(chain.start(source, ChannelKind.MEMORY, -1, source.remaining(), target,
                ChannelKind.of(target), true, true), null, eventLoops);
    }

    long send(ByteBuffer[] buffers, WritableByteChannel target, boolean reuseOnReturn) throws IOException {
        Checks.buffers(buffers, target);
        MemorySource source = new MemorySource(buffers);
        long total = source.remaining();
        if (total == 0) {
            return 0;
        }
        return chain.run(source, ChannelKind.MEMORY, -1, total, target, ChannelKind.of(target), reuseOnReturn);
    }

    /**
     * Delivers everything from {@code source} until its end of stream to every target, reading
     * each source byte once. A {@link FileChannel} source is read from its position to its size
     * at the call, and its position is left after the bytes read.
     *
     * <p>Each target receives the source's bytes in order. A target that fails (an I/O error,
     * or accepting nothing for the stall timeout) stops receiving and the others go on; its
     * entry in the result gives the bytes it received and the cause. Failed targets are not
     * closed. With {@link Builder#broadcastAllOrNothing(boolean)} the first target failure
     * ends the broadcast with a {@link BroadcastException} instead. Selectable targets in
     * blocking mode are switched to non-blocking for the call and switched back at its end.
     * An interrupt closes the source and every target, as NIO does for one channel.
     *
     * @param source the channel to read; not null, open, not one of the targets
     * @param targets the channels to write; not null or empty, no nulls, no repeats, all open
     * @return per-target counts; {@link BroadcastResult#allDelivered()} says if all got everything
     * @throws ClosedChannelException if a channel is closed when the call begins
     * @throws BroadcastException if the source fails, every target fails, or (all-or-nothing)
     *     any target fails; it carries the per-target counts
     */
    public BroadcastResult broadcast(ReadableByteChannel source, List<? extends WritableByteChannel> targets)
            throws IOException {
        Checks.targets(source, targets);
        if (source instanceof FileChannel && ((FileChannel) source).size() > 0) {
            return FilePosition.advance((FileChannel) source,
                    (file, start, count) -> broadcaster.run(file, ChannelKind.FILE, start, count, targets),
                    BroadcastResult::sourceBytes, e -> ((BroadcastException) e).result().sourceBytes());
        }
        ChannelKind kind = source instanceof FileChannel ? ChannelKind.CHANNEL : ChannelKind.of(source);
        return broadcaster.run(source, kind, -1, TransferState.UNBOUNDED, targets);
    }

    /**
     * Delivers a region of a file to every target; as {@link #broadcast(ReadableByteChannel, List)},
     * without using or changing the source's position. A file shorter than
     * {@code position + count} delivers the bytes that exist.
     *
     * @param source the file; not null, open
     * @param position the first byte; {@code >= 0}
     * @param count bytes to deliver; {@code >= 0}, {@code position + count} must not overflow
     * @param targets the channels to write; as for the stream form
     * @return per-target counts
     * @throws IllegalArgumentException on a negative or overflowing position or count, or bad targets
     * @throws ClosedChannelException if a channel is closed when the call begins
     * @throws BroadcastException as for the stream form
     */
    public BroadcastResult broadcast(FileChannel source, long position, long count,
            List<? extends WritableByteChannel> targets) throws IOException {
        Objects.requireNonNull(source, "source");
        Checks.region(position, count);
        Checks.targets(source, targets);
        return broadcaster.run(source, ChannelKind.FILE, position, count, targets);
    }

    /**
     * Starts delivering a region of a file to every target without blocking the caller: one
     * asynchronous transfer of the region per target, as
     * {@link #transferAsync(FileChannel, long, long, WritableByteChannel)} would start, each at its
     * own pace. Unlike the lock-step {@link #broadcast(FileChannel, long, long, List)} a slow
     * target holds back no other, and each target reads the file itself (from the page cache),
     * so no byte is held for the slowest. A target that accepts nothing for the stall timeout
     * ({@link Builder#broadcastStallTimeout}, or the engine's idle timeout if shorter) stops with
     * a {@link TransferTimeoutException} and the others go on; with
     * {@link Builder#broadcastAllOrNothing(boolean)} the first target failure cancels the others.
     * The listener and JFR see one transfer per target. The source's position is neither used
     * nor changed; a file shorter than {@code position + count} delivers the bytes that exist.
     *
     * @param source the file; not null, open
     * @param position the first byte; {@code >= 0}
     * @param count bytes to deliver; {@code >= 0}, {@code position + count} must not overflow
     * @param targets the channels to write; not null or empty, no nulls, no repeats, all open
     * @return the broadcast's future: the per-target counts once every target's transfer stopped,
     *     or a {@link BroadcastException} with them when every target failed or, under
     *     all-or-nothing, any did; see {@link BroadcastFuture} for cancellation and threads
     * @throws IllegalArgumentException on a negative or overflowing position or count, or bad targets
     * @throws ClosedChannelException if a channel is closed when the call begins; nothing started
     * @throws IOException if the file's size or a target's mode cannot be read or set; the
     *     transfers already started are cancelled
     */
    public BroadcastFuture broadcastAsync(FileChannel source, long position, long count,
            List<? extends WritableByteChannel> targets) throws IOException {
        Objects.requireNonNull(source, "source");
        Checks.region(position, count);
        Checks.targets(source, targets);
        long exist = Math.max(0, Math.min(count, source.size() - position));
        long stall = broadcaster.stallTimeoutNanos();
        long perTarget = idleTimeoutNanos > 0 ? Math.min(idleTimeoutNanos, stall) : stall;
        TransferEngine each = perTarget == idleTimeoutNanos ? this
                : new TransferEngine(selection, buffers, listener, broadcaster, perTarget, eventLoops);
        return AsyncBroadcast.start(targets, exist, broadcaster.allOrNothing(),
                target -> each.transferAsync(source, position, count, target));
    }

    @Override
    public String toString() {
        return "TransferEngine{strategies=" + strategies() + ", threshold=" + threshold()
                + ", chunkSize=" + buffers.bufferSize() + "}";
    }

    /**
     * Configures a {@link TransferEngine}. Not thread-safe; {@link #build()} may be called
     * more than once.
     */
    public static final class Builder {

        private long threshold = Defaults.THRESHOLD;
        private int chunkSize = Defaults.CHUNK_SIZE;
        private long mmapWindow = Defaults.MMAP_WINDOW;
        private boolean providers = !"false".equalsIgnoreCase(System.getProperty(Defaults.PROVIDERS_PROPERTY));
        private List<String> order;
        private final List<TransferStrategy> first = new ArrayList<>();
        private TransferListener listener = TransferListener.NONE;
        private final Map<Integer, NavigableMap<Long, List<String>>> preferences = new HashMap<>();
        private boolean broadcastAllOrNothing;
        private long broadcastStallTimeoutNanos = Defaults.BROADCAST_STALL_NANOS;
        private long idleTimeoutNanos;
        private EventLoops eventLoops;

        Builder() { }

        /**
         * @param loops the loops the engine's asynchronous transfers run on; not null; default
         *     the group the system property {@value EventLoops#PROPERTY} names, else
         *     {@link EventLoops#selector()}
         * @return this
         */
        public Builder eventLoops(EventLoops loops) {
            this.eventLoops = Objects.requireNonNull(loops, "loops");
            return this;
        }

        /**
         * @param allOrNothing if true, a broadcast ends at the first target failure with a
         *     {@link BroadcastException}; if false (the default) the other targets go on
         * @return this
         */
        public Builder broadcastAllOrNothing(boolean allOrNothing) {
            this.broadcastAllOrNothing = allOrNothing;
            return this;
        }

        /**
         * @param timeout how long a broadcast target may accept nothing before it is failed as
         *     stalled; positive; default 30 seconds
         * @return this
         */
        public Builder broadcastStallTimeout(Duration timeout) {
            this.broadcastStallTimeoutNanos = Checks.positive("broadcastStallTimeout", timeout);
            return this;
        }

        /**
         * Ends a transfer or broadcast in which no byte moves for {@code timeout} with a
         * {@link TransferTimeoutException} carrying the counts. The limit applies to every wait
         * of the library: readiness of non-blocking channels, every native path of
         * zerocopy-linux, vmsplice's acknowledgement wait, broadcast targets; the channels stay
         * open. A JDK call on a blocking channel blocks inside the JDK, out of those waits:
         * with a timeout set, {@code mmap} declines blocking socket and pipe targets (which
         * zerocopy-linux's {@code sendfile} and {@code splice} serve), and the copy loop's
         * blocking reads and writes are guarded by a watchdog thread that, past the deadline,
         * closes the channel the call blocks on; the transfer then ends with the timeout, that
         * channel closed. Default: no limit, as the JDK.
         *
         * @param timeout positive; {@link Duration#ZERO} for no limit
         * @return this
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeoutNanos = Checks.idleTimeout(timeout);
            return this;
        }

        /**
         * @param bytes known sizes below this use the copy loop; 0 disables the threshold;
         *     default {@value TransferEngine#DEFAULT_THRESHOLD}
         * @return this
         */
        public Builder threshold(long bytes) {
            this.threshold = Checks.atLeast("threshold", bytes, 0);
            return this;
        }

        /**
         * @param bytes the copy loop's buffer size; from 512 bytes to 64 MiB; default
         *     {@value TransferEngine#DEFAULT_CHUNK_SIZE}
         * @return this
         */
        public Builder chunkSize(int bytes) {
            this.chunkSize = Checks.chunkSize(bytes);
            return this;
        }

        /**
         * @param bytes the largest region the {@code mmap} strategy maps at once; at least 4 KiB;
         *     default 4 MiB
         * @return this
         */
        public Builder mmapWindow(long bytes) {
            this.mmapWindow = Checks.atLeast("mmapWindow", bytes, 4096);
            return this;
        }

        /**
         * Chooses which of the known strategies (core and provided) are used, in exactly this
         * order for every pair (ranks do not apply). Strategies added with {@link #addFirst}
         * still come first.
         *
         * @param names strategy names, such as {@code "transferTo", "copy"}; at least one, no
         *     repeats
         * @return this
         * @throws IllegalArgumentException if no name is given, or a name is given twice;
         *     at {@link #build()}, if a name is unknown
         */
        public Builder strategies(String... names) {
            List<String> list = Checks.strategyNames("strategies", names);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("strategies: no strategy names given; an engine needs at least one,"
                        + " such as \"copy\"");
            }
            this.order = list;
            return this;
        }

        /**
         * For one pair of endpoint kinds, tries the named strategies first, in this order, then
         * the rest in the engine's default order for the pair and size. Names not in the engine
         * are ignored. Replaces every earlier preference of the user for that pair; with no
         * names, restores the default order.
         *
         * @param source the source kind
         * @param target the target kind
         * @param names strategy names; no repeats
         * @return this
         * @throws IllegalArgumentException if a name is given twice
         */
        public Builder prefer(ChannelKind source, ChannelKind target, String... names) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            NavigableMap<Long, List<String>> bands = new TreeMap<>();
            bands.put(0L, Checks.strategyNames("prefer", names));
            preferences.put(Selection.pair(source, target), bands);
            return this;
        }

        /**
         * For one pair of endpoint kinds and transfers of at least {@code minSize} bytes (or of
         * unknown size), tries the named strategies first, then the rest in the default order.
         * Adds a size band to the pair's preferences: the band with the largest start not above
         * the size applies; below the first band, the default order.
         *
         * @param source the source kind
         * @param target the target kind
         * @param minSize where the band starts; {@code >= 0}
         * @param names strategy names, no repeats; none for the default order in this band
         * @return this
         * @throws IllegalArgumentException if {@code minSize} is negative or a name is given twice
         */
        public Builder prefer(ChannelKind source, ChannelKind target, long minSize, String... names) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            Checks.atLeast("minSize", minSize, 0);
            List<String> list = Checks.strategyNames("prefer", names);
            preferences.computeIfAbsent(Selection.pair(source, target), k -> new TreeMap<>()).put(minSize, list);
            return this;
        }

        /**
         * Adds a strategy ahead of all others (the last added is tried first).
         *
         * @param strategy the strategy; not null
         * @return this
         */
        public Builder addFirst(TransferStrategy strategy) {
            first.add(0, Objects.requireNonNull(strategy, "strategy"));
            return this;
        }

        /**
         * @param load whether to load {@link TransferStrategyProvider}s with {@link ServiceLoader};
         *     default true unless the system property {@code io.zerocopy.providers} is {@code false}
         * @return this
         */
        public Builder providers(boolean load) {
            this.providers = load;
            return this;
        }

        /**
         * @param listener receives every transfer's progress and result; not null
         * @return this
         */
        public Builder listener(TransferListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @return a new engine
         * @throws IllegalArgumentException if {@link #strategies} names an unknown strategy,
         *     or two strategies share a name
         */
        public TransferEngine build() {
            Catalog catalog = Catalog.load(providers, mmapWindow);
            List<TransferStrategy> chain = catalog.chain(first, order);
            List<Preference> ranks = order == null ? catalog.preferences : null;
            Selection selection = Selection.build(chain, first.size(), ranks, preferences, catalog.copy, threshold);
            BufferPool buffers = new BufferPool(chunkSize, Defaults.POOLED_BUFFERS);
            return new TransferEngine(selection, buffers, listener, new Broadcaster(List.copyOf(catalog.broadcasters.values()),
                    broadcastAllOrNothing, broadcastStallTimeoutNanos, buffers, idleTimeoutNanos), idleTimeoutNanos,
                    eventLoops != null ? eventLoops : EventLoops.defaults());
        }
    }
}

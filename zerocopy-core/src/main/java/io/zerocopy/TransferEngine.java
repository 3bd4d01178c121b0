package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * A configured transferer: the strategies in the order they are tried, the size threshold
 * below which the copy loop is used, the chunk size, a listener. Build one with
 * {@link ZeroCopy#builder()}; {@link ZeroCopy}'s static methods use a default instance.
 *
 * <p>Every {@code transfer} either delivers the bytes it returns and no more, or throws a
 * {@link TransferException} carrying the bytes delivered before the failure. When a strategy
 * cannot serve, the next continues from the exact byte reached; refusals that the strategy
 * marks as lasting are remembered by the engine so the path is not retried.
 *
 * <p>Non-blocking channels are waited on (with a selector, never a busy loop): every call
 * blocks the calling thread until the transfer ends.
 *
 * <p>Thread-safe: one engine serves any number of concurrent transfers. Instances are
 * immutable apart from the memory of refused paths.
 */
public final class TransferEngine {

    private static final System.Logger LOG = System.getLogger(TransferEngine.class.getName());

    /**
     * Default size threshold in bytes: smaller known sizes use the copy loop. 8 KiB, from the
     * benchmark's calibration on the reference machine (docs/benchmarks.md): the copy loop beat
     * sendfile, the fastest small-size path, below 8 KiB; splice and copy_file_range cross over
     * later (64 and 32 KiB), so below 256 KiB the built-in preferences try sendfile first.
     */
    public static final long DEFAULT_THRESHOLD = 8 * 1024;
    /** Default chunk (buffer) size of the copy loop. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    /**
     * Default mmap window size: 4 MiB. Sending a cached 1 GiB file to a loopback socket, 4 MiB
     * windows ran about 12 % faster than 16 MiB ones, and larger windows were slower still.
     */
    public static final long DEFAULT_MMAP_WINDOW = 4L << 20;
    /** System property: {@code false} stops engines from loading {@link TransferStrategyProvider}s. */
    public static final String PROVIDERS_PROPERTY = "io.zerocopy.providers";

    /** Size from which the built-in preferences for large transfers apply; see {@link Builder#prefer}. */
    static final long LARGE = 256 * 1024;

    private final TransferStrategy[] strategies;
    private final Chains chains;
    private final int copyIndex;
    private final long threshold;
    private final BufferPool buffers;
    private final FailureMemory memory;
    private final TransferListener listener;
    private final BroadcastStrategy[] broadcasters;
    private final BroadcastSettings broadcastSettings;

    /** Broadcast settings, shared by engines derived with {@link #withListener}. */
    private static final class BroadcastSettings {
        final boolean allOrNothing;
        final long stallTimeoutNanos;

        BroadcastSettings(boolean allOrNothing, long stallTimeoutNanos) {
            this.allOrNothing = allOrNothing;
            this.stallTimeoutNanos = stallTimeoutNanos;
        }
    }

    private TransferEngine(TransferStrategy[] strategies, Chains chains, long threshold, BufferPool buffers,
            FailureMemory memory, TransferListener listener, BroadcastStrategy[] broadcasters,
            BroadcastSettings broadcastSettings) {
        this.chains = chains;
        this.broadcasters = broadcasters;
        this.broadcastSettings = broadcastSettings;
        this.strategies = strategies;
        this.threshold = threshold;
        this.buffers = buffers;
        this.memory = memory;
        this.listener = listener;
        int copy = -1;
        for (int i = 0; i < strategies.length; i++) {
            if (strategies[i].name().equals(CopyStrategy.NAME)) {
                copy = i;
            }
        }
        this.copyIndex = copy;
    }

    /**
     * Returns an engine that shares this one's strategies, buffers and memory of refused paths
     * but reports to {@code listener}; for observing a single call.
     *
     * @param listener the listener; not null
     * @return the engine
     */
    public TransferEngine withListener(TransferListener listener) {
        return new TransferEngine(strategies, chains, threshold, buffers, memory,
                Objects.requireNonNull(listener, "listener"), broadcasters, broadcastSettings);
    }

    /** @return the names of the strategies, in the order they are tried */
    public List<String> strategies() {
        List<String> names = new ArrayList<>(strategies.length);
        for (TransferStrategy s : strategies) {
            names.add(s.name());
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * @param source a source kind
     * @param target a target kind
     * @return the names of the strategies tried for this pair when the size is unknown, in
     *     order (those that do not support the pair are left out)
     */
    public List<String> strategies(ChannelKind source, ChannelKind target) {
        return strategies(source, target, -1);
    }

    /**
     * @param source a source kind
     * @param target a target kind
     * @param size a transfer size, or -1 for unknown
     * @return the names of the strategies tried for such a transfer, in order (below the
     *     threshold: the copy loop alone, when the engine has it)
     */
    public List<String> strategies(ChannelKind source, ChannelKind target, long size) {
        if (copyIndex >= 0 && size >= 0 && size < threshold) {
            return List.of(CopyStrategy.NAME);
        }
        List<String> names = new ArrayList<>();
        for (int i : chains.order(source, target, size)) {
            if (strategies[i].supports(source, target, size)) {
                names.add(strategies[i].name());
            }
        }
        return Collections.unmodifiableList(names);
    }

    /** @return the names of the broadcast strategies, in the order they are tried */
    public List<String> broadcastStrategies() {
        List<String> names = new ArrayList<>(broadcasters.length);
        for (BroadcastStrategy s : broadcasters) {
            names.add(s.name());
        }
        return Collections.unmodifiableList(names);
    }

    /** @return the size below which the copy loop is used */
    public long threshold() {
        return threshold;
    }

    /**
     * Copies a file: creates the target or truncates it, then copies every byte the source has
     * when it is opened.
     *
     * @param source an existing regular file; not null
     * @param target the file to write; not null, not a directory, not the source
     * @return the bytes copied
     * @throws IllegalArgumentException if a path is a directory, or both name the same file
     * @throws TransferException if the copy fails after it began; the target then holds the
     *     bytes delivered
     * @throws IOException if a file cannot be opened
     */
    public long transfer(Path source, Path target) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (Files.isDirectory(source)) {
            throw new IllegalArgumentException("source is a directory: " + source);
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("target is a directory: " + target);
        }
        if (Files.exists(target) && Files.isSameFile(source, target)) {
            throw new IllegalArgumentException("source and target are the same file: " + source + ", " + target);
        }
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            return run(in, ChannelKind.FILE, 0, in.size(), out, ChannelKind.FILE);
        }
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
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        checkDistinctAndOpen(source, target);
        if (source instanceof FileChannel) {
            FileChannel file = (FileChannel) source;
            long start = file.position();
            long size = file.size();
            if (size > 0) {
                long moved = 0;
                try {
                    moved = run(file, ChannelKind.FILE, start, Math.max(0, size - start), target, ChannelKind.of(target));
                    return moved;
                } catch (TransferException e) {
                    moved = e.bytesDelivered();
                    throw e;
                } finally {
                    if (file.isOpen()) {
                        file.position(start + moved);
                    }
                }
            }
            return run(source, ChannelKind.CHANNEL, -1, Transfer.UNBOUNDED, target, ChannelKind.of(target));
        }
        return run(source, ChannelKind.of(source), -1, Transfer.UNBOUNDED, target, ChannelKind.of(target));
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
        checkRegion(position, count);
        checkDistinctAndOpen(source, target);
        return run(source, ChannelKind.FILE, position, count, target, ChannelKind.of(target));
    }

    /**
     * Writes every remaining byte of {@code buffers}, in order, to {@code target} (a gathering
     * write on the plain path; vmsplice with zerocopy-linux above the threshold). Each buffer's
     * position is left after the last byte delivered from it, also on failure. When this
     * returns, the target no longer reads the buffers: the caller may reuse them at once.
     *
     * @param buffers the bytes; not null, no null element; heap or direct
     * @param target the channel to write; not null, open
     * @return the bytes written: the sum of the buffers' remaining bytes
     * @throws ClosedChannelException if the target is closed when the call begins
     * @throws TransferException if writing fails after it began
     */
    public long send(ByteBuffer[] buffers, WritableByteChannel target) throws IOException {
        Objects.requireNonNull(buffers, "buffers");
        Objects.requireNonNull(target, "target");
        for (int i = 0; i < buffers.length; i++) {
            Objects.requireNonNull(buffers[i], "buffers[" + i + "]");
        }
        if (!target.isOpen()) {
            throw new ClosedChannelException();
        }
        MemorySource source = new MemorySource(buffers);
        long total = source.remaining();
        if (total == 0) {
            return 0;
        }
        return run(source, ChannelKind.MEMORY, -1, total, target, ChannelKind.of(target));
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
        Objects.requireNonNull(source, "source");
        checkTargets(source, targets);
        if (source instanceof FileChannel && ((FileChannel) source).size() > 0) {
            FileChannel file = (FileChannel) source;
            long start = file.position();
            long read = 0;
            try {
                BroadcastResult r = runBroadcast(file, ChannelKind.FILE, start, Math.max(0, file.size() - start), targets);
                read = r.sourceBytes();
                return r;
            } catch (BroadcastException e) {
                read = e.result().sourceBytes();
                throw e;
            } finally {
                if (file.isOpen()) {
                    file.position(start + read);
                }
            }
        }
        ChannelKind kind = source instanceof FileChannel ? ChannelKind.CHANNEL : ChannelKind.of(source);
        return runBroadcast(source, kind, -1, Transfer.UNBOUNDED, targets);
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
        checkRegion(position, count);
        checkTargets(source, targets);
        return runBroadcast(source, ChannelKind.FILE, position, count, targets);
    }

    private static void checkTargets(ReadableByteChannel source, List<? extends WritableByteChannel> targets)
            throws ClosedChannelException {
        Objects.requireNonNull(targets, "targets");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("targets is empty");
        }
        java.util.Set<Object> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < targets.size(); i++) {
            WritableByteChannel t = Objects.requireNonNull(targets.get(i), "targets[" + i + "]");
            if (t == source) {
                throw new IllegalArgumentException("targets[" + i + "] is the source");
            }
            if (!seen.add(t)) {
                throw new IllegalArgumentException("targets[" + i + "] repeats an earlier target");
            }
        }
        if (!source.isOpen()) {
            throw new ClosedChannelException();
        }
        for (WritableByteChannel t : targets) {
            if (!t.isOpen()) {
                throw new ClosedChannelException();
            }
        }
    }

    private BroadcastResult runBroadcast(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            List<? extends WritableByteChannel> targets) throws IOException {
        Broadcast b = new Broadcast(source, sourceKind, position, count, targets, broadcastSettings.allOrNothing,
                broadcastSettings.stallTimeoutNanos, buffers);
        List<ChannelKind> kinds = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            kinds.add(b.targetKind(i));
        }
        long size = count == Transfer.UNBOUNDED ? -1 : count;
        BroadcastException failure = null;
        try {
            for (BroadcastStrategy s : broadcasters) {
                if (!s.supports(sourceKind, kinds, size)) {
                    continue;
                }
                Outcome outcome;
                try {
                    outcome = s.broadcast(b);
                } catch (IOException | RuntimeException e) {
                    failure = new BroadcastException("broadcast failed: " + e, b.result(s.name()), e);
                    throw failure;
                }
                if (!outcome.isComplete()) {
                    if (b.consumed() > 0) {
                        failure = new BroadcastException("strategy " + s.name() + " gave up after reading "
                                + b.consumed() + " bytes, against its contract", b.result(s.name()), null);
                        throw failure;
                    }
                    LOG.log(Level.DEBUG, () -> "zerocopy: broadcast strategy " + s.name() + " declined: " + outcome.reason());
                    continue;
                }
                BroadcastResult result = b.result(s.name());
                if (b.activeCount() == 0) {
                    failure = new BroadcastException("every target failed", result, b.firstFailure());
                    throw failure;
                }
                return result;
            }
            throw new IllegalStateException("no broadcast strategy served; the portable one always does");
        } finally {
            try {
                b.release();
            } catch (IOException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    throw e;
                }
            }
        }
    }

    private static void checkRegion(long position, long count) {
        if (position < 0) {
            throw new IllegalArgumentException("position < 0: " + position);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        if (position + count < 0) {
            throw new IllegalArgumentException("position + count overflows: position=" + position + ", count=" + count);
        }
    }

    private static void checkDistinctAndOpen(ReadableByteChannel source, WritableByteChannel target)
            throws ClosedChannelException {
        if (source == target) {
            throw new IllegalArgumentException("source and target are the same channel: " + source);
        }
        if (!source.isOpen() || !target.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private long run(ReadableByteChannel source, ChannelKind sourceKind, long position, long count,
            WritableByteChannel target, ChannelKind targetKind) throws IOException {
        Transfer t = new Transfer(source, sourceKind, position, count, target, targetKind, buffers, listener);
        List<TransferResult.Attempt> attempts = listener == TransferListener.NONE ? null : new ArrayList<>(2);
        long startNanos = System.nanoTime();
        long size = t.isBounded() ? count : -1;
        IOException failure = null;
        try {
            if (copyIndex >= 0 && size >= 0 && size < threshold) {
                if (attempt(copyIndex, t, attempts)) {
                    return finish(t, attempts, startNanos);
                }
            }
            for (int i : chains.order(sourceKind, targetKind, size)) {
                if (i == copyIndex && size >= 0 && size < threshold) {
                    continue;
                }
                TransferStrategy s = strategies[i];
                if (!s.supports(sourceKind, targetKind, size)) {
                    continue;
                }
                if (memory.refusal(i, sourceKind, targetKind) != null) {
                    continue;
                }
                if (attempt(i, t, attempts)) {
                    return finish(t, attempts, startNanos);
                }
            }
            throw new TransferException("no strategy can serve " + sourceKind + " -> " + targetKind
                    + (attempts != null ? "; tried " + attempts : "") + "; strategies " + strategies(),
                    null, t.delivered(), t.undeliveredBytes(), null);
        } catch (TransferException e) {
            failure = e;
            listener.onFailure(e);
            throw e;
        } finally {
            try {
                t.release();
            } catch (IOException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    throw e;
                }
            }
        }
    }

    /** @return true if the strategy completed the transfer */
    private boolean attempt(int index, Transfer t, List<TransferResult.Attempt> attempts) throws TransferException {
        TransferStrategy s = strategies[index];
        long before = t.delivered();
        t.strategy(s.name());
        Outcome outcome;
        try {
            outcome = s.transfer(t);
        } catch (IOException | RuntimeException e) {
            if (e instanceof TransferException) {
                throw (TransferException) e;
            }
            throw new TransferException("transfer " + t.sourceKind() + " -> " + t.targetKind() + " failed: " + e,
                    s.name(), t.delivered(), t.undeliveredBytes(), e);
        }
        if (outcome.isComplete() || t.remaining() == 0) {
            if (attempts != null) {
                attempts.add(new TransferResult.Attempt(s.name(), t.delivered() - before, null));
            }
            return true;
        }
        if (attempts != null) {
            attempts.add(new TransferResult.Attempt(s.name(), t.delivered() - before, outcome.reason()));
        }
        if (memory.remember(index, t.sourceKind(), t.targetKind(), outcome)) {
            LOG.log(Level.DEBUG, () -> "zerocopy: strategy " + s.name() + " disabled for "
                    + (outcome.scope() == Outcome.Scope.ENGINE ? "this engine" : t.sourceKind() + " -> " + t.targetKind())
                    + ": " + outcome.reason());
        }
        listener.onFallback(s.name(), t.delivered(), outcome.reason());
        return false;
    }

    private long finish(Transfer t, List<TransferResult.Attempt> attempts, long startNanos) {
        if (attempts != null) {
            listener.onComplete(new TransferResult(t.delivered(), t.strategy(), attempts, System.nanoTime() - startNanos));
        }
        return t.delivered();
    }

    @Override
    public String toString() {
        return "TransferEngine{strategies=" + strategies() + ", threshold=" + threshold
                + ", chunkSize=" + buffers.bufferSize() + "}";
    }

    /**
     * Configures a {@link TransferEngine}. Not thread-safe; {@link #build()} may be called
     * more than once.
     */
    public static final class Builder {

        private long threshold = DEFAULT_THRESHOLD;
        private int chunkSize = DEFAULT_CHUNK_SIZE;
        private long mmapWindow = DEFAULT_MMAP_WINDOW;
        private boolean providers = !"false".equalsIgnoreCase(System.getProperty(PROVIDERS_PROPERTY));
        private List<String> order;
        private final List<TransferStrategy> first = new ArrayList<>();
        private TransferListener listener = TransferListener.NONE;
        private final Map<Integer, NavigableMap<Long, List<String>>> preferences = new HashMap<>();
        private boolean broadcastAllOrNothing;
        private long broadcastStallTimeoutNanos = TimeUnit.SECONDS.toNanos(30);

        Builder() { }

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
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("broadcastStallTimeout must be positive: " + timeout);
            }
            this.broadcastStallTimeoutNanos = timeout.toNanos();
            return this;
        }

        /**
         * @param bytes known sizes below this use the copy loop; 0 disables the threshold
         * @return this
         */
        public Builder threshold(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("threshold < 0: " + bytes);
            }
            this.threshold = bytes;
            return this;
        }

        /**
         * @param bytes the copy loop's buffer size; from 512 bytes to 64 MiB
         * @return this
         */
        public Builder chunkSize(int bytes) {
            if (bytes < 512 || bytes > (64 << 20)) {
                throw new IllegalArgumentException("chunkSize out of range [512, 64 MiB]: " + bytes);
            }
            this.chunkSize = bytes;
            return this;
        }

        /**
         * @param bytes the largest region the {@code mmap} strategy maps at once; at least 4 KiB
         * @return this
         */
        public Builder mmapWindow(long bytes) {
            if (bytes < 4096) {
                throw new IllegalArgumentException("mmapWindow < 4096: " + bytes);
            }
            this.mmapWindow = bytes;
            return this;
        }

        /**
         * Chooses which of the known strategies (core and provided) are used, and their order.
         * Strategies added with {@link #addFirst} still come first.
         *
         * @param names strategy names, such as {@code "transferTo", "copy"}
         * @return this
         * @throws IllegalArgumentException at {@link #build()} if a name is unknown
         */
        public Builder strategies(String... names) {
            Objects.requireNonNull(names, "names");
            List<String> list = new ArrayList<>(names.length);
            for (String n : names) {
                list.add(Objects.requireNonNull(n, "strategy name"));
            }
            this.order = list;
            return this;
        }

        /**
         * For one pair of endpoint kinds, tries the named strategies first, in this order, then
         * the rest in the engine's order. Names not in the engine are ignored. Replaces every
         * preference for that pair, including the built-in ones; with no names, restores the
         * engine's plain order for the pair.
         *
         * <p>Built in (when {@link #strategies} is not called), from the benchmark's size sweep
         * (docs/benchmarks.md): for file to socket and file to file below 256 KiB,
         * {@code transferTo} (sendfile beat splice, copy_file_range, mmap and the copy loop at 16
         * and 64 KiB); file to socket from 256 KiB, {@code mmap} (about 1.8 times sendfile and
         * splice over loopback; slower below, where mapping costs dominate).
         *
         * @param source the source kind
         * @param target the target kind
         * @param names strategy names
         * @return this
         */
        public Builder prefer(ChannelKind source, ChannelKind target, String... names) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            NavigableMap<Long, List<String>> bands = new TreeMap<>();
            bands.put(0L, List.of(names));
            preferences.put(Chains.pair(source, target), bands);
            return this;
        }

        /**
         * For one pair of endpoint kinds and transfers of at least {@code minSize} bytes (or of
         * unknown size), tries the named strategies first. Adds a size band to the pair's
         * preferences (a pair given any preference drops its built-in ones); the band with the
         * largest start not above the size applies, and below the first band the engine's plain
         * order.
         *
         * @param source the source kind
         * @param target the target kind
         * @param minSize where the band starts; {@code >= 0}
         * @param names strategy names; none for the engine's plain order in this band
         * @return this
         */
        public Builder prefer(ChannelKind source, ChannelKind target, long minSize, String... names) {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            if (minSize < 0) {
                throw new IllegalArgumentException("minSize < 0: " + minSize);
            }
            preferences.computeIfAbsent(Chains.pair(source, target), k -> new TreeMap<>()).put(minSize, List.of(names));
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
         *     default true unless the system property {@value #PROVIDERS_PROPERTY} is {@code false}
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
            Map<String, TransferStrategy> known = new LinkedHashMap<>();
            Map<String, BroadcastStrategy> broadcasters = new LinkedHashMap<>();
            if (providers) {
                for (TransferStrategyProvider p : ServiceLoader.load(TransferStrategyProvider.class,
                        TransferEngine.class.getClassLoader())) {
                    for (TransferStrategy s : p.strategies()) {
                        known.putIfAbsent(s.name(), s);
                    }
                    for (BroadcastStrategy s : p.broadcastStrategies()) {
                        broadcasters.putIfAbsent(s.name(), s);
                    }
                }
            }
            broadcasters.putIfAbsent(CopyBroadcast.NAME, new CopyBroadcast());
            for (TransferStrategy s : Arrays.asList(new TransferToStrategy(), new MmapStrategy(mmapWindow),
                    new CopyStrategy(), new TransferFromStrategy())) {
                known.putIfAbsent(s.name(), s);
            }
            List<TransferStrategy> chain = new ArrayList<>(first);
            if (order == null) {
                chain.addAll(known.values());
            } else {
                for (String name : order) {
                    TransferStrategy s = known.get(name);
                    if (s == null) {
                        throw new IllegalArgumentException("unknown strategy: " + name + "; known: " + known.keySet());
                    }
                    chain.add(s);
                }
            }
            List<String> names = new ArrayList<>();
            for (TransferStrategy s : chain) {
                if (names.contains(s.name())) {
                    throw new IllegalArgumentException("duplicate strategy name: " + s.name());
                }
                names.add(s.name());
            }
            TransferStrategy[] array = chain.toArray(new TransferStrategy[0]);
            Map<Integer, NavigableMap<Long, List<String>>> prefs = new HashMap<>();
            if (order == null) {
                NavigableMap<Long, List<String>> fileToSocket = new TreeMap<>();
                fileToSocket.put(0L, List.of(TransferToStrategy.NAME));
                fileToSocket.put(LARGE, List.of(MmapStrategy.NAME));
                prefs.put(Chains.pair(ChannelKind.FILE, ChannelKind.SOCKET), fileToSocket);
                NavigableMap<Long, List<String>> fileToFile = new TreeMap<>();
                fileToFile.put(0L, List.of(TransferToStrategy.NAME));
                fileToFile.put(LARGE, List.of());
                prefs.put(Chains.pair(ChannelKind.FILE, ChannelKind.FILE), fileToFile);
            }
            prefs.putAll(preferences);
            Chains chains = Chains.build(names, first.size(), prefs);
            return new TransferEngine(array, chains, threshold, new BufferPool(chunkSize, 16), new FailureMemory(array.length),
                    listener, broadcasters.values().toArray(new BroadcastStrategy[0]),
                    new BroadcastSettings(broadcastAllOrNothing, broadcastStallTimeoutNanos));
        }
    }
}

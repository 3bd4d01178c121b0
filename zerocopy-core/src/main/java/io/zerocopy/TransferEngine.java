package io.zerocopy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

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

    /** Default size threshold in bytes: smaller known sizes use the copy loop. */
    public static final long DEFAULT_THRESHOLD = 4096;
    /** Default chunk (buffer) size of the copy loop. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    /** Default mmap window size. */
    public static final long DEFAULT_MMAP_WINDOW = 16L << 20;
    /** System property: {@code false} stops engines from loading {@link TransferStrategyProvider}s. */
    public static final String PROVIDERS_PROPERTY = "io.zerocopy.providers";

    private final TransferStrategy[] strategies;
    private final int copyIndex;
    private final long threshold;
    private final BufferPool buffers;
    private final FailureMemory memory;
    private final TransferListener listener;

    private TransferEngine(TransferStrategy[] strategies, long threshold, BufferPool buffers, FailureMemory memory,
            TransferListener listener) {
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
        return new TransferEngine(strategies, threshold, buffers, memory, Objects.requireNonNull(listener, "listener"));
    }

    /** @return the names of the strategies, in the order they are tried */
    public List<String> strategies() {
        List<String> names = new ArrayList<>(strategies.length);
        for (TransferStrategy s : strategies) {
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
        if (position < 0) {
            throw new IllegalArgumentException("position < 0: " + position);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        if (position + count < 0) {
            throw new IllegalArgumentException("position + count overflows: position=" + position + ", count=" + count);
        }
        checkDistinctAndOpen(source, target);
        return run(source, ChannelKind.FILE, position, count, target, ChannelKind.of(target));
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
            for (int i = 0; i < strategies.length; i++) {
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

        Builder() { }

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
            if (providers) {
                for (TransferStrategyProvider p : ServiceLoader.load(TransferStrategyProvider.class,
                        TransferEngine.class.getClassLoader())) {
                    for (TransferStrategy s : p.strategies()) {
                        known.putIfAbsent(s.name(), s);
                    }
                }
            }
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
            return new TransferEngine(array, threshold, new BufferPool(chunkSize, 16), new FailureMemory(array.length),
                    listener);
        }
    }
}

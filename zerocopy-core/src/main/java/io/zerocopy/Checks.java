package io.zerocopy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Argument checks of the public calls, done before any byte moves; each message names the
 * argument and its value.
 */
final class Checks {

    private Checks() { }

    static void distinctFiles(Path source, Path target) throws IOException {
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
    }

    /** @return the timeout in nanoseconds, 0 for none */
    static long idleTimeout(java.time.Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout < 0: " + timeout);
        }
        return timeout.isZero() ? 0 : Math.max(1, timeout.toNanos());
    }

    static void region(long position, long count) {
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

    static void distinctAndOpen(Channel source, Channel target) throws ClosedChannelException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (source == target) {
            throw new IllegalArgumentException("source and target are the same channel: " + source);
        }
        if (!source.isOpen() || !target.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** @throws java.nio.channels.IllegalBlockingModeException if a selectable channel is in blocking mode */
    static void nonBlocking(Channel source, Channel target) {
        for (Channel c : new Channel[] {source, target}) {
            if (c instanceof java.nio.channels.SelectableChannel && ((java.nio.channels.SelectableChannel) c).isBlocking()) {
                throw new java.nio.channels.IllegalBlockingModeException();
            }
        }
    }

    static void buffers(ByteBuffer[] buffers, Channel target) throws ClosedChannelException {
        Objects.requireNonNull(buffers, "buffers");
        Objects.requireNonNull(target, "target");
        for (int i = 0; i < buffers.length; i++) {
            Objects.requireNonNull(buffers[i], "buffers[" + i + "]");
        }
        if (!target.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    static void targets(Channel source, List<? extends WritableByteChannel> targets) throws ClosedChannelException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(targets, "targets");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("targets is empty");
        }
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
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

    /**
     * @return {@code value}
     * @throws IllegalArgumentException naming the argument if it is below {@code min}
     */
    static long atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " < " + min + ": " + value);
        }
        return value;
    }

    /** @return the copy loop's buffer size, from 512 bytes to 64 MiB */
    static int chunkSize(int bytes) {
        if (bytes < 512 || bytes > (64 << 20)) {
            throw new IllegalArgumentException("chunkSize out of range [512, 64 MiB]: " + bytes);
        }
        return bytes;
    }

    /** @return a positive duration in nanoseconds */
    static long positive(String name, java.time.Duration timeout) {
        java.util.Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + timeout);
        }
        return timeout.toNanos();
    }

    /** @return the names as a list, each non-null and given once */
    static List<String> strategyNames(String method, String... names) {
        java.util.Objects.requireNonNull(names, "names");
        List<String> list = new java.util.ArrayList<>(names.length);
        for (String n : names) {
            java.util.Objects.requireNonNull(n, "strategy name");
            if (list.contains(n)) {
                throw new IllegalArgumentException(method + ": strategy " + n + " named twice in " + List.of(names));
            }
            list.add(n);
        }
        return List.copyOf(list);
    }

    /**
     * @return the options of a {@code transfer(Path, Path, CopyOption...)}
     * @throws UnsupportedOperationException for {@code ATOMIC_MOVE} or an option the copy does not know
     */
    static FileCopy.Options copyOptions(Path source, Path target, java.nio.file.CopyOption... options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        boolean replace = false;
        boolean attributes = false;
        boolean follow = true;
        for (int i = 0; i < options.length; i++) {
            java.nio.file.CopyOption o = Objects.requireNonNull(options[i], "options[" + i + "]");
            if (o == java.nio.file.StandardCopyOption.REPLACE_EXISTING) {
                replace = true;
            } else if (o == java.nio.file.StandardCopyOption.COPY_ATTRIBUTES) {
                attributes = true;
            } else if (o == java.nio.file.LinkOption.NOFOLLOW_LINKS) {
                follow = false;
            } else if (o == java.nio.file.StandardCopyOption.ATOMIC_MOVE) {
                throw new UnsupportedOperationException("ATOMIC_MOVE is a move option; a copy does not support it");
            } else {
                throw new UnsupportedOperationException("Unsupported copy option: " + o);
            }
        }
        return new FileCopy.Options(replace, attributes, follow);
    }
}

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
}

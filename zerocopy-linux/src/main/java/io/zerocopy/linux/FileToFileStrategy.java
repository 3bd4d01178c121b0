package io.zerocopy.linux;

import java.util.Objects;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.TransferStrategy;

/**
 * What the file-to-file strategies share: a name, the binding, and serving only a file source
 * to a file target (at any size). Internal: not API.
 */
abstract class FileToFileStrategy implements TransferStrategy {

    /** Bytes a non-blocking step of a file-to-file copy moves at most ({@link FileToFileStepper}). */
    static final long STEP_BYTES = 8L << 20;

    /** The binding. */
    final Syscalls sys;
    private final String name;

    /**
     * @param name the strategy's name
     * @param sys the binding
     */
    FileToFileStrategy(String name, Syscalls sys) {
        this.name = Objects.requireNonNull(name, "name");
        this.sys = Objects.requireNonNull(sys, "sys");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean supports(ChannelKind source, ChannelKind target, long size) {
        return source == ChannelKind.FILE && target == ChannelKind.FILE;
    }

    @Override
    public String toString() {
        return name;
    }
}

package io.zerocopy.spi;

import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;

/**
 * The kind of an endpoint: what the engine chooses strategies by.
 */
public enum ChannelKind {
    /** A {@link FileChannel}: positional, with a size. */
    FILE,
    /** A {@link SocketChannel}. */
    SOCKET,
    /** Either end of a {@link Pipe}. */
    PIPE,
    /** Any other channel, including a {@code FileChannel} on a file that reports no size. */
    CHANNEL,
    /**
     * Bytes in memory: the source of {@code TransferEngine.send}, read from
     * {@link Transfer#sourceBuffers()}. Never returned by {@link #of(Object)}.
     */
    MEMORY;

    /**
     * Returns the kind of a channel by its class alone.
     *
     * @param channel a channel; not null
     * @return its kind, {@link #CHANNEL} for anything not recognised
     */
    public static ChannelKind of(Object channel) {
        if (channel instanceof FileChannel) {
            return FILE;
        }
        if (channel instanceof SocketChannel) {
            return SOCKET;
        }
        if (channel instanceof Pipe.SourceChannel || channel instanceof Pipe.SinkChannel) {
            return PIPE;
        }
        return CHANNEL;
    }
}

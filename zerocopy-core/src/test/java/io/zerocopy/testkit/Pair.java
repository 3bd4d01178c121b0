package io.zerocopy.testkit;

import io.zerocopy.spi.ChannelKind;

/**
 * Source and target kinds exercised by the integrity matrix. The pairs with a {@code CHANNEL}
 * end carry its adversarial {@link ChannelBehaviour}s; those with a {@code CHANNEL} target run
 * only in a matrix that opts in ({@link IntegrityMatrix#coversChannelTargets()}).
 */
public enum Pair {
    FILE_TO_FILE(ChannelKind.FILE, ChannelKind.FILE),
    FILE_TO_SOCKET(ChannelKind.FILE, ChannelKind.SOCKET),
    FILE_TO_PIPE(ChannelKind.FILE, ChannelKind.PIPE),
    SOCKET_TO_SOCKET(ChannelKind.SOCKET, ChannelKind.SOCKET),
    SOCKET_TO_FILE(ChannelKind.SOCKET, ChannelKind.FILE),
    PIPE_TO_FILE(ChannelKind.PIPE, ChannelKind.FILE),
    PIPE_TO_SOCKET(ChannelKind.PIPE, ChannelKind.SOCKET),
    CHANNEL_TO_FILE(ChannelKind.CHANNEL, ChannelKind.FILE),
    FILE_TO_CHANNEL(ChannelKind.FILE, ChannelKind.CHANNEL),
    CHANNEL_TO_CHANNEL(ChannelKind.CHANNEL, ChannelKind.CHANNEL);

    /** The source kind. */
    public final ChannelKind source;
    /** The target kind. */
    public final ChannelKind target;

    Pair(ChannelKind source, ChannelKind target) {
        this.source = source;
        this.target = target;
    }
}

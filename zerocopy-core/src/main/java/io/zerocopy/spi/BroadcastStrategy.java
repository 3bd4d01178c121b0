package io.zerocopy.spi;

import java.io.IOException;
import java.util.List;

/**
 * One way of delivering one source to many targets; the extension point for
 * {@code TransferEngine.broadcast}. Offered by
 * {@link TransferStrategyProvider#broadcastStrategies()}; the portable strategy {@code copy}
 * (read each chunk once, write it to every target) is always last.
 *
 * <p>Contract for {@link #broadcast(Broadcast)}: read each source byte once
 * ({@link Broadcast#consumed(long)}), deliver it to every active target in order
 * ({@link Broadcast#advance(int, long)}), record a target's failure with
 * {@link Broadcast#fail(int, IOException)} and carry on with the others (the broadcast object
 * throws instead when the caller asked for all-or-nothing), and stop at end of stream or when
 * no target is left. {@link Outcome#unsupported} may be returned only before any source byte
 * is consumed. Implementations must be thread-safe.
 */
public interface BroadcastStrategy {

    /** @return a short, unique name, such as {@code "copy"} or {@code "tee"} */
    String name();

    /**
     * @param source the source kind
     * @param targets the kinds of the targets, in order
     * @param size bytes to deliver, or {@code -1} until end of stream
     * @return true if this strategy may be tried
     */
    boolean supports(ChannelKind source, List<ChannelKind> targets, long size);

    /**
     * @param broadcast the broadcast in progress; only valid during this call
     * @return {@link Outcome#COMPLETE}, or unsupported before any byte was consumed
     * @throws IOException on a source error, or a target error under all-or-nothing
     */
    Outcome broadcast(Broadcast broadcast) throws IOException;
}

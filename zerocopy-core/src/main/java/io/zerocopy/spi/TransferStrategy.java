package io.zerocopy.spi;

import java.io.IOException;

/**
 * One way of moving bytes from a source channel to a target channel: the extension point of
 * the library. Strategies are offered by a {@link TransferStrategyProvider} found with
 * {@link java.util.ServiceLoader}, or added to an engine with
 * {@code TransferEngine.Builder.addFirst(TransferStrategy)}.
 *
 * <p>Contract for {@link #transfer(Transfer)}:
 * <ul>
 *   <li>Move bytes from {@link Transfer#source()} (for a {@link ChannelKind#FILE} source, from
 *       {@link Transfer#position()}, never through the channel's own position) to
 *       {@link Transfer#target()}, and call {@link Transfer#advance(long)} after every write with
 *       the bytes that reached the target. The engine checks the counts against the
 *       transfer's bounds.</li>
 *   <li>Stop when {@link Transfer#remaining()} is zero or the source ends, and return
 *       {@link Outcome#COMPLETE}.</li>
 *   <li>If the path cannot serve these channels, return {@link Outcome#unsupported} having
 *       delivered every byte consumed from the source: the next strategy continues from there.</li>
 *   <li>Throw {@code IOException} for real I/O errors. Bytes consumed from the source but not
 *       delivered are reported first with {@link Transfer#undelivered(long)}. An unchecked
 *       exception is a bug: the engine lets it propagate unwrapped after cleaning up.</li>
 *   <li>Never busy-spin on a non-blocking channel: use {@link Transfer#awaitReadable()} and
 *       {@link Transfer#awaitWritable()}.</li>
 * </ul>
 *
 * <p>Implementations must be thread-safe: one instance serves concurrent transfers.
 */
public interface TransferStrategy {

    /**
     * @return a short, unique, stable name, such as {@code "copy"} or {@code "splice"}; used to
     *     select strategies by name and reported in {@code TransferResult}
     */
    String name();

    /**
     * Whether this strategy can serve transfers between these kinds of endpoint. Asked by the
     * engine before {@link #transfer}; a strategy may still return {@link Outcome#unsupported}
     * for a particular pair of channels.
     *
     * @param source the source kind
     * @param target the target kind
     * @param size the number of bytes to move, or {@code -1} when unknown (until end of stream)
     * @return true if this strategy may be tried
     */
    boolean supports(ChannelKind source, ChannelKind target, long size);

    /**
     * Moves bytes as described in the class contract.
     *
     * @param transfer the transfer in progress; only valid during this call
     * @return {@link Outcome#COMPLETE} or an unsupported outcome
     * @throws IOException on an I/O error; the engine reports the bytes delivered
     */
    Outcome transfer(Transfer transfer) throws IOException;
}

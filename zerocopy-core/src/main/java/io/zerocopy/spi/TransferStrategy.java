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
 *       the bytes that reached the target.</li>
 *   <li>Stop when {@link Transfer#remaining()} is zero or the source ends, and return
 *       {@link Outcome#COMPLETE}.</li>
 *   <li>If the path cannot serve these channels, return {@link Outcome#unsupported} having
 *       delivered every byte consumed from the source: the next strategy continues from there,
 *       also after bytes moved.</li>
 *   <li>Throw {@code IOException} for real I/O errors. Bytes consumed from the source but not
 *       delivered are reported first with {@link Transfer#undelivered(long)}. An unchecked
 *       exception is a bug: the engine lets it propagate unwrapped after cleaning up.</li>
 *   <li>Never busy-spin on a non-blocking channel: use {@link Transfer#awaitReadable()} and
 *       {@link Transfer#awaitWritable()}.</li>
 * </ul>
 *
 * <p>The engine checks what a strategy reports against the transfer's bounds, and a strategy
 * that breaks the contract fails the transfer loudly: a {@code TransferException} whose
 * {@code strategy()} names it and whose cause says what it reported, with
 * {@code bytesDelivered()} the bytes it and the strategies before it reported within bounds
 * (the target may hold bytes the strategy wrote but did not report). However the strategy
 * then returns or throws (catching the engine's exception changes nothing), the transfer
 * fails with it; what the strategy threw is added as suppressed. The breaches checked:
 * <ul>
 *   <li>{@link Transfer#advance(long)} with a negative count or more than
 *       {@link Transfer#remaining()}: it throws {@code IllegalArgumentException}, the cause;</li>
 *   <li>a null outcome; {@link Outcome#COMPLETE} with bytes remaining from a
 *       {@link ChannelKind#MEMORY} source, or from a {@link ChannelKind#FILE} source that still
 *       has a byte at {@link Transfer#position()} it already had when the transfer began (a file
 *       that ends early, or was cut during the transfer, makes a short transfer, not an error);
 *       and, from a memory source, buffer positions that moved by other than the bytes advanced:
 *       the cause is an {@code IllegalStateException}.</li>
 * </ul>
 * A stream source's end cannot be checked without consuming it: {@code COMPLETE} from a
 * socket, pipe or other channel is taken to mean its end of stream, and counts within the
 * bounds are taken as reported.
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
     * Whether the kernel may still read a {@link ChannelKind#MEMORY} source's buffers after
     * {@link #transfer} returned, so that the caller must not modify them yet ({@code vmsplice}
     * with unsafe reuse). The engine never uses such a strategy for a send whose caller reuses
     * the buffers at once, such as a {@code BufferCoalescer}'s.
     *
     * @return true if buffers may be read after return; false (the default) if every byte is
     *     out of the buffers when {@link #transfer} returns or throws
     */
    default boolean readsBuffersAfterReturn() {
        return false;
    }

    /**
     * Moves bytes as described in the class contract.
     *
     * @param transfer the transfer in progress; only valid during this call
     * @return {@link Outcome#COMPLETE} or an unsupported outcome
     * @throws IOException on an I/O error; the engine reports the bytes delivered
     */
    Outcome transfer(Transfer transfer) throws IOException;

    /**
     * The non-blocking form of this strategy for one transfer, for the asynchronous API and
     * the event-loop form. The transfer's selectable channels are in non-blocking mode.
     *
     * @param transfer the transfer, as {@link #transfer} would get it
     * @return a stepper, or null if this strategy runs only blocking for this transfer (the
     *     default); the asynchronous driver then runs {@link #transfer} on a thread of its own
     * @throws IOException if preparing fails
     */
    default Stepper stepper(Transfer transfer) throws IOException {
        return null;
    }
}

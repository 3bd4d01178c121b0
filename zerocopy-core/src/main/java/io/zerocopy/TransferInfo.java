package io.zerocopy;

import java.util.concurrent.atomic.AtomicLong;

import io.zerocopy.spi.ChannelKind;

/**
 * Which transfer a {@link TransferListener} call is about: its identity, its endpoint kinds and
 * the bytes it is to move. The engine makes one per transfer, when it begins, and passes that
 * same object to every listener call for the transfer, so a listener that observes concurrent
 * transfers can tell them apart by {@link #id()} or use the object itself as a map key (equality
 * is identity). Immutable; thread-safe.
 */
public final class TransferInfo {

    private static final AtomicLong IDS = new AtomicLong();

    private final long id;
    private final ChannelKind sourceKind;
    private final ChannelKind targetKind;
    private final long total;

    /**
     * @param total the bytes to move, or -1 if unknown
     */
    TransferInfo(ChannelKind sourceKind, ChannelKind targetKind, long total) {
        this.id = IDS.incrementAndGet();
        this.sourceKind = sourceKind;
        this.targetKind = targetKind;
        this.total = total;
    }

    /**
     * @return the transfer's number: positive, and no other transfer run by this copy of the
     *     library in this JVM has it; a later transfer has a larger one. The {@code transferId}
     *     of the transfer's JFR events (docs/observability.md)
     */
    public long id() {
        return id;
    }

    /** @return the kind of the source; {@link ChannelKind#MEMORY} for {@code send} */
    public ChannelKind sourceKind() {
        return sourceKind;
    }

    /** @return the kind of the target */
    public ChannelKind targetKind() {
        return targetKind;
    }

    /**
     * The bytes the transfer is to move: for a file source, the count asked for, less what lies
     * beyond the file's end when the transfer began (a file copy: the file's size); for
     * {@code send}, the buffers' remaining bytes. A file that grows or is cut while the
     * transfer runs can make the bytes delivered end above or below it.
     *
     * @return the bytes to move, or -1 for a source read until its end of stream (a socket, a
     *     pipe, an {@code InputStream}), whose size is not known
     */
    public long total() {
        return total;
    }

    /** @return whether {@link #total()} is known, that is, not -1 */
    public boolean hasTotal() {
        return total >= 0;
    }

    @Override
    public String toString() {
        return "transfer #" + id + " " + sourceKind + " -> " + targetKind
                + (hasTotal() ? ", " + total + " bytes" : ", to end of stream");
    }
}

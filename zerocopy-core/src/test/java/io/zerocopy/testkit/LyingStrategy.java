package io.zerocopy.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * A custom strategy that delivers some bytes honestly (read from the source, written with
 * {@link Transfer#writeFully}, so every count is true) and then, if bytes remain, tells its
 * {@link Lie}. {@link #told()} says whether it did, {@link #toldDetectably()} whether the
 * engine could see it. For tests of the engine's checks; one transfer at a time.
 */
public final class LyingStrategy implements TransferStrategy {

    /** What the strategy reports once its honest bytes are delivered. */
    public enum Lie {
        /** No lie: returns {@code unsupported}, which the contract allows after bytes moved. */
        GIVES_UP(true),
        /** Returns {@code COMPLETE} with bytes remaining (only if the source has them). */
        COMPLETES_EARLY(false),
        /** Calls {@code advance(remaining() + 10)} without writing (for a stream, that overflows to negative). */
        ADVANCES_PAST_THE_END(true),
        /** Calls {@code advance(-1)}. */
        ADVANCES_NEGATIVE(true),
        /** Calls {@code advance(remaining() + 1)}, catches the engine's exception and returns {@code COMPLETE}. */
        HIDES_A_BAD_ADVANCE(true),
        /** Returns null. */
        RETURNS_NULL(true);

        private final boolean seenOnStreams;

        Lie(boolean seenOnStreams) {
            this.seenOnStreams = seenOnStreams;
        }

        /**
         * @param source the transfer's source kind
         * @return whether the engine can tell this lie from the truth for such a source: a
         *     stream's end cannot be checked without consuming it, so {@code COMPLETE} from a
         *     stream is taken as its end
         */
        public boolean detectable(ChannelKind source) {
            return this != GIVES_UP && (seenOnStreams || source == ChannelKind.FILE || source == ChannelKind.MEMORY);
        }
    }

    private final String name;
    private final Lie lie;
    private final long honestBytes;
    private boolean told;
    private boolean detectably;

    /**
     * @param name the strategy's name
     * @param lie what it reports after its honest bytes
     * @param honestBytes how many bytes it delivers first (fewer if the source ends)
     */
    public LyingStrategy(String name, Lie lie, long honestBytes) {
        this.name = name;
        this.lie = lie;
        this.honestBytes = honestBytes;
    }

    /** @return the lie this strategy tells */
    public Lie lie() {
        return lie;
    }

    /** @return whether it told its lie in the last transfer it served (it may have finished honestly first) */
    public boolean told() {
        return told;
    }

    /** @return whether it told its lie in the last transfer, to a source whose kind lets the engine see it */
    public boolean toldDetectably() {
        return detectably;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return true;
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        told = false;
        detectably = false;
        ByteBuffer buf = ByteBuffer.allocate(1000);
        long budget = honestBytes;
        while (budget > 0 && t.remaining() > 0) {
            buf.clear().limit((int) Math.min(Math.min(budget, buf.capacity()), t.remaining()));
            int n = t.sourceKind() == ChannelKind.FILE ? t.sourceFile().read(buf, t.position()) : t.source().read(buf);
            if (n < 0) {
                return Outcome.COMPLETE;
            }
            if (n == 0) {
                if (t.sourceKind() == ChannelKind.FILE) {
                    return Outcome.COMPLETE;
                }
                t.awaitReadable();
                continue;
            }
            buf.flip();
            try {
                t.writeFully(buf);
            } catch (IOException | RuntimeException e) {
                if (t.sourceKind() != ChannelKind.FILE) {
                    t.undelivered(buf.remaining());
                }
                throw e;
            }
            budget -= n;
        }
        if (t.remaining() == 0 || lie == Lie.COMPLETES_EARLY && !sourceHasMore(t)) {
            return Outcome.COMPLETE;
        }
        told = true;
        detectably = lie.detectable(t.sourceKind());
        switch (lie) {
            case GIVES_UP:
                return Outcome.unsupported(Outcome.Scope.TRANSFER, name + " gives up after " + honestBytes + " bytes");
            case COMPLETES_EARLY:
                return Outcome.COMPLETE;
            case ADVANCES_PAST_THE_END:
                t.advance(t.remaining() + 10);
                return Outcome.COMPLETE;
            case ADVANCES_NEGATIVE:
                t.advance(-1);
                return Outcome.COMPLETE;
            case HIDES_A_BAD_ADVANCE:
                try {
                    t.advance(t.remaining() + 1);
                } catch (IllegalArgumentException hidden) {
                    // the engine remembers
                }
                return Outcome.COMPLETE;
            default:
                return null;
        }
    }

    /** @return whether the source still has bytes at the transfer's position (a stream: assumed so) */
    private static boolean sourceHasMore(Transfer t) throws IOException {
        return t.sourceKind() != ChannelKind.FILE || t.position() < t.sourceFile().size();
    }

    @Override
    public String toString() {
        return name + "(" + lie + " after " + honestBytes + ")";
    }
}

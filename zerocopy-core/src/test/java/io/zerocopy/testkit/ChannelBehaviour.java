package io.zerocopy.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;

import io.zerocopy.spi.ChannelKind;

/**
 * How a generic ({@link ChannelKind#CHANNEL CHANNEL}) endpoint moves bytes:
 * a dimension of the {@link IntegrityMatrix}. The adversarial behaviours wrap an in-memory
 * channel so that each call moves fewer bytes than it could, as Okio's
 * {@code ONE_BYTE_AT_A_TIME} sources do; a strategy must still deliver every byte in order.
 * Kernel endpoints (files, sockets, pipes) cannot be wrapped without changing their kind, so an
 * adversarial behaviour applies only to pairs with a {@code CHANNEL} end, and wraps every such end.
 *
 * <p>Each zero-byte call costs the transfer a back-off park (about 0.1 ms), and one byte a call
 * costs {@code transferTo} a file read per byte; {@link #maxSize()} bounds the sizes a behaviour
 * runs with, so that its cells take about as long as the normal ones.
 */
public enum ChannelBehaviour {

    /** The in-memory channel as it is: each call moves all it can. */
    NORMAL(Long.MAX_VALUE) {
        @Override
        int allow(int remaining, SplittableRandom random) {
            return remaining;
        }
    },

    /** One byte a call: the least progress a call can make without making none. */
    ONE_BYTE_AT_A_TIME(4097) {
        @Override
        int allow(int remaining, SplittableRandom random) {
            return 1;
        }
    },

    /**
     * A seeded-random count a call, from 1 to 3,000 bytes (so never a page or buffer multiple
     * for long), and none on about one call in four.
     */
    SHORT_AND_ZERO((1 << 20) + 3) {
        @Override
        int allow(int remaining, SplittableRandom random) {
            return random.nextInt(4) == 0 ? 0 : Math.min(random.nextInt(1, 3_001), remaining);
        }
    };

    private final long maxSize;

    ChannelBehaviour(long maxSize) {
        this.maxSize = maxSize;
    }

    /** @return the largest transfer size the matrix runs with this behaviour */
    public long maxSize() {
        return maxSize;
    }

    /**
     * @param pair an endpoint pair
     * @return whether the matrix runs the pair with this behaviour: {@link #NORMAL} always, the
     *     others if the pair has a {@code CHANNEL} end
     */
    public boolean appliesTo(Pair pair) {
        return this == NORMAL || pair.source == ChannelKind.CHANNEL || pair.target == ChannelKind.CHANNEL;
    }

    /**
     * @param kind the kind of one end of a pair
     * @return this behaviour for a {@code CHANNEL} end, {@link #NORMAL} for any other
     */
    public ChannelBehaviour on(ChannelKind kind) {
        return kind == ChannelKind.CHANNEL ? this : NORMAL;
    }

    /**
     * @param remaining bytes the caller's buffer offers, at least 1
     * @param random the channel's own seeded random source
     * @return how many of them this call may move, 0 to {@code remaining}
     */
    abstract int allow(int remaining, SplittableRandom random);

    /**
     * @param in a channel
     * @return {@code in} for {@link #NORMAL}, else a channel that reads from it as this behaviour says
     */
    public ReadableByteChannel reader(ReadableByteChannel in) {
        return this == NORMAL ? in : new Throttled(this, in, in::read, true);
    }

    /**
     * @param out a channel
     * @return {@code out} for {@link #NORMAL}, else a channel that writes to it as this behaviour says
     */
    public WritableByteChannel writer(WritableByteChannel out) {
        return this == NORMAL ? out : new Throttled(this, out, out::write, false);
    }

    /** A read or a write of the delegate. */
    @FunctionalInterface
    private interface Op {
        int apply(ByteBuffer buf) throws IOException;
    }

    /**
     * A plain channel (of kind {@code CHANNEL}) that lets each call of one direction, read or
     * write, through a behaviour; the other direction throws.
     */
    private static final class Throttled implements ByteChannel {
        private final ChannelBehaviour behaviour;
        private final Channel delegate;
        private final Op op;
        private final boolean reads;
        private final SplittableRandom random = new SplittableRandom(0x5eed);

        Throttled(ChannelBehaviour behaviour, Channel delegate, Op op, boolean reads) {
            this.behaviour = behaviour;
            this.delegate = delegate;
            this.op = op;
            this.reads = reads;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!reads) {
                throw new NonReadableChannelException();
            }
            return move(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (reads) {
                throw new NonWritableChannelException();
            }
            return move(src);
        }

        /** @return what the delegate returns for the part of {@code buf} the behaviour allows, or 0 */
        private int move(ByteBuffer buf) throws IOException {
            int n = buf.hasRemaining() ? behaviour.allow(buf.remaining(), random) : 0;
            if (n == 0) {
                return 0;
            }
            ByteBuffer part = buf.duplicate().limit(buf.position() + n);
            int moved = op.apply(part);
            buf.position(part.position());
            return moved;
        }

        @Override
        public boolean isOpen() {
            return delegate.isOpen();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}

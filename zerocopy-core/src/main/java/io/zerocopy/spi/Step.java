package io.zerocopy.spi;

import java.nio.channels.SelectionKey;
import java.util.Objects;

/**
 * What one {@link Stepper#step()} of a transfer came to: the transfer is complete, the strategy
 * cannot go on (the next continues from the exact byte reached, as after
 * {@link TransferStrategy#transfer} returned {@link Outcome#unsupported}), or it must wait until
 * the source is readable and/or the target writable. Immutable.
 */
public final class Step {

    /** Every byte asked for was delivered (or a file or stream source ended). */
    public static final Step COMPLETE = new Step(Outcome.COMPLETE, 0);
    /** Wait until the source is readable ({@link SelectionKey#OP_READ}). */
    public static final Step AWAIT_SOURCE = new Step(null, SelectionKey.OP_READ);
    /** Wait until the target is writable ({@link SelectionKey#OP_WRITE}). */
    public static final Step AWAIT_TARGET = new Step(null, SelectionKey.OP_WRITE);
    /** Wait until the source is readable or the target writable, whichever comes first. */
    public static final Step AWAIT_EITHER = new Step(null, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    /**
     * More can move now, but the step used its share: step again once the other transfers
     * sharing the thread had their turn (no readiness to wait for; {@link #interest()} is 0).
     */
    public static final Step YIELD = new Step(null, 0);

    private final Outcome outcome;
    private final int ops;

    private Step(Outcome outcome, int ops) {
        this.outcome = outcome;
        this.ops = ops;
    }

    /**
     * @param unsupported why the strategy cannot go on, with its scope
     * @return a step that hands the transfer to the next strategy
     */
    public static Step fallback(Outcome unsupported) {
        if (Objects.requireNonNull(unsupported, "unsupported").isComplete()) {
            throw new IllegalArgumentException("a fallback needs an unsupported outcome, not COMPLETE");
        }
        return new Step(unsupported, 0);
    }

    /** @return the outcome: {@link Outcome#COMPLETE}, a fallback's, or null while waiting */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * @return what to wait for: {@link SelectionKey#OP_READ} (the source readable) and/or
     *     {@link SelectionKey#OP_WRITE} (the target writable); 0 for {@link #YIELD} and when the
     *     step ended the strategy
     */
    public int interest() {
        return ops;
    }

    /** @return true if the strategy must wait before its next step */
    public boolean isWaiting() {
        return outcome == null;
    }

    @Override
    public String toString() {
        return outcome != null ? outcome.toString() : ops == 0 ? "yield"
                : "await" + ((ops & SelectionKey.OP_READ) != 0 ? " source" : "") + ((ops & SelectionKey.OP_WRITE) != 0 ? " target" : "");
    }
}

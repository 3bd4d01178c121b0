package io.zerocopy.spi;

import java.util.Objects;

/**
 * What a {@link TransferStrategy} reports when it returns: either it finished the transfer,
 * or it cannot serve it any further and the next strategy in the chain continues from the
 * byte the transfer has reached.
 *
 * <p>Real I/O errors are not outcomes: a strategy throws them as {@code IOException}.
 */
public final class Outcome {

    /** How long the engine remembers that a strategy cannot serve. */
    public enum Scope {
        /** Only this transfer (a property of these particular descriptors or files). */
        TRANSFER,
        /** Every later transfer in this engine: the path does not exist on this system. */
        ENGINE
    }

    /**
     * The strategy delivered every byte asked for, or every byte up to the source's end of
     * stream.
     */
    public static final Outcome COMPLETE = new Outcome(null, null);

    private final Scope scope;
    private final String reason;

    private Outcome(Scope scope, String reason) {
        this.scope = scope;
        this.reason = reason;
    }

    /**
     * The strategy cannot serve this transfer from the byte it has reached. Every byte the
     * strategy consumed from the source must have been delivered (recorded with
     * {@link Transfer#advance(long)}) before it returns this.
     *
     * @param scope how widely the selector should remember it; not null
     * @param reason why, for logs and {@code TransferResult}; not null
     * @return the outcome
     */
    public static Outcome unsupported(Scope scope, String reason) {
        return new Outcome(Objects.requireNonNull(scope, "scope"), Objects.requireNonNull(reason, "reason"));
    }

    /** @return true for {@link #COMPLETE} */
    public boolean isComplete() {
        return scope == null;
    }

    /** @return how widely to remember an unsupported outcome; null for {@link #COMPLETE} */
    public Scope scope() {
        return scope;
    }

    /** @return why the strategy could not serve; null for {@link #COMPLETE} */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return isComplete() ? "COMPLETE" : "UNSUPPORTED(" + scope + ": " + reason + ")";
    }
}

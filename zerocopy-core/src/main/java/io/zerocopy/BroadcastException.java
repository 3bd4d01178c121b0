package io.zerocopy;

/**
 * A broadcast stopped: the source failed, every target failed, or a target failed under
 * all-or-nothing. {@link #result()} says what each target received and why it stopped.
 */
public final class BroadcastException extends TransferException {

    private static final long serialVersionUID = 1L;

    private final transient BroadcastResult result;

    /**
     * @param message what failed
     * @param result what each target received
     * @param cause the first failure, or null
     */
    BroadcastException(String message, BroadcastResult result, Throwable cause) {
        super(message + "; " + describe(result), result.strategy(), minDelivered(result), 0, cause);
        this.result = result;
    }

    /** @return per-target counts and failures */
    public BroadcastResult result() {
        return result;
    }

    private static long minDelivered(BroadcastResult r) {
        return r.targets().stream().mapToLong(BroadcastResult.Target::bytes).min().orElse(0);
    }

    private static String describe(BroadcastResult r) {
        StringBuilder sb = new StringBuilder("source bytes read ").append(r.sourceBytes()).append("; targets:");
        for (BroadcastResult.Target t : r.targets()) {
            sb.append(" #").append(t.index()).append('=').append(t.bytes());
            if (t.failure() != null) {
                sb.append(" (").append(t.failure()).append(')');
            }
        }
        return sb.toString();
    }
}

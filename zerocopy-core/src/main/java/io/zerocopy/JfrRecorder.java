package io.zerocopy;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

import io.zerocopy.spi.Outcome;

/**
 * The JFR events of transfers; the only class that names {@code jdk.jfr}, loaded by
 * {@link TransferRecorder#INSTANCE} when the runtime has the module. Thread-safe: holds nothing.
 *
 * <p>Cost when no recording runs: {@link #start()} reads {@link FlightRecorder#isInitialized()},
 * a static field, and returns. Until something starts JFR in this JVM
 * ({@code -XX:StartFlightRecording}, {@code jcmd JFR.start}, Mission Control, the
 * {@code jdk.jfr} API), the event classes are not even loaded (loading the first
 * {@code Event} subclass loads and sets up JFR's own classes). Once JFR has been
 * started, each transfer makes a {@link TransferEvent} and asks {@link Event#isEnabled()},
 * which the JIT reduces to a flag check with no allocation while no recording wants it.
 *
 * <p>Both events are enabled, with no threshold and no stack trace, in any recording that does
 * not say otherwise (JFR takes an event's annotations for what its settings file does not
 * name); a recording changes that with event settings such as
 * {@code +io.zerocopy.Transfer#threshold=10ms} or {@code +io.zerocopy.Transfer#stackTrace=true}.
 * No stack trace by default: it is most of an event's cost (docs/observability.md).
 */
final class JfrRecorder implements TransferRecorder {

    static final String COMPLETED = "completed";
    static final String FAILED = "failed";
    static final String TIMED_OUT = "timed out";

    @Override
    public Span start() {
        if (!FlightRecorder.isInitialized()) {
            return null;
        }
        TransferEvent event = new TransferEvent();
        if (!event.isEnabled() && !new FallbackEvent().isEnabled()) {
            return null;
        }
        event.begin();
        return event;
    }

    /** One transfer, from its start to its end; committed when it ends, also when it fails. */
    @Name("io.zerocopy.Transfer")
    @Label("Transfer")
    @Category("zerocopy")
    @Description("One zerocopy transfer: its endpoints, the strategy that ran last, the fallbacks"
            + " before it, the bytes and the outcome")
    @StackTrace(false)
    static final class TransferEvent extends Event implements Span {

        @Label("Transfer Id")
        @Description("The transfer's TransferInfo.id(), also on its Fallback events")
        long transferId;

        @Label("Source Kind")
        @Description("FILE, SOCKET, PIPE, CHANNEL (any other channel or stream) or MEMORY (send)")
        String sourceKind;

        @Label("Target Kind")
        @Description("FILE, SOCKET, PIPE or CHANNEL (any other channel or stream)")
        String targetKind;

        @Label("Strategy")
        @Description("The strategy that ran last: the one that completed the transfer, or was running when it"
                + " failed; none if no strategy ran")
        String strategy;

        @Label("Fallbacks")
        @Description("How many strategies handed over to the next (one Fallback event each)")
        int fallbacks;

        @Label("Total")
        @Description("The bytes the transfer was to move; -1 for a source read until its end of stream")
        @DataAmount
        long total;

        @Label("Delivered")
        @Description("The bytes that reached the target")
        @DataAmount
        long delivered;

        @Label("Undelivered")
        @Description("Bytes read from a stream source that did not reach the target (lost to the caller)")
        @DataAmount
        long undelivered;

        @Label("Copied")
        @Description("Of the bytes delivered, those a zero-copy strategy moved through a user-space buffer instead"
                + " of its own path (a splice relay step with no pooled pipe free); 0 when none did")
        @DataAmount
        long copied;

        @Label("Outcome")
        @Description("completed, failed or timed out")
        String outcome;

        @Label("Exception")
        @Description("The class of the failure's cause (of the exception thrown when it has no cause); none if"
                + " the transfer completed")
        String exception;

        @Label("Message")
        @Description("The exception's message, with the bytes delivered; none if the transfer completed")
        String message;

        @Override
        public void fallback(TransferInfo transfer, String strategy, long delivered, Outcome outcome) {
            FallbackEvent f = new FallbackEvent();
            if (f.shouldCommit()) {
                f.transferId = transfer.id();
                f.strategy = strategy;
                f.reason = outcome.reason();
                f.scope = outcome.scope().name();
                f.delivered = delivered;
                f.commit();
            }
        }

        @Override
        public void finish(TransferInfo transfer, TransferState state, Throwable failure) {
            end();
            if (!shouldCommit()) {
                return;
            }
            transferId = transfer.id();
            sourceKind = transfer.sourceKind().name();
            targetKind = transfer.targetKind().name();
            strategy = state.strategy();
            fallbacks = state.fallbacks();
            total = transfer.total();
            delivered = state.delivered();
            undelivered = state.undeliveredBytes();
            copied = state.copied();
            if (failure == null) {
                outcome = COMPLETED;
            } else {
                outcome = failure instanceof TransferTimeoutException ? TIMED_OUT : FAILED;
                Throwable reported = failure instanceof TransferException && failure.getCause() != null
                        ? failure.getCause() : failure;
                exception = reported.getClass().getName();
                message = failure.getMessage();
            }
            commit();
        }
    }

    /** A strategy handed a transfer over to the next, at the byte it had reached. */
    @Name("io.zerocopy.Fallback")
    @Label("Fallback")
    @Category("zerocopy")
    @Description("A strategy could not serve a transfer; the next continues from the byte reached")
    @StackTrace(false)
    static final class FallbackEvent extends Event {

        @Label("Transfer Id")
        @Description("The transferId of the transfer's Transfer event")
        long transferId;

        @Label("Strategy")
        @Description("The strategy that gave up")
        String strategy;

        @Label("Reason")
        @Description("Why it gave up")
        String reason;

        @Label("Scope")
        @Description("TRANSFER: only this transfer; ENGINE: the strategy is not tried again by this engine")
        String scope;

        @Label("Delivered")
        @Description("The bytes delivered in the transfer when it gave up")
        @DataAmount
        long delivered;
    }
}

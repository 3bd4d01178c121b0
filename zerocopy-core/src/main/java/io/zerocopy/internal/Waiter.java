package io.zerocopy.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Internal: not API. The one way the library waits, with one interrupt and close contract.
 * A transfer or broadcast makes one waiter for its channels and waits only through it:
 * <ul>
 *   <li>{@link #select} waits on selectable channels in non-blocking mode with a selector
 *       opened on first need;</li>
 *   <li>{@link #poll} waits on native descriptors through a {@link Poll} the caller supplies
 *       (zerocopy-linux: poll(2));</li>
 *   <li>{@link #backOff()} parks with an exponential back-off, from {@value #MIN_PARK_NANOS} ns
 *       doubling to {@value #MAX_PARK_NANOS} ns, reset by {@link #progressed()}: for channels
 *       that cannot be selected and for calls that keep saying "not ready" after a readiness
 *       report. Never a busy spin.</li>
 * </ul>
 * Every wait lasts at most {@link #SLICE_MILLIS} before {@link #checkLive()} runs again, so an
 * interrupt or a close by another thread is noticed within that time.
 *
 * <p>Idle timeout: a waiter made with one throws {@link InterruptedByTimeoutException} from any
 * wait that begins, or would last, past the last {@link #progressed() progress} plus the
 * timeout; the engine reports it as a {@code TransferTimeoutException} with the counts. No wait
 * outlasts the deadline. A JDK read or write on a blocking channel, which no wait of the
 * library's bounds, is guarded instead ({@link #beforeBlockingCall}): past the deadline a
 * watchdog thread closes that channel, the only way to end such a call, and the call's failure
 * becomes the timeout.
 *
 * <p>Contract of {@link #checkLive()}, the same for every strategy: if the thread is
 * interrupted, every channel of the waiter is closed and {@link ClosedByInterruptException}
 * thrown (the interrupt status stays set), as a blocking NIO operation does; if a channel that
 * must stay open was closed by another thread, {@link AsynchronousCloseException}.
 *
 * <p>Not thread-safe: one per transfer, used on the transferring thread. Close it when the
 * transfer ends (it may hold a selector).
 */
public final class Waiter implements Closeable {

    /** Longest single wait, in milliseconds, between two liveness checks. */
    public static final int SLICE_MILLIS = 100;
    /** Set by {@link #cancel()}, from any thread. */
    private volatile boolean cancelled;
    static final long MIN_PARK_NANOS = 1_000;
    static final long MAX_PARK_NANOS = 10_000_000;

    /** One readiness wait on native descriptors. */
    @FunctionalInterface
    public interface Poll {
        /**
         * @param timeoutMillis how long to wait at most; at least 1
         * @return true if a descriptor is ready (or in error: the next call reports it), false on timeout
         * @throws IOException if waiting fails
         */
        boolean poll(int timeoutMillis) throws IOException;
    }

    private final Channel[] channels;
    private final int mustStayOpen;
    private final long idleTimeoutNanos;
    private volatile long lastProgress;
    /** The channel a guarded JDK call may block on, or null; written under this waiter's lock. */
    private Channel blockedOn;
    /** Set by the watchdog, under this waiter's lock, when it closed {@link #blockedOn}. */
    private volatile boolean expired;
    private boolean watched;
    private Selector selector;
    private long parkNanos = MIN_PARK_NANOS;

    private Waiter(Channel[] channels, int mustStayOpen, long idleTimeoutNanos) {
        this.channels = channels;
        this.mustStayOpen = mustStayOpen;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.lastProgress = System.nanoTime();
    }

    /**
     * @param source the transfer's source
     * @param target the transfer's target
     * @param idleTimeoutNanos how long no byte may move; 0 for no limit
     * @return a waiter for a transfer: both channels must stay open, both are closed on interrupt
     */
    public static Waiter forTransfer(Channel source, Channel target, long idleTimeoutNanos) {
        return new Waiter(new Channel[] {source, target}, 2, idleTimeoutNanos);
    }

    /**
     * @param source the broadcast's source
     * @param targets its targets
     * @param idleTimeoutNanos how long no byte may move to any target; 0 for no limit
     * @return a waiter for a broadcast: the source must stay open (a closed target fails that
     *     target alone, which the broadcast checks); all are closed on interrupt
     */
    public static Waiter forBroadcast(Channel source, java.util.List<? extends Channel> targets, long idleTimeoutNanos) {
        Channel[] all = new Channel[targets.size() + 1];
        all[0] = source;
        for (int i = 0; i < targets.size(); i++) {
            all[i + 1] = targets.get(i);
        }
        return new Waiter(all, 1, idleTimeoutNanos);
    }

    /**
     * @param transfer a transfer in progress
     * @return the engine's waiter of that transfer; for a transfer made elsewhere (a test's),
     *     a new waiter without idle timeout, which the caller closes
     */
    public static Waiter of(io.zerocopy.spi.Transfer transfer) {
        return transfer instanceof Waitable ? ((Waitable) transfer).waiter()
                : forTransfer(transfer.source(), transfer.target(), 0);
    }

    /**
     * @param broadcast a broadcast in progress
     * @return the engine's waiter of that broadcast, or a new one as {@link #of(io.zerocopy.spi.Transfer)}
     */
    public static Waiter of(io.zerocopy.spi.Broadcast broadcast) {
        if (broadcast instanceof Waitable) {
            return ((Waitable) broadcast).waiter();
        }
        java.util.List<Channel> targets = new java.util.ArrayList<>();
        for (int i = 0; i < broadcast.targetCount(); i++) {
            targets.add(broadcast.target(i));
        }
        return forBroadcast(broadcast.source(), targets, 0);
    }

    /**
     * Applies the interrupt and close contract (see the class comment).
     *
     * @throws ClosedByInterruptException if the thread is interrupted (the channels are then closed)
     * @throws AsynchronousCloseException if a channel that must stay open was closed
     */
    public void checkLive() throws IOException {
        if (cancelled) {
            throw new Cancelled();
        }
        if (Thread.currentThread().isInterrupted()) {
            ClosedByInterruptException e = new ClosedByInterruptException();
            for (Channel c : channels) {
                try {
                    c.close();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        for (int i = 0; i < mustStayOpen; i++) {
            if (!channels[i].isOpen()) {
                throw new AsynchronousCloseException();
            }
        }
    }

    /**
     * Cancels the transfer: from now on {@link #checkLive()} throws {@link Cancelled}, on any
     * thread, without closing the channels (the asynchronous counterpart of an interrupt).
     * Thread-safe.
     */
    public void cancel() {
        cancelled = true;
    }

    /** @return true once {@link #cancel()} was called */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * @return {@link System#nanoTime()} at which the transfer idles out, or {@link Long#MAX_VALUE}
     *     without an idle timeout
     */
    public long idleDeadline() {
        return idleTimeoutNanos == 0 ? Long.MAX_VALUE : lastProgress + idleTimeoutNanos;
    }

    /**
     * @throws InterruptedByTimeoutException if the idle deadline has passed
     */
    public void checkIdle() throws InterruptedByTimeoutException {
        bounded(Long.MAX_VALUE);
    }

    /** What {@link #checkLive()} throws after {@link #cancel()}: the engine reports it as a cancellation, with the counts. */
    public static final class Cancelled extends java.io.InterruptedIOException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("transfer cancelled");
        }
    }

    /** Bytes moved: the idle clock restarts, and the next {@link #backOff()} parks the shortest time. */
    public void progressed() {
        parkNanos = MIN_PARK_NANOS;
        if (idleTimeoutNanos > 0) {
            lastProgress = System.nanoTime();
        }
    }

    /**
     * @param maxNanos the longest wait the caller wants
     * @return {@code maxNanos}, shortened to the idle deadline
     * @throws InterruptedByTimeoutException if the idle deadline has passed
     */
    private long bounded(long maxNanos) throws InterruptedByTimeoutException {
        if (idleTimeoutNanos == 0) {
            return maxNanos;
        }
        long left = lastProgress + idleTimeoutNanos - System.nanoTime();
        if (left <= 0) {
            throw new InterruptedByTimeoutException();
        }
        return Math.min(maxNanos, left);
    }

    /** @return the idle timeout in nanoseconds; 0 for none */
    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /**
     * Waits until {@code channel} may be ready for {@code op}: selects on a selectable channel
     * in non-blocking mode, backs off for any other.
     *
     * @param channel one of this waiter's channels
     * @param op {@link SelectionKey#OP_READ} or {@link SelectionKey#OP_WRITE}
     * @throws IOException if waiting fails, or as {@link #checkLive()}
     */
    public void await(Channel channel, int op) throws IOException {
        if (channel instanceof SelectableChannel && !((SelectableChannel) channel).isBlocking()) {
            interest((SelectableChannel) channel, op);
            select(TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS));
        } else {
            backOff();
        }
    }

    /**
     * Sets this waiter's interest in a selectable channel in non-blocking mode, registering
     * it on first use; 0 leaves it registered but not selected.
     *
     * @param channel the channel
     * @param ops the operations to wait for
     * @throws IOException if registering fails
     */
    public void interest(SelectableChannel channel, int ops) throws IOException {
        if (selector == null) {
            selector = Selector.open();
        }
        SelectionKey key = channel.keyFor(selector);
        if (key == null) {
            channel.register(selector, ops);
        } else if (key.isValid()) {
            key.interestOps(ops);
        }
    }

    /**
     * Waits until a channel registered with {@link #interest} is ready, or at most
     * {@code maxNanos} (and one slice), then checks liveness.
     *
     * @param maxNanos the longest wait; at least one millisecond is waited
     * @throws InterruptedByTimeoutException past the idle deadline
     * @throws IOException if selecting fails, or as {@link #checkLive()}
     */
    public void select(long maxNanos) throws IOException {
        if (selector == null) {
            backOff();
            return;
        }
        selector.select(sliceMillis(bounded(maxNanos)));
        selector.selectedKeys().clear();
        checkLive();
    }

    /**
     * Waits on native descriptors: calls {@code poll} in slices until it reports ready or
     * {@code maxNanos} passed, checking liveness before each slice.
     *
     * @param poll the readiness wait
     * @param maxNanos the longest wait; {@code Long.MAX_VALUE} until ready
     * @throws IOException if polling fails, or as {@link #checkLive()}
     */
    public void poll(Poll poll, long maxNanos) throws IOException {
        long deadline = maxNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + maxNanos;
        while (true) {
            checkLive();
            long left = bounded(deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime());
            if (poll.poll(sliceMillis(left)) || left <= TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS)) {
                return;
            }
        }
    }

    /**
     * Parks for the current back-off, doubles it, then checks liveness.
     *
     * @throws IOException as {@link #checkLive()}
     */
    public void backOff() throws IOException {
        LockSupport.parkNanos(bounded(parkNanos));
        parkNanos = Math.min(parkNanos * 2, MAX_PARK_NANOS);
        checkLive();
    }

    /**
     * @param channel one of this waiter's channels
     * @return true if a JDK read or write on it may block out of reach of the library's waits
     *     and this waiter has an idle timeout: a channel that is neither a file nor a
     *     selectable channel in non-blocking mode
     */
    public boolean guards(Channel channel) {
        return idleTimeoutNanos > 0 && !(channel instanceof java.nio.channels.FileChannel)
                && !(channel instanceof SelectableChannel && !((SelectableChannel) channel).isBlocking());
    }

    /**
     * Before a JDK call on a channel that {@link #guards}: from now until
     * {@link #afterBlockingCall()} or {@link #blockingCallFailed}, the watchdog closes
     * {@code channel} once the idle deadline passes. Allocates nothing after the first call.
     *
     * @param channel the channel the call may block on
     * @throws InterruptedByTimeoutException if the idle deadline has passed already
     */
    public void beforeBlockingCall(Channel channel) throws InterruptedByTimeoutException {
        bounded(Long.MAX_VALUE);
        synchronized (this) {
            blockedOn = channel;
        }
        if (!watched) {
            watched = true;
            Watchdog.watch(this);
        }
    }

    /**
     * After the guarded call returned, and after its bytes were counted.
     *
     * @throws InterruptedByTimeoutException if the watchdog closed the channel meanwhile: the
     *     call outlasted the deadline, and the channel is closed
     */
    public void afterBlockingCall() throws InterruptedByTimeoutException {
        synchronized (this) {
            blockedOn = null;
        }
        if (expired) {
            throw new InterruptedByTimeoutException();
        }
    }

    /**
     * After the guarded call threw, and after the bytes it moved were counted.
     *
     * @param failure what it threw
     * @return an {@link InterruptedByTimeoutException} caused by {@code failure} if the watchdog
     *     closed the channel, else {@code failure}
     */
    public IOException blockingCallFailed(IOException failure) {
        synchronized (this) {
            blockedOn = null;
        }
        if (!expired) {
            return failure;
        }
        InterruptedByTimeoutException timeout = new InterruptedByTimeoutException();
        timeout.initCause(failure);
        return timeout;
    }

    /** Watchdog: closes the guarded channel if its call has lasted past the idle deadline. */
    void expireIfBlockedPast(long now) {
        Channel toClose;
        synchronized (this) {
            toClose = blockedOn;
            if (toClose == null || now - (lastProgress + idleTimeoutNanos) < 0) {
                return;
            }
            expired = true;
            blockedOn = null;
        }
        try {
            toClose.close(); // outside the lock: a blocking channel's close waits for the blocked call to leave
        } catch (IOException e) {
            // closed, or as closed as it gets: the call ends either way
        }
    }

    private static int sliceMillis(long maxNanos) {
        return (int) Math.max(1, Math.min(SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(maxNanos) + 1));
    }

    @Override
    public void close() throws IOException {
        if (watched) {
            watched = false;
            Watchdog.unwatch(this);
        }
        if (selector != null) {
            Selector s = selector;
            selector = null;
            s.close();
        }
    }
}

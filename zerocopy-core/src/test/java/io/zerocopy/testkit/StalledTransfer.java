package io.zerocopy.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.TransferException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A transfer running on a thread of its own toward a reader that never reads, so that another
 * thread (the test's) can interrupt it or close its channels and check that it ends in time.
 */
public final class StalledTransfer {

    /** How long {@link #start} lets the sender fill the socket and wait: the state under test. */
    private static final long STALL_MILLIS = 500;

    private final Thread sender;
    private final AtomicReference<Object> outcome = new AtomicReference<>();
    private long cancelledAt;

    private StalledTransfer(Callable<Long> transfer) {
        this.sender = new Thread(() -> {
            try {
                outcome.set(transfer.call());
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "stalled-transfer");
    }

    /**
     * Starts the transfer, then returns once it has had time to fill the connection and wait.
     *
     * @param transfer the transfer; its reader must not read
     * @return the running transfer
     * @throws InterruptedException if the test thread is interrupted
     */
    public static StalledTransfer start(Callable<Long> transfer) throws InterruptedException {
        StalledTransfer s = new StalledTransfer(transfer);
        s.sender.start();
        Thread.sleep(STALL_MILLIS); // not a synchronisation: the stall is what is tested
        s.cancelledAt = System.nanoTime();
        return s;
    }

    /** Interrupts the sending thread. */
    public void interrupt() {
        cancelledAt = System.nanoTime();
        sender.interrupt();
    }

    /**
     * Marks now as the moment of cancellation (call just before closing a channel from the test thread).
     *
     * @return this
     */
    public StalledTransfer cancelling() {
        cancelledAt = System.nanoTime();
        return this;
    }

    /**
     * Waits for the transfer to end and asserts that it ended within {@code millis} of the
     * cancellation with a {@link TransferException}.
     *
     * @param millis the bound
     * @param what names the case in failure messages
     * @return the exception
     * @throws InterruptedException if the test thread is interrupted
     */
    public TransferException failsWithin(long millis, String what) throws InterruptedException {
        sender.join(5_000);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
        assertFalse(sender.isAlive(), what + " still blocked 5 s after the cancellation");
        assertTrue(took < millis, what + " ended " + took + " ms after the cancellation");
        return assertInstanceOf(TransferException.class, outcome.get());
    }
}

package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;

import io.zerocopy.AsyncTransferTest;
import io.zerocopy.TransferEngine;

/**
 * The core's asynchronous behaviour (waiting holds no thread, cancellation within 100 ms and the
 * idle timeout with exact counts, blocking mode restored, file threads, 10,000 transfers without
 * a descriptor left) on the io_uring loops, where 300 waiting transfers also keep a poll each in
 * flight, start no io-wq worker and leave no poll behind; skipped with the probe's cause where io_uring does
 * not serve.
 */
class UringAsyncTransferTest extends AsyncTransferTest {

    @Override
    protected TransferEngine.Builder configure(TransferEngine.Builder builder) {
        return builder.eventLoops(Linux.ioUringEventLoops());
    }

    @Override
    protected String loopThreads() {
        return UringEventLoop.THREAD_NAME;
    }

    @Override
    protected int loopCount() {
        return Linux.ioUringEventLoops().loops().size();
    }

    private int workersBefore;

    /** A poll in flight per waiting transfer, and no io-wq worker for them. */
    @Override
    protected void whileWaiting(int transfers) throws Exception {
        assertTrue(UringEventLoopTest.ioWqWorkers() <= workersBefore, "no io-wq worker for the polls");
        int polls = UringEventLoopTest.pollsInFlight();
        assertTrue(polls >= transfers, "a poll per waiting transfer: " + polls);
    }

    /** No poll left in flight, no channel watched, no io-wq worker started. */
    @Override
    protected void afterTransfers() throws Exception {
        UringEventLoopTest.assertNothingInFlight();
        assertTrue(UringEventLoopTest.ioWqWorkers() <= workersBefore, "no io-wq worker for inline steps");
    }

    @BeforeEach
    void ioUring() throws Exception {
        workersBefore = UringEventLoopTest.ioWqWorkers();
        IoUringTest.requireIoUring();
        assertEquals("io_uring", engine.eventLoops().name());
    }
}

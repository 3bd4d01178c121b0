package io.zerocopy;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Step;
import io.zerocopy.spi.Stepper;

/**
 * A transfer for an event loop ({@link TransferEngine#nonBlocking}): each {@link #step()} moves
 * what can move now, never waits on a peer, and says what to wait for; the caller's own
 * selector (or Netty's, or any loop's) waits, and the caller steps again. The strategies are the
 * engine's plan, in their non-blocking form ({@link io.zerocopy.spi.Stepper}: the core's copy
 * loop, transferTo, mmap and transferFrom; zerocopy-linux's splice, sendfile, copyFileRange and
 * reflink); a strategy without one for these channels (an end that is neither a file nor a
 * selectable channel; a memory send's vmsplice or sendZc) is passed over.
 *
 * <p>Files in the loop: a step that reads or writes a regular file runs that call on the loop's
 * thread and may block it for the page cache or the disk (the asynchronous API runs such steps
 * on its file threads instead). Each such step is bounded (at most 1 MiB to a socket or pipe; a
 * window of mmap; 8 MiB a call between two files, reflink's one call whole), but a step that
 * yields with no channel to wait on (both ends files) is stepped again at once: between two
 * files one {@link #step()} runs the whole copy.
 *
 * <p>Counts and errors are the blocking call's: a failure throws the same
 * {@link TransferException}, with the exact bytes delivered. Not thread-safe: one event-loop
 * thread steps it. Close it if you abandon it before it is done.
 */
public final class NonBlockingTransfer implements Closeable {

    private final FallbackChain.Run run;
    private Stepper stepper;
    private TransferResult result;
    private boolean closed;

    NonBlockingTransfer(FallbackChain.Run run) {
        this.run = run;
    }

    /**
     * Moves what can move now.
     *
     * @return 0 when the transfer is done ({@link #result()}), else what to wait for:
     *     {@link SelectionKey#OP_READ} (the source readable) and/or {@link SelectionKey#OP_WRITE}
     *     (the target writable)
     * @throws TransferException if the transfer failed (it is then done), with the bytes delivered
     * @throws IllegalStateException if closed
     */
    public int step() throws IOException {
        if (result != null) {
            return 0;
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        TransferState t = run.state();
        try {
            while (true) {
                if (stepper == null) {
                    if (!run.next()) {
                        throw run.noStrategy();
                    }
                    stepper = run.strategy().stepper(t);
                    if (stepper == null) {
                        run.ended(Outcome.unsupported(Outcome.Scope.TRANSFER, run.strategy().name() + " runs only blocking"));
                        continue;
                    }
                }
                Step s = stepper.step();
                if (s.isWaiting()) {
                    if (s.interest() != 0) {
                        return s.interest();
                    }
                    int ready = selectable(t.target()) ? SelectionKey.OP_WRITE : selectable(t.source()) ? SelectionKey.OP_READ : 0;
                    if (ready != 0) {
                        return ready; // a yield: ready at once, after the loop's other channels
                    }
                    continue;
                }
                Stepper done = stepper;
                stepper = null;
                done.close();
                if (run.ended(s.outcome())) {
                    result = run.result();
                    closed = true;
                    run.end(null);
                    return 0;
                }
            }
        } catch (IOException e) {
            TransferException failure = e instanceof TransferException ? (TransferException) e : run.failed(e);
            abandon(failure);
            throw failure;
        } catch (RuntimeException e) {
            TransferException failure;
            try {
                failure = run.unchecked(e);
            } catch (RuntimeException bug) {
                abandon(bug);
                throw bug;
            }
            abandon(failure);
            throw failure;
        }
    }

    private static boolean selectable(Object channel) {
        return channel instanceof SelectableChannel;
    }

    /** @return true once {@link #step()} returned 0 or threw, or after {@link #close()} */
    public boolean isDone() {
        return closed;
    }

    /**
     * @return the result of a completed transfer
     * @throws IllegalStateException if it has not completed
     */
    public TransferResult result() {
        if (result == null) {
            throw new IllegalStateException("not completed");
        }
        return result;
    }

    /** @return the bytes delivered so far */
    public long delivered() {
        return run.state().delivered();
    }

    /** @return bytes read from a stream source and never delivered (after a failure or an early close) */
    public long bytesUndelivered() {
        return run.state().undeliveredBytes();
    }

    /**
     * Abandons the transfer if it is not done: releases its pipes, descriptors and buffer; the
     * listener gets a failure. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        abandon(null);
    }

    private void abandon(Throwable failure) {
        closed = true;
        Stepper s = stepper;
        stepper = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            run.end(failure != null ? failure : new TransferCancelledException("non-blocking transfer closed before its end",
                    run.state().strategy(), run.state().delivered(), run.state().undeliveredBytes(), null));
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }
}

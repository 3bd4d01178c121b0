package io.zerocopy.spi;

import java.io.Closeable;
import java.io.IOException;

/**
 * A strategy's transfer run as a sequence of non-blocking steps, for the asynchronous API and
 * the event-loop form ({@code TransferEngine.transferAsync}, {@code TransferEngine.nonBlocking}).
 * Made by {@link TransferStrategy#stepper(Transfer)} for one transfer.
 *
 * <p>Each {@link #step()} moves what can move now without waiting on a peer, a bounded amount
 * (so that other transfers sharing the thread get their turn), reports every byte delivered
 * through {@link Transfer#advance}, and says what comes next. It never calls
 * {@link Transfer#awaitReadable()} or {@link Transfer#awaitWritable()}; the caller waits
 * instead, for the interest of the returned {@link Step}, and then steps again. A step that
 * reads or writes a regular file may block on the disk for that call
 * ({@link #blocksOnFileIo()}). Used by one thread at a time, never concurrently.
 */
public interface Stepper extends Closeable {

    /**
     * Moves what can move now.
     *
     * @return {@link Step#COMPLETE}, a {@link Step#fallback}, or what to wait for
     * @throws IOException if the transfer fails; bytes already reported stay delivered
     */
    Step step() throws IOException;

    /**
     * @return true if a step may block on a regular file's I/O: the asynchronous driver then runs
     *     the steps on its file threads, not on its readiness thread
     */
    default boolean blocksOnFileIo() {
        return false;
    }

    /**
     * Releases what the stepper holds (pipes, descriptors, buffers); bytes read from a stream
     * source and not delivered are reported through {@link Transfer#undelivered}. Called once,
     * after the last step, also after a failure or a cancellation.
     *
     * @throws IOException if releasing fails
     */
    @Override
    void close() throws IOException;
}

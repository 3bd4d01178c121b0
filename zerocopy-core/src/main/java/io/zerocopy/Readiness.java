package io.zerocopy;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a non-blocking channel without spinning. A selectable channel in non-blocking mode
 * is registered with a selector opened on first need and closed with the transfer; any other
 * channel that makes no progress is waited on by parking with an exponential back-off
 * (1 microsecond up to 10 milliseconds, restarting after progress). An interrupt while
 * waiting closes the channel and throws {@link ClosedByInterruptException}, as a blocking NIO
 * operation would. Not thread-safe: one per transfer.
 */
final class Readiness implements Closeable {

    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long SELECT_TIMEOUT_MILLIS = 1000;

    private Selector selector;
    private long parkNanos = MIN_PARK_NANOS;

    void await(Channel channel, int op) throws IOException {
        if (channel instanceof SelectableChannel) {
            SelectableChannel sc = (SelectableChannel) channel;
            if (!sc.isBlocking()) {
                select(sc, op);
                return;
            }
        }
        LockSupport.parkNanos(parkNanos);
        parkNanos = Math.min(parkNanos * 2, MAX_PARK_NANOS);
        checkInterrupt(channel);
    }

    private void select(SelectableChannel channel, int op) throws IOException {
        if (selector == null) {
            selector = Selector.open();
        }
        SelectionKey key = channel.keyFor(selector);
        if (key == null) {
            key = channel.register(selector, op);
        } else {
            key.interestOps(op);
        }
        selector.select(SELECT_TIMEOUT_MILLIS);
        selector.selectedKeys().clear();
        checkInterrupt(channel);
    }

    /**
     * Applies NIO's interrupt contract to the wait: if the thread is interrupted, the channel
     * waited on is closed and {@link ClosedByInterruptException} thrown, the interrupt status
     * staying set.
     */
    private static void checkInterrupt(Channel channel) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            try {
                channel.close();
            } catch (IOException e) {
                ClosedByInterruptException ex = new ClosedByInterruptException();
                ex.addSuppressed(e);
                throw ex;
            }
            throw new ClosedByInterruptException();
        }
    }

    /** Records progress: the next wait on a non-selectable channel starts again from the shortest park. */
    void progressed() {
        parkNanos = MIN_PARK_NANOS;
    }

    @Override
    public void close() throws IOException {
        if (selector != null) {
            selector.close();
            selector = null;
        }
    }
}

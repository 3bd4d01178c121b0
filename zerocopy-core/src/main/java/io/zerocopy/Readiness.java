package io.zerocopy;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.Channel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a non-blocking channel without spinning. A selectable channel in non-blocking mode
 * is registered with a selector opened on first need and closed with the transfer; any other
 * channel that makes no progress is waited on by parking with an exponential back-off
 * (1 microsecond up to 10 milliseconds, restarting after progress). Not thread-safe: one per transfer.
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
        checkInterrupt();
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
        checkInterrupt();
    }

    private static void checkInterrupt() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting for a non-blocking channel");
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

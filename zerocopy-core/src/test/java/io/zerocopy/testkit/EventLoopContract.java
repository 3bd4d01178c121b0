package io.zerocopy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.zerocopy.spi.EventLoop;

/**
 * The contract of {@link EventLoop}, for every implementation: tasks and waiters run on the
 * loop's thread, in order; timers fire at their deadline unless cancelled; a waiter runs once
 * on readiness and never after {@code unwatch}; a released channel can return to blocking mode
 * and block; a closed channel cannot be watched.
 */
@Timeout(30)
public abstract class EventLoopContract {

    /** @return the loop under test (running) */
    protected abstract EventLoop loop();

    /** Runs {@code body} on the loop's thread and waits for it. */
    private <T> T onLoop(java.util.concurrent.Callable<T> body) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop().execute(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    public void tasksRunOnTheLoopThreadInOrder() throws Exception {
        EventLoop loop = loop();
        assertFalse(loop.inLoop());
        int n = 10_000;
        int[] seen = new int[1];
        boolean[] ordered = {true};
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            int k = i;
            loop.execute(() -> {
                ordered[0] &= loop.inLoop() && seen[0] == k;
                seen[0]++;
                if (k == n - 1) {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertTrue(ordered[0], "every task on the loop's thread, in order");
    }

    @Test
    public void aTaskThatThrowsDoesNotStopTheLoop() throws Exception {
        loop().execute(() -> {
            throw new IllegalStateException("expected by the test");
        });
        assertEquals(1, (int) onLoop(() -> 1));
    }

    @Test
    public void timersFireAtTheirDeadlineUnlessCancelled() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Long> fired = new CompletableFuture<>();
        AtomicInteger cancelledRan = new AtomicInteger();
        loop().schedule(start + TimeUnit.MILLISECONDS.toNanos(200), cancelledRan::incrementAndGet).cancel();
        loop().schedule(start + TimeUnit.MILLISECONDS.toNanos(100), () -> fired.complete(System.nanoTime()));
        long millis = TimeUnit.NANOSECONDS.toMillis(fired.get(5, TimeUnit.SECONDS) - start);
        assertTrue(millis >= 99 && millis < 1000, "fired after " + millis + " ms");
        Thread.sleep(300);
        assertEquals(0, cancelledRan.get(), "a cancelled timer does not run");
    }

    @Test
    public void aWaiterRunsOnceWhenTheChannelIsReadable() throws Exception {
        Pipe p = Pipe.open();
        try (Pipe.SourceChannel r = p.source(); Pipe.SinkChannel w = p.sink()) {
            r.configureBlocking(false);
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch ran = new CountDownLatch(1);
            onLoop(() -> {
                loop().watch(r, SelectionKey.OP_READ, () -> {
                    assertTrue(loop().inLoop());
                    runs.incrementAndGet();
                    ran.countDown();
                });
                return null;
            });
            Thread.sleep(100);
            assertEquals(0, runs.get(), "not readable yet");
            w.write(ByteBuffer.wrap(new byte[] {1}));
            assertTrue(ran.await(5, TimeUnit.SECONDS));
            Thread.sleep(100);
            assertEquals(1, runs.get(), "one-shot: still readable, not run again");
            release(r);
        }
    }

    @Test
    public void anUnwatchedWaiterNeverRuns() throws Exception {
        Pipe p = Pipe.open();
        try (Pipe.SourceChannel r = p.source(); Pipe.SinkChannel w = p.sink()) {
            r.configureBlocking(false);
            AtomicInteger runs = new AtomicInteger();
            onLoop(() -> {
                loop().watch(r, SelectionKey.OP_READ, runs::incrementAndGet);
                loop().unwatch(r, SelectionKey.OP_READ);
                return null;
            });
            w.write(ByteBuffer.wrap(new byte[] {1}));
            Thread.sleep(200);
            assertEquals(0, runs.get());
            release(r);
        }
    }

    @Test
    public void aChannelHasAReaderAndAWriterAtOnce() throws Exception {
        Loopback.Connection c = Loopback.connect();
        try {
            c.accepted.configureBlocking(false);
            CountDownLatch both = new CountDownLatch(2);
            onLoop(() -> {
                loop().watch(c.accepted, SelectionKey.OP_READ, both::countDown);
                loop().watch(c.accepted, SelectionKey.OP_WRITE, both::countDown);
                return null;
            });
            c.client.write(ByteBuffer.wrap(new byte[] {1}));
            assertTrue(both.await(5, TimeUnit.SECONDS), "the read and the write waiter both ran");
            release(c.accepted);
        } finally {
            c.close();
        }
    }

    @Test
    public void aReleasedChannelReturnsToBlockingModeAndBlocks() throws Exception {
        Pipe p = Pipe.open();
        try (Pipe.SourceChannel r = p.source(); Pipe.SinkChannel w = p.sink()) {
            r.configureBlocking(false);
            AtomicInteger runs = new AtomicInteger();
            onLoop(() -> {
                loop().watch(r, SelectionKey.OP_READ, runs::incrementAndGet); // still waiting when released
                return null;
            });
            release(r);
            r.configureBlocking(true);
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(100);
                    w.write(ByteBuffer.wrap(new byte[] {7}));
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            ByteBuffer b = ByteBuffer.allocate(1);
            assertEquals(1, r.read(b), "a blocking read after the release");
            assertEquals(7, b.get(0));
            Thread.sleep(100);
            assertEquals(0, runs.get(), "a released channel's waiter never runs");
        }
    }

    @Test
    public void aClosedChannelCannotBeWatched() throws Exception {
        Pipe p = Pipe.open();
        p.sink().close();
        Pipe.SourceChannel r = p.source();
        r.configureBlocking(false);
        r.close();
        Exception e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> onLoop(() -> {
                    loop().watch(r, SelectionKey.OP_READ, () -> { });
                    return null;
                }));
        assertTrue(e.getCause() instanceof ClosedChannelException, String.valueOf(e.getCause()));
    }

    private void release(java.nio.channels.SelectableChannel ch) throws Exception {
        CompletableFuture<Boolean> released = new CompletableFuture<>();
        loop().release(ch, () -> released.complete(loop().inLoop()));
        assertTrue(released.get(5, TimeUnit.SECONDS), "the release's continuation runs on the loop");
    }
}

package io.zerocopy.bench.timing.proxy;

import static io.zerocopy.bench.timing.proxy.Sockets.address;
import static io.zerocopy.bench.timing.proxy.Sockets.closeQuietly;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferFuture;
import io.zerocopy.TransferInfo;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;

/**
 * The proxy: three listeners (bulk, idle and probe connections; the first and last relay
 * from the upstream's bulk listener, the second from its idle one), each with a platform
 * acceptor thread that starts one thread of the row's kind per connection, or (async rows) that
 * connects upstream itself and starts one {@code engine.transferAsync} per connection, the
 * sockets closed when the transfer has stopped.
 */
final class Proxy {
    final AtomicLong errors = new AtomicLong();
    final AtomicReference<String> firstError = new AtomicReference<>();
    /** Connection handlers alive: threads, or transfers not yet stopped (async). */
    final AtomicInteger handlersAlive = new AtomicInteger();
    /** Transfers completed, by the strategy that finished each and the strategies that gave up before it. */
    final ConcurrentHashMap<String, LongAdder> finishedBy = new ConcurrentHashMap<>();
    /** Null for async rows. */
    private final ThreadFactory threads;
    private final TransferEngine engine;
    private final ServerSocketChannel bulk;
    private final ServerSocketChannel idle;
    private final ServerSocketChannel probe;
    private final List<Thread> acceptors = new ArrayList<>();
    private final Queue<Thread> handlers = new ConcurrentLinkedQueue<>();
    private final Queue<TransferFuture> transfers = new ConcurrentLinkedQueue<>();
    private final Queue<SocketChannel> channels = new ConcurrentLinkedQueue<>();
    private volatile boolean closing;

    /** @param threads starts a connection's thread; null: an asynchronous transfer per connection */
    Proxy(ThreadFactory threads, TransferEngine engine, Upstream upstream, int backlog) throws IOException {
        this(threads, engine, address(upstream.bulk), address(upstream.idle), loopbackListeners(), false, backlog);
    }

    /**
     * @param threads starts a connection's thread; null: an asynchronous transfer per connection
     * @param upstreamBulk where bulk and probe connections are relayed from
     * @param upstreamIdle where idle connections are relayed from
     * @param listen where the bulk, idle and probe listeners bind, in that order (port 0: an ephemeral one)
     * @param reusePort SO_REUSEPORT on the listeners, so that the proxies of other processes can
     *     listen on the same ports and share the connections
     * @throws IOException if a listener cannot be bound (those already bound are closed)
     */
    Proxy(ThreadFactory threads, TransferEngine engine, InetSocketAddress upstreamBulk, InetSocketAddress upstreamIdle,
            InetSocketAddress[] listen, boolean reusePort, int backlog) throws IOException {
        this.threads = threads;
        this.engine = engine.withListener(new TransferListener() {
            @Override
            public void onComplete(TransferInfo transfer, TransferResult result) {
                finishedBy.computeIfAbsent(path(result), k -> new LongAdder()).increment();
            }
        });
        ServerSocketChannel[] s = new ServerSocketChannel[3];
        try {
            for (int i = 0; i < s.length; i++) {
                s[i] = Sockets.listen(listen[i], reusePort, backlog);
            }
        } catch (IOException | RuntimeException e) {
            for (ServerSocketChannel c : s) {
                closeQuietly(c);
            }
            throw e;
        }
        bulk = s[0];
        idle = s[1];
        probe = s[2];
        acceptors.add(Threads.daemon(() -> accept(bulk, upstreamBulk, true), "proxy-accept-bulk"));
        acceptors.add(Threads.daemon(() -> accept(idle, upstreamIdle, true), "proxy-accept-idle"));
        acceptors.add(Threads.daemon(() -> accept(probe, upstreamBulk, false), "proxy-accept-probe"));
    }

    private static InetSocketAddress[] loopbackListeners() {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return new InetSocketAddress[] {any, any, any};
    }

    InetSocketAddress bulkAddress() {
        return address(bulk);
    }

    InetSocketAddress idleAddress() {
        return address(idle);
    }

    InetSocketAddress probeAddress() {
        return address(probe);
    }

    private void accept(ServerSocketChannel server, InetSocketAddress upstream, boolean countErrors) {
        try {
            while (true) {
                SocketChannel client = server.accept();
                Sockets.buffers(client);
                track(client);
                if (threads == null) {
                    relayAsync(client, upstream, countErrors);
                    continue;
                }
                Thread t = threads.newThread(() -> relay(client, upstream, countErrors));
                handlers.add(t);
                t.start();
            }
        } catch (IOException e) {
            // the listener was closed at the end of the row
        }
    }

    /** One connection's thread: connect upstream, one transfer, close both. */
    private void relay(SocketChannel client, InetSocketAddress upstream, boolean countErrors) {
        handlersAlive.incrementAndGet();
        SocketChannel up = null;
        try {
            up = SocketChannel.open();
            track(up);
            Sockets.buffers(up);
            up.connect(upstream);
            engine.transfer(up, client);
        } catch (IOException | RuntimeException e) {
            failed(e, countErrors);
        } finally {
            closeQuietly(up);
            closeQuietly(client);
            handlersAlive.decrementAndGet();
        }
    }

    /**
     * One connection without a thread of its own: connect upstream (blocking, on the acceptor),
     * start one transfer, close both when it has stopped ({@link TransferFuture#stopped()}).
     */
    private void relayAsync(SocketChannel client, InetSocketAddress upstream, boolean countErrors) {
        SocketChannel up = null;
        try {
            up = SocketChannel.open();
            track(up);
            Sockets.buffers(up);
            up.connect(upstream);
            TransferFuture f = engine.transferAsync(up, client);
            handlersAlive.incrementAndGet();
            transfers.add(f);
            SocketChannel upstreamSide = up;
            f.stopped().whenComplete((result, failure) -> {
                if (failure != null) {
                    failed(failure, countErrors);
                }
                closeQuietly(upstreamSide);
                closeQuietly(client);
                handlersAlive.decrementAndGet();
            });
            if (closing) {
                f.cancel(true);
            }
        } catch (IOException | RuntimeException e) {
            failed(e, countErrors);
            closeQuietly(up);
            closeQuietly(client);
        }
    }

    /**
     * @return the strategies of {@code result}'s attempts, "a (why)>b" when a gave up (the
     *     reason up to its first colon) and b finished
     */
    private static String path(TransferResult result) {
        StringBuilder sb = new StringBuilder();
        for (TransferResult.Attempt a : result.attempts()) {
            sb.append(sb.length() == 0 ? "" : ">").append(a.strategy());
            if (a.fallbackReason() != null) {
                String why = a.fallbackReason();
                sb.append(" (").append(why.contains(":") ? why.substring(0, why.indexOf(':')) : why).append(')');
            }
        }
        return sb.length() == 0 ? result.strategy() : sb.toString();
    }

    /** @return the transfers completed so far by each path, "splice 1000, copy 8", sorted */
    String finishedBy() {
        Map<String, Long> counts = new HashMap<>();
        finishedBy.forEach((path, n) -> counts.put(path, n.sum()));
        return describe(counts);
    }

    /** @return {@code counts} of transfers by path as {@link #finishedBy()} writes them */
    static String describe(Map<String, Long> counts) {
        return new TreeMap<>(counts).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private void failed(Throwable e, boolean countErrors) {
        if (countErrors && !closing) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, e.toString());
        }
    }

    /** Registers a channel for the end of the row; closes it now if the row is ending. */
    private void track(SocketChannel ch) {
        channels.add(ch);
        if (closing) {
            closeQuietly(ch);
        }
    }

    /**
     * Closes the listeners, cancels every asynchronous transfer, closes every channel,
     * interrupts every connection thread, and waits for the threads to end and the transfers to
     * stop for at most {@value Threads#JOIN_MILLIS} ms in all.
     *
     * @return the threads still alive and the transfers not stopped
     */
    int shutdown() {
        closing = true;
        closeQuietly(bulk);
        closeQuietly(idle);
        closeQuietly(probe);
        for (Thread t : acceptors) {
            Threads.join(t);
        }
        for (TransferFuture f : transfers) {
            f.cancel(true);
        }
        for (SocketChannel ch : channels) {
            closeQuietly(ch);
        }
        for (Thread t : handlers) {
            t.interrupt();
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Threads.JOIN_MILLIS);
        int alive = 0;
        for (Thread t : handlers) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            try {
                if (left > 0) {
                    t.join(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                alive++;
            }
        }
        for (TransferFuture f : transfers) {
            CompletableFuture<?> stopped = f.stopped().toCompletableFuture();
            long left = end - System.nanoTime();
            try {
                if (left > 0) {
                    stopped.get(left, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // cancelled transfers stop exceptionally; one not stopped in time is counted below
            }
            if (!stopped.isDone()) {
                alive++;
            }
        }
        return alive;
    }
}

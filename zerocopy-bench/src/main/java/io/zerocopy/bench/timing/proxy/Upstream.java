package io.zerocopy.bench.timing.proxy;

import static io.zerocopy.bench.timing.proxy.Sockets.closeQuietly;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upstream server: one listener whose connections each get {@code size} bytes of the
 * file (sendfile, non-blocking, at most {@link #SEND_CHUNK} per connection per turn, from one
 * selector thread) and are then closed; one whose
 * connections get nothing and are held until the row ends.
 */
final class Upstream implements Closeable {

    /** Most bytes the upstream sends to one connection per turn of its loop, so that a new connection waits little. */
    private static final long SEND_CHUNK = 64 << 10;

    final ServerSocketChannel bulk;
    final ServerSocketChannel idle;
    final AtomicInteger idleAccepted = new AtomicInteger();
    private final Selector selector;
    private final FileChannel data;
    private final long size;
    private final List<SocketChannel> held = new ArrayList<>();
    private final Thread loop;
    private volatile boolean running = true;

    Upstream(FileChannel data, long size, int backlog) throws IOException {
        this(data, size, InetAddress.getLoopbackAddress(), backlog);
    }

    /** @param host the address both listeners bind, on ephemeral ports */
    Upstream(FileChannel data, long size, InetAddress host, int backlog) throws IOException {
        this.data = data;
        this.size = size;
        selector = Selector.open();
        bulk = Sockets.listen(new InetSocketAddress(host, 0), false, backlog);
        idle = Sockets.listen(new InetSocketAddress(host, 0), false, backlog);
        bulk.configureBlocking(false).register(selector, SelectionKey.OP_ACCEPT);
        idle.configureBlocking(false).register(selector, SelectionKey.OP_ACCEPT);
        loop = Threads.daemon(this::run, "upstream");
    }

    private void run() {
        try {
            while (running) {
                selector.select(100);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept((ServerSocketChannel) key.channel());
                    } else if (key.isWritable()) {
                        send(key);
                    }
                }
            }
        } catch (IOException e) {
            if (running) {
                System.out.println("upstream loop failed: " + e);
            }
        }
    }

    private void accept(ServerSocketChannel server) throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            Sockets.buffers(ch);
            if (server == bulk) {
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_WRITE, new long[1]);
            } else {
                held.add(ch);
                idleAccepted.incrementAndGet();
            }
        }
    }

    private void send(SelectionKey key) {
        SocketChannel ch = (SocketChannel) key.channel();
        long[] sent = (long[]) key.attachment();
        try {
            sent[0] += data.transferTo(sent[0], Math.min(SEND_CHUNK, size - sent[0]), ch);
            if (sent[0] < size) {
                return;
            }
        } catch (IOException e) {
            // the proxy closed (a probe's connection, or the end of the row)
        }
        key.cancel();
        closeQuietly(ch);
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        Threads.join(loop);
        for (SelectionKey key : selector.keys()) {
            closeQuietly(key.channel());
        }
        for (SocketChannel ch : held) {
            closeQuietly(ch);
        }
        closeQuietly(bulk);
        closeQuietly(idle);
        closeQuietly(selector);
    }
}

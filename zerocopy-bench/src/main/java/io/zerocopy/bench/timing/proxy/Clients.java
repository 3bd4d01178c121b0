package io.zerocopy.bench.timing.proxy;

import static io.zerocopy.bench.timing.proxy.Sockets.closeQuietly;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The N bulk clients: one selector thread reads every connection to its end. */
final class Clients implements Closeable {

    private static final int READ_BUFFER = 256 << 10;

    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger shortConnections = new AtomicInteger();
    final CountDownLatch done;
    volatile long lastByteNanos;
    private final long size;
    private final Selector selector;
    private final Queue<SocketChannel> pending = new ConcurrentLinkedQueue<>();
    private final List<SocketChannel> all = new ArrayList<>();
    private final Thread loop;
    private volatile boolean running = true;

    Clients(int n, long size) throws IOException {
        this.size = size;
        done = new CountDownLatch(n);
        selector = Selector.open();
        loop = Threads.daemon(this::run, "clients");
    }

    void add(SocketChannel ch) throws IOException {
        all.add(ch);
        ch.configureBlocking(false);
        pending.add(ch);
        selector.wakeup();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER);
        try {
            while (running) {
                selector.select(100);
                SocketChannel ch;
                while ((ch = pending.poll()) != null) {
                    ch.register(selector, SelectionKey.OP_READ, new long[1]);
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isValid() && key.isReadable()) {
                        read(key, buf);
                    }
                }
            }
        } catch (IOException e) {
            if (running) {
                System.out.println("client loop failed: " + e);
            }
        }
    }

    private void read(SelectionKey key, ByteBuffer buf) {
        SocketChannel ch = (SocketChannel) key.channel();
        long[] got = (long[]) key.attachment();
        int n;
        try {
            while ((n = ch.read(buf)) > 0) {
                got[0] += n;
                bytes.addAndGet(n);
                buf.clear();
            }
        } catch (IOException e) {
            n = -1;
        }
        buf.clear();
        if (n < 0) {
            key.cancel();
            closeQuietly(ch);
            if (got[0] != size) {
                shortConnections.incrementAndGet();
            }
            lastByteNanos = System.nanoTime();
            done.countDown();
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        Threads.join(loop);
        for (SocketChannel ch : all) {
            closeQuietly(ch);
        }
        closeQuietly(selector);
    }
}

package io.zerocopy.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The loopback peers every socket row shares, whatever moves the bytes (Java, C or Netty):
 * a sink that accepts one connection at a time and reads it to the end into a 64 KiB direct
 * buffer, and a feeder that accepts one connection at a time, waits for a one-byte "go" and
 * then sends the requested bytes of the source file with {@code FileChannel.transferTo}
 * (sendfile), so that a proxy under test always relays the same stream.
 *
 * <p>Protocol: call {@code expect(n)} before the connection is opened; one transfer at a time.
 * Both peers record their own thread's CPU so that the cost of the receiving side is reported
 * next to the mover's.
 */
final class Loopback implements AutoCloseable {

    static final int SINK_BUFFER = 64 * 1024;

    /** What a peer saw of one connection. */
    static final class Session {
        final long expected;
        /** Feeder only: end the stream with a FIN after the bytes (else wait for the proxy to close). */
        boolean shutdownAfter = true;
        volatile long received;
        volatile long endNs;
        volatile long cpuNs;
        volatile Throwable failure;
        private final CountDownLatch done = new CountDownLatch(1);

        Session(long expected) {
            this.expected = expected;
        }

        /** Waits, without spinning, until the peer has received {@code mark} bytes. */
        void awaitReceived(long mark, long timeoutNanos) throws IOException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (received < mark) {
                if (done.getCount() == 0) {
                    throw new IOException("sink connection ended at " + received + " of " + mark + " bytes", failure);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("timed out: sink has " + received + " of " + mark + " bytes");
                }
                LockSupport.parkNanos(20_000);
            }
        }

        Session await() throws IOException {
            try {
                if (!done.await(120, TimeUnit.SECONDS)) {
                    throw new IOException("timed out waiting for the loopback peer (" + received + " of "
                            + expected + " bytes)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (failure != null) {
                throw new IOException("loopback peer failed: " + failure, failure);
            }
            return this;
        }

        /**
         * After a failed transfer: waits a little for the peer to finish with the connection, so
         * that the next transfer's session is not taken by this one's connection.
         */
        void settle() {
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void finish() {
            done.countDown();
        }
    }

    private final ServerSocketChannel sinkServer;
    private final ServerSocketChannel feederServer;
    private final FileChannel feederFile;
    private final Thread sinkThread;
    private final Thread feederThread;
    private volatile Session sinkPending;
    private volatile Session feederPending;
    private volatile boolean closed;

    Loopback(Path source) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        sinkServer = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0), 64);
        feederServer = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0), 64);
        feederFile = FileChannel.open(source, StandardOpenOption.READ);
        sinkThread = new Thread(this::sinkLoop, "zc-bench-sink");
        feederThread = new Thread(this::feederLoop, "zc-bench-feeder");
        sinkThread.setDaemon(true);
        feederThread.setDaemon(true);
        sinkThread.start();
        feederThread.start();
    }

    InetSocketAddress sinkAddress() throws IOException {
        return (InetSocketAddress) sinkServer.getLocalAddress();
    }

    InetSocketAddress feederAddress() throws IOException {
        return (InetSocketAddress) feederServer.getLocalAddress();
    }

    /** @param bytes bytes the next sink connection must deliver; {@code Long.MAX_VALUE}: until EOF */
    Session expectSink(long bytes) {
        Session s = new Session(bytes);
        sinkPending = s;
        return s;
    }

    /** @param bytes bytes the feeder sends on its next connection after the go byte, then a FIN */
    Session expectFeeder(long bytes) {
        return expectFeeder(bytes, true);
    }

    /**
     * @param bytes bytes the feeder sends on its next connection after the go byte
     * @param shutdownAfter whether to end the stream after them; if not, the feeder keeps the
     *     connection open until the proxy closes it (for a proxy told the length up front)
     */
    Session expectFeeder(long bytes, boolean shutdownAfter) {
        Session s = new Session(bytes);
        s.shutdownAfter = shutdownAfter;
        feederPending = s;
        return s;
    }

    private void sinkLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(SINK_BUFFER);
        while (!closed) {
            try (SocketChannel c = sinkServer.accept()) {
                Session s = sinkPending;
                sinkPending = null;
                if (s == null) {
                    s = new Session(Long.MAX_VALUE);
                }
                long c0 = Cpu.thread();
                long got = 0;
                try {
                    while (true) {
                        buf.clear();
                        int n = c.read(buf);
                        if (n < 0) {
                            break;
                        }
                        got += n;
                        s.received = got;
                        if (got >= s.expected && s.endNs == 0) {
                            s.endNs = System.nanoTime();
                        }
                    }
                } catch (IOException e) {
                    s.failure = e;
                }
                if (s.endNs == 0) {
                    s.endNs = System.nanoTime();
                }
                s.cpuNs = Cpu.thread() - c0;
                s.finish();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("sink: " + e);
                }
            }
        }
    }

    private void feederLoop() {
        ByteBuffer go = ByteBuffer.allocateDirect(1);
        while (!closed) {
            try (SocketChannel c = feederServer.accept()) {
                Session s = feederPending;
                feederPending = null;
                if (s == null) {
                    continue;
                }
                try {
                    go.clear();
                    if (c.read(go) < 0) {
                        throw new IOException("feeder connection closed before the go byte");
                    }
                    long c0 = Cpu.thread();
                    long pos = 0;
                    while (pos < s.expected) {
                        long n = feederFile.transferTo(pos, s.expected - pos, c);
                        if (n <= 0) {
                            throw new IOException("feeder: source file shorter than " + s.expected);
                        }
                        pos += n;
                        s.received = pos;
                    }
                    s.endNs = System.nanoTime();
                    s.cpuNs = Cpu.thread() - c0;
                    if (s.shutdownAfter) {
                        c.shutdownOutput();
                    } else {
                        go.clear();
                        while (c.read(go) >= 0) {
                            go.clear();
                        }
                    }
                } catch (IOException e) {
                    s.failure = e;
                }
                s.finish();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("feeder: " + e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            sinkServer.close();
            feederServer.close();
        } finally {
            feederFile.close();
        }
        try {
            sinkThread.join(5000);
            feederThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

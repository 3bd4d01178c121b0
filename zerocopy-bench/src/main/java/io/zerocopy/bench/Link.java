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
 * The peers at the far end of one network path, which every socket row of a scenario shares,
 * whatever moves the bytes (Java, C or Netty): a sink that accepts one connection at a time and
 * reads it to the end into a 64 KiB direct buffer, and a feeder that accepts one connection at
 * a time, waits for a one-byte "go" and then sends the requested bytes of the source file with
 * {@code FileChannel.transferTo} (sendfile), so that a proxy under test always relays the same
 * stream.
 *
 * <p>The path is set by the listening sockets a link is given: {@link #loopback} binds both to
 * the loopback address; {@link #veth} opens them inside the network namespaces at the far ends
 * of veth pairs, so that every byte crosses a veth device to and from the mover in the root
 * namespace. The link's threads stay in the root namespace: an accepted socket belongs to its
 * listener's namespace whichever thread accepts it.
 *
 * <p>Protocol: call {@code expect(n)} before the connection is opened; one transfer at a time.
 * Both peers record their own thread's CPU so that the cost of the receiving side is reported
 * next to the mover's.
 */
final class Link implements AutoCloseable {

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
                    throw new IOException("timed out waiting for the peer (" + received + " of "
                            + expected + " bytes)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (failure != null) {
                throw new IOException("peer failed: " + failure, failure);
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

    private final String name;
    private final ServerSocketChannel sinkServer;
    /** Null for a link without a feeder. */
    private final ServerSocketChannel feederServer;
    private final FileChannel feederFile;
    private final Thread sinkThread;
    private final Thread feederThread;
    private volatile Session sinkPending;
    private volatile Session feederPending;
    private volatile boolean closed;

    /**
     * Starts the peers on listening sockets, which the link owns from here on (it closes them,
     * also if this constructor fails).
     *
     * @param name names the link's threads
     * @param sinkServer where the sink listens
     * @param feederServer where the feeder listens; null for a link that only receives
     * @param source the file the feeder sends
     * @throws IOException if the source cannot be opened
     */
    Link(String name, ServerSocketChannel sinkServer, ServerSocketChannel feederServer, Path source)
            throws IOException {
        this.name = name;
        this.sinkServer = sinkServer;
        this.feederServer = feederServer;
        try {
            feederFile = FileChannel.open(source, StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            closeServers();
            throw e;
        }
        sinkThread = new Thread(this::sinkLoop, "zc-bench-sink-" + name);
        sinkThread.setDaemon(true);
        sinkThread.start();
        if (feederServer != null) {
            feederThread = new Thread(this::feederLoop, "zc-bench-feeder-" + name);
            feederThread.setDaemon(true);
            feederThread.start();
        } else {
            feederThread = null;
        }
    }

    /**
     * @param source the file the feeder sends
     * @return sink and feeder on the loopback address of the root namespace
     * @throws IOException if a socket cannot be bound
     */
    static Link loopback(Path source) throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ServerSocketChannel sink = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0), 64);
        ServerSocketChannel feeder;
        try {
            feeder = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0), 64);
        } catch (IOException | RuntimeException e) {
            sink.close();
            throw e;
        }
        return new Link("loopback", sink, feeder, source);
    }

    /**
     * @param name names the link's threads
     * @param sinkEnd the pair whose far end the sink listens on, inside its namespace
     * @param feederEnd the pair whose far end the feeder listens on; null for no feeder
     * @param source the file the feeder sends
     * @return sink (and feeder) behind veth pairs
     * @throws IOException if a namespace cannot be joined or a socket bound
     */
    static Link veth(String name, VethNetwork.Pair sinkEnd, VethNetwork.Pair feederEnd, Path source)
            throws IOException {
        ServerSocketChannel sink = sinkEnd.listen();
        ServerSocketChannel feeder = null;
        try {
            if (feederEnd != null) {
                feeder = feederEnd.listen();
            }
        } catch (IOException | RuntimeException e) {
            sink.close();
            throw e;
        }
        return new Link(name, sink, feeder, source);
    }

    /** @return the link's name, e.g. {@code loopback} */
    String name() {
        return name;
    }

    InetSocketAddress sinkAddress() throws IOException {
        return (InetSocketAddress) sinkServer.getLocalAddress();
    }

    /** @throws IllegalStateException if the link has no feeder */
    InetSocketAddress feederAddress() throws IOException {
        return (InetSocketAddress) feeder().getLocalAddress();
    }

    private ServerSocketChannel feeder() {
        if (feederServer == null) {
            throw new IllegalStateException("link " + name + " has no feeder");
        }
        return feederServer;
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
        feeder();
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

    private void closeServers() throws IOException {
        try {
            sinkServer.close();
        } finally {
            if (feederServer != null) {
                feederServer.close();
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            closeServers();
        } finally {
            feederFile.close();
        }
        try {
            sinkThread.join(5000);
            if (feederThread != null) {
                feederThread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

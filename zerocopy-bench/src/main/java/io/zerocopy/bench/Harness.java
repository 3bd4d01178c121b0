package io.zerocopy.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.StandardOpenOption;

/**
 * The shared fixture of a run (data files, and the peers of each network path: a
 * {@link Link} over loopback and, when a {@link VethNetwork} is given, over veth pairs) and the
 * three measured shapes of a Java transfer. The timed window starts just before the first byte moves and
 * ends when the target has the last byte: for sockets when the sink has counted it, for
 * files when the mover's last write returns. Opening channels and connecting happen outside
 * the window.
 */
final class Harness implements AutoCloseable {

    /** Moves {@code n} bytes from offset 0 of a file to a target; returns the bytes moved. */
    interface FileBody {
        long move(FileChannel src, long n, WritableByteChannel dst) throws IOException;
    }

    /** Relays a connection to another until the source's end of stream. */
    interface StreamBody {
        void move(SocketChannel src, SocketChannel dst) throws IOException;
    }

    final Workspace ws;
    private final Link loopback;
    /** Sink and feeder behind the veth network's plain pairs; null without a veth network. */
    private final Link veth;
    /** Sink behind the veth network's shaped pair; null without one. */
    private final Link shaped;
    private final ByteBuffer go = ByteBuffer.allocateDirect(1);
    /** The broadcast scenario's readers, started on first use. */
    private Fanout fanout;

    /** A fixture with loopback peers only. */
    Harness(long fileSize) throws IOException {
        this(fileSize, null);
    }

    /**
     * @param fileSize bytes of the data files
     * @param net the veth network to put peers behind as well; null for loopback only. The
     *     caller keeps it, and closes it after this harness.
     */
    Harness(long fileSize, VethNetwork net) throws IOException {
        this.ws = new Workspace(fileSize);
        Link lb = null;
        Link v = null;
        Link t = null;
        try {
            lb = Link.loopback(ws.src);
            if (net != null) {
                v = Link.veth("veth", net.sink, net.feeder, ws.src);
                if (net.shaped != null) {
                    t = Link.veth("tbf", net.shaped, null, ws.src);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Link l : new Link[] {v, lb}) {
                if (l != null) {
                    try {
                        l.close();
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            ws.close();
            throw e;
        }
        this.loopback = lb;
        this.veth = v;
        this.shaped = t;
    }

    /**
     * @param sc a socket scenario
     * @return the peers of its network path
     * @throws IllegalStateException if this harness has no peers on that path
     */
    Link link(Scenario sc) {
        Link l;
        switch (sc.via) {
            case LOOPBACK:
                l = loopback;
                break;
            case VETH:
                l = veth;
                break;
            case VETH_TBF:
                l = shaped;
                break;
            default:
                l = null;
        }
        if (l == null) {
            throw new IllegalStateException("no peers for " + sc.label + " in this harness");
        }
        return l;
    }

    Sample fileToSocket(Link link, long n, FileBody body) throws IOException {
        Link.Session sink = link.expectSink(n);
        long t0;
        long c0;
        long u0;
        long c1;
        long u1;
        try (FileChannel src = FileChannel.open(ws.src, StandardOpenOption.READ);
             SocketChannel out = open(link.sinkAddress())) {
            u0 = Cpu.threadUser();
            c0 = Cpu.thread();
            t0 = System.nanoTime();
            body.move(src, n, out);
            out.shutdownOutput();
            c1 = Cpu.thread();
            u1 = Cpu.threadUser();
        } catch (IOException | RuntimeException e) {
            sink.settle();
            throw e;
        }
        sink.await();
        checkBytes(n, sink.received);
        return new Sample(sink.received, sink.endNs - t0, c1 - c0, u1 - u0, sink.cpuNs);
    }

    Sample socketToSocket(Link link, long n, StreamBody body) throws IOException {
        Link.Session feed = link.expectFeeder(n);
        Link.Session sink = link.expectSink(n);
        long t0;
        long c0;
        long u0;
        long c1;
        long u1;
        try (SocketChannel a = open(link.feederAddress());
             SocketChannel b = open(link.sinkAddress())) {
            u0 = Cpu.threadUser();
            c0 = Cpu.thread();
            t0 = System.nanoTime();
            go.clear();
            a.write(go);
            body.move(a, b);
            b.shutdownOutput();
            c1 = Cpu.thread();
            u1 = Cpu.threadUser();
        } catch (IOException | RuntimeException e) {
            sink.settle();
            feed.settle();
            throw e;
        }
        sink.await();
        feed.await();
        checkBytes(n, sink.received);
        return new Sample(sink.received, sink.endNs - t0, c1 - c0, u1 - u0, sink.cpuNs + feed.cpuNs);
    }

    Sample fileToFile(long n, FileBody body) throws IOException {
        long t0;
        long t1;
        long c0;
        long u0;
        long c1;
        long u1;
        long written;
        try (FileChannel src = FileChannel.open(ws.src, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(ws.dst, StandardOpenOption.WRITE)) {
            dst.position(0);
            u0 = Cpu.threadUser();
            c0 = Cpu.thread();
            t0 = System.nanoTime();
            written = body.move(src, n, dst);
            t1 = System.nanoTime();
            c1 = Cpu.thread();
            u1 = Cpu.threadUser();
        }
        checkBytes(n, written);
        return new Sample(written, t1 - t0, c1 - c0, u1 - u0, 0);
    }

    /**
     * Connects with TCP_NODELAY, as a server that writes whole responses would: every row's
     * last segment then leaves at once instead of waiting for a delayed ACK.
     */
    static SocketChannel open(java.net.SocketAddress to) throws IOException {
        SocketChannel c = SocketChannel.open();
        try {
            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            c.connect(to);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** @return the broadcast scenario's {@link Fanout#TARGETS} loopback readers, started on first use */
    Fanout fanout() throws IOException {
        if (fanout == null) {
            fanout = new Fanout(ws.src);
        }
        return fanout;
    }

    static void checkBytes(long expected, long actual) throws IOException {
        if (expected != actual) {
            throw new IOException("moved " + actual + " bytes, expected " + expected);
        }
    }

    /** Closes the broadcast readers, every link and the workspace, each even if another fails. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (AutoCloseable c : new AutoCloseable[] {fanout, shaped, veth, loopback, ws}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                IOException io = e instanceof IOException ? (IOException) e : new IOException(e);
                if (first == null) {
                    first = io;
                } else {
                    first.addSuppressed(io);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

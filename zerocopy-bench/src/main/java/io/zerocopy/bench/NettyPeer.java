package io.zerocopy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Netty 4.2 epoll peer, on one event-loop thread: file->socket with a
 * {@link DefaultFileRegion} (sendfile) and socket->socket with
 * {@code EpollSocketChannel.spliceTo} (splice through a pipe Netty owns). Netty has no
 * file->file path. The mover's CPU is the event-loop thread's. {@code spliceTo} and the
 * level-triggered epoll mode it requires are deprecated in Netty 4.2 but still served.
 */
@SuppressWarnings("deprecation")
final class NettyPeer implements AutoCloseable {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private final EventLoopGroup group;
    private final long loopThread;
    private final Bootstrap bootstrap;

    private NettyPeer(EventLoopGroup group, long loopThread) {
        this.group = group;
        this.loopThread = loopThread;
        this.bootstrap = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new Noop());
    }

    /** Drops whatever reaches the pipeline; shared by every channel. */
    @ChannelHandler.Sharable
    static final class Noop extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the peer closed first; transfer failures surface through the futures
        }
    }

    static NettyPeer create() throws Row.Unavailable {
        if (!Epoll.isAvailable()) {
            throw new Row.Unavailable("Netty epoll unavailable: " + Epoll.unavailabilityCause());
        }
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            long tid = g.next().submit(() -> Thread.currentThread().getId()).get(10, TimeUnit.SECONDS);
            return new NettyPeer(g, tid);
        } catch (Exception e) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new Row.Unavailable("Netty event loop did not start: " + e);
        }
    }

    List<Row> rows(Scenario sc) {
        List<Row> rows = new ArrayList<>();
        if (sc.shape == Scenario.Shape.FILE_SOCKET) {
            rows.add(new FileRegionRow(sc));
        } else if (sc.shape == Scenario.Shape.SOCKET_SOCKET) {
            rows.add(new SpliceRow(sc));
        }
        return rows;
    }

    private long cpu() {
        return MX.getThreadCpuTime(loopThread);
    }

    private long user() {
        return MX.getThreadUserTime(loopThread);
    }

    private static void sync(ChannelFuture f) throws IOException {
        if (!f.awaitUninterruptibly(120, TimeUnit.SECONDS)) {
            throw new IOException("Netty operation timed out");
        }
        if (!f.isSuccess()) {
            throw new IOException("Netty operation failed: " + f.cause(), f.cause());
        }
    }

    final class FileRegionRow extends Row {
        FileRegionRow(Scenario sc) {
            super(sc, "netty:sendfile", Row.NETTY);
            ran = "EpollSocketChannel + DefaultFileRegion";
        }

        @Override
        Sample run(Harness h, long size) throws Exception {
            Link link = h.link(scenario);
            Link.Session sink = link.expectSink(size);
            FileChannel fc = FileChannel.open(h.ws.src, StandardOpenOption.READ);
            EpollSocketChannel ch = null;
            long c0;
            long u0;
            long c1;
            long u1;
            long t0;
            try {
                ChannelFuture cf = bootstrap.connect(link.sinkAddress());
                sync(cf);
                ch = (EpollSocketChannel) cf.channel();
                DefaultFileRegion region = new DefaultFileRegion(fc, 0, size);
                u0 = user();
                c0 = cpu();
                t0 = System.nanoTime();
                sync(ch.writeAndFlush(region));
                sync(ch.shutdownOutput());
                c1 = cpu();
                u1 = user();
            } catch (IOException | RuntimeException e) {
                if (ch != null) {
                    ch.close().awaitUninterruptibly();
                }
                sink.settle();
                throw e;
            } finally {
                if (ch != null) {
                    ch.close().awaitUninterruptibly();
                }
                fc.close();
            }
            sink.await();
            Harness.checkBytes(size, sink.received);
            return new Sample(sink.received, sink.endNs - t0, c1 - c0, u1 - u0, sink.cpuNs);
        }

        @Override
        String describe() {
            return "Netty epoll: writeAndFlush(DefaultFileRegion) (sendfile)";
        }
    }

    final class SpliceRow extends Row {
        SpliceRow(Scenario sc) {
            super(sc, "netty:splice", Row.NETTY);
            ran = "EpollSocketChannel.spliceTo";
        }

        @Override
        Sample run(Harness h, long size) throws Exception {
            if (size > Integer.MAX_VALUE) {
                throw new Unavailable("spliceTo takes an int length");
            }
            // Netty is told the length; the feeder holds the stream open (no FIN) because a FIN
            // racing spliceTo's last pipe drain makes Netty 4.2.18 close the source channel and
            // fail the splice (ClosedChannelException from clearSpliceQueue) on some runs
            Link link = h.link(scenario);
            Link.Session feed = link.expectFeeder(size, false);
            Link.Session sink = link.expectSink(size);
            EpollSocketChannel a = null;
            EpollSocketChannel b = null;
            long c0;
            long u0;
            long c1;
            long u1;
            long t0;
            try {
                ChannelFuture fa = bootstrap.clone().option(ChannelOption.AUTO_READ, false)
                        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .connect(link.feederAddress());
                sync(fa);
                a = (EpollSocketChannel) fa.channel();
                ChannelFuture fb = bootstrap.connect(link.sinkAddress());
                sync(fb);
                b = (EpollSocketChannel) fb.channel();
                EpollSocketChannel src = a;
                u0 = user();
                c0 = cpu();
                t0 = System.nanoTime();
                sync(a.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'g'})));
                ChannelFuture spliced = a.spliceTo(b, (int) size);
                a.eventLoop().execute(() -> src.config().setAutoRead(true));
                sync(spliced);
                sync(b.shutdownOutput());
                c1 = cpu();
                u1 = user();
            } catch (IOException | RuntimeException e) {
                if (a != null) {
                    a.close().awaitUninterruptibly();
                }
                if (b != null) {
                    b.close().awaitUninterruptibly();
                }
                sink.settle();
                feed.settle();
                throw e;
            } finally {
                if (a != null) {
                    a.close().awaitUninterruptibly();
                }
                if (b != null) {
                    b.close().awaitUninterruptibly();
                }
            }
            sink.await();
            feed.await();
            Harness.checkBytes(size, sink.received);
            return new Sample(sink.received, sink.endNs - t0, c1 - c0, u1 - u0, sink.cpuNs + feed.cpuNs);
        }

        @Override
        String describe() {
            return "Netty epoll: EpollSocketChannel.spliceTo(other, length), level-triggered";
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}

package io.zerocopy.bench.timing.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import io.zerocopy.TransferEngine;
import io.zerocopy.spi.ChannelKind;

/**
 * The library's TCP proxy, run by {@link RealPeers} as a child JVM: per accepted connection, a
 * connection to the upstream and two threads, each moving one direction with one
 * {@code transfer(from, to)} until end of stream, then shutting down the output it wrote; the
 * connections are closed when both directions have ended. A failure in either direction
 * closes both connections, which ends the other.
 *
 * <pre>java -cp zerocopy-bench.jar io.zerocopy.bench.timing.peers.ProxyMain ADDRESS PORT UPSTREAM_ADDRESS UPSTREAM_PORT ENGINE THREADS</pre>
 *
 * ENGINE is {@code default}, {@code copy} or {@code splice} (see {@link Children#engine});
 * THREADS is {@code platform} or {@code virtual}. Runs until killed; the first line it prints
 * is the engine's plan for socket to socket.
 */
public final class ProxyMain {

    private ProxyMain() { }

    /**
     * @param args ADDRESS PORT UPSTREAM_ADDRESS UPSTREAM_PORT ENGINE THREADS
     * @throws IOException if the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 6) {
            System.err.println("usage: ProxyMain ADDRESS PORT UPSTREAM_ADDRESS UPSTREAM_PORT default|copy|splice platform|virtual");
            System.exit(2);
        }
        InetSocketAddress upstream = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
        TransferEngine engine = Children.engine(args[4]);
        Children.Starter threads = Children.threads(args[5]);
        System.out.println("plan: " + engine.strategies(ChannelKind.SOCKET, ChannelKind.SOCKET) + " threads " + args[5]
                + ", " + Runtime.version());
        System.out.flush();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 128);
            while (true) {
                SocketChannel c = server.accept();
                threads.start(() -> relay(c, upstream, engine, threads));
            }
        }
    }

    private static void relay(SocketChannel client, InetSocketAddress upstream, TransferEngine engine,
            Children.Starter threads) {
        SocketChannel up = null;
        try {
            up = SocketChannel.open(upstream);
            // As HAProxy does on both sides: a proxy forwards what it has at once.
            client.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            up.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            SocketChannel u = up;
            Thread request = threads.start(() -> pump(client, u, engine));
            pump(u, client, engine);
            request.join();
        } catch (IOException | RuntimeException e) {
            System.err.println("connection: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Children.closeQuietly(up);
            Children.closeQuietly(client);
        }
    }

    private static void pump(SocketChannel from, SocketChannel to, TransferEngine engine) {
        try {
            engine.transfer(from, to);
            to.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            Children.closeQuietly(from);
            Children.closeQuietly(to);
        }
    }
}

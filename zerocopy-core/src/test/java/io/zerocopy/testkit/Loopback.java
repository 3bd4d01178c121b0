package io.zerocopy.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Connected pairs of loopback TCP sockets for tests. */
public final class Loopback {

    private static ServerSocketChannel server;

    private Loopback() { }

    /** A connected pair: {@code client} was opened with connect, {@code accepted} came from accept. */
    public static final class Connection implements AutoCloseable {
        /** The connecting end. */
        public final SocketChannel client;
        /** The accepted end. */
        public final SocketChannel accepted;

        Connection(SocketChannel client, SocketChannel accepted) {
            this.client = client;
            this.accepted = accepted;
        }

        @Override
        public void close() throws IOException {
            try (SocketChannel c = client; SocketChannel a = accepted) {
                assert c != null && a != null;
            }
        }
    }

    /** @return a new connected pair, both ends blocking */
    public static synchronized Connection connect() {
        try {
            if (server == null || !server.isOpen()) {
                server = ServerSocketChannel.open();
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            }
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            return new Connection(client, accepted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.zerocopy.bench.timing.proxy;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** The run's sockets (loopback, or the veth addresses of a veth run): listeners and connections with the buffers of {@code --sockbuf}. */
final class Sockets {

    /** SO_RCVBUF and SO_SNDBUF of every socket of the run ({@code --sockbuf}); 0 for the kernel's autotuning. */
    private static int sockBuf = 128 << 10;

    private Sockets() { }

    /** Sets the buffers of every socket opened from now on; 0 leaves them to the kernel. */
    static void bufferBytes(int bytes) {
        sockBuf = bytes;
    }

    /** @return a listener on an ephemeral port of the loopback address */
    static ServerSocketChannel listen(int backlog) throws IOException {
        return listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false, backlog);
    }

    /**
     * @param at the address and port to bind (port 0: an ephemeral one)
     * @param reusePort SO_REUSEPORT before binding, so that listeners of several processes
     *     share {@code at} and the kernel spreads new connections over them
     * @return the listener, the caller's to close
     */
    static ServerSocketChannel listen(InetSocketAddress at, boolean reusePort, int backlog) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            if (sockBuf > 0) {
                s.setOption(StandardSocketOptions.SO_RCVBUF, sockBuf);
            }
            if (reusePort) {
                s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            return s.bind(at, backlog);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Opens a blocking connection with the socket buffers of the run. */
    static SocketChannel connect(InetSocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            buffers(ch);
            ch.connect(address);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Fixes both socket buffers of {@code ch} to {@code --sockbuf}, unless that is 0. */
    static void buffers(SocketChannel ch) throws IOException {
        if (sockBuf > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, sockBuf);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, sockBuf);
        }
    }

    /** Fixes both socket buffers of {@code s} to {@code --sockbuf}, unless that is 0. */
    static void buffers(Socket s) throws IOException {
        if (sockBuf > 0) {
            s.setReceiveBufferSize(sockBuf);
            s.setSendBufferSize(sockBuf);
        }
    }

    static InetSocketAddress address(ServerSocketChannel s) {
        try {
            return (InetSocketAddress) s.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing at the end of a row
            }
        }
    }
}

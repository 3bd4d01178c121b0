package io.zerocopy.bench.timing.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

import io.zerocopy.spi.ChannelKind;

/**
 * The library's file server, run by {@link RealPeers} as a child JVM: a minimal HTTP/1.1
 * server of one file, one thread per connection.
 *
 * <pre>java -cp zerocopy-bench.jar io.zerocopy.bench.timing.peers.FileServerMain ADDRESS PORT FILE ENGINE THREADS</pre>
 *
 * ENGINE is {@code default}, {@code copy}, {@code sendfile} (see {@link Children#engine}) or
 * {@code jdk} ({@code FileChannel.transferTo} in a loop); THREADS is {@code platform} or
 * {@code virtual}. {@code GET /NAME} (NAME the file's name) answers 200 with the file (opened
 * per request, as nginx does without its open file cache); {@code HEAD} the header only;
 * another path 404, another method 405. Connections are kept alive (HTTP/1.1, unless
 * {@code Connection: close}; HTTP/1.0 only with {@code Connection: keep-alive}). Runs until
 * killed; the first line it prints is the engine's plan for file to socket.
 */
public final class FileServerMain {

    private static final int HEAD_MAX = 16 << 10;

    private FileServerMain() { }

    /**
     * @param args ADDRESS PORT FILE ENGINE THREADS
     * @throws IOException if the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: FileServerMain ADDRESS PORT FILE default|copy|sendfile|jdk platform|virtual");
            System.exit(2);
        }
        Path file = Path.of(args[2]);
        String engine = args[3];
        Children.FileSender sender = Children.fileSender(engine);
        Children.Starter threads = Children.threads(args[4]);
        long size;
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
            size = f.size();
        }
        System.out.println("plan: " + (engine.equals("jdk") ? "FileChannel.transferTo"
                : Children.engine(engine).strategies(ChannelKind.FILE, ChannelKind.SOCKET, size)) + " threads "
                + args[4] + ", " + Runtime.version());
        System.out.flush();
        String target = "/" + file.getFileName();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 128);
            while (true) {
                SocketChannel c = server.accept();
                threads.start(() -> serve(c, file, target, sender));
            }
        }
    }

    private static void serve(SocketChannel ch, Path file, String target, Children.FileSender sender) {
        try {
            // As nginx does (tcp_nodelay on): the last partial segment of each send leaves at once.
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer in = ByteBuffer.allocate(HEAD_MAX);
            while (true) {
                int end;
                while ((end = headEnd(in)) < 0) {
                    if (!in.hasRemaining()) {
                        respond(ch, "431 Request Header Fields Too Large", 0, true);
                        return;
                    }
                    if (ch.read(in) < 0) {
                        return;
                    }
                }
                String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
                int rest = in.position() - (end + 4);
                System.arraycopy(in.array(), end + 4, in.array(), 0, rest);
                in.position(rest);
                if (!answer(ch, head, file, target, sender)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("connection: " + e);
        } finally {
            Children.closeQuietly(ch);
        }
    }

    /** @return whether the connection stays open */
    private static boolean answer(SocketChannel ch, String head, Path file, String target, Children.FileSender sender)
            throws IOException {
        String[] lines = head.split("\r\n");
        String[] request = lines[0].split(" ");
        if (request.length != 3 || !request[2].startsWith("HTTP/1.")) {
            respond(ch, "400 Bad Request", 0, true);
            return false;
        }
        String connection = "";
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("connection")) {
                connection = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            }
        }
        boolean close = request[2].equals("HTTP/1.0") ? !connection.equals("keep-alive") : connection.equals("close");
        boolean get = request[0].equals("GET");
        if (!get && !request[0].equals("HEAD")) {
            respond(ch, "405 Method Not Allowed", 0, true);
            return false;
        }
        if (!request[1].equals(target)) {
            respond(ch, "404 Not Found", 0, close);
            return !close;
        }
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = f.size();
            respond(ch, "200 OK", size, close);
            if (get) {
                long sent = sender.send(f, size, ch);
                if (sent != size) {
                    throw new IOException("sent " + sent + " of " + size + " bytes");
                }
            }
        }
        return !close;
    }

    private static void respond(SocketChannel ch, String status, long length, boolean close) throws IOException {
        String h = "HTTP/1.1 " + status + "\r\nServer: zerocopy-peers\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
        ByteBuffer b = ByteBuffer.wrap(h.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** @return the index of the CRLFCRLF ending the request head in {@code in}'s filled part, or -1 */
    private static int headEnd(ByteBuffer in) {
        byte[] a = in.array();
        for (int i = 0; i + 3 < in.position(); i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}

package io.zerocopy.bench;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/** The rows that move bytes in this JVM: the traditional idiom, plain JDK loops, the library. */
final class JavaRows {

    private JavaRows() { }

    /** Every known strategy of the default engine except those that serve none of our scenarios. */
    static List<String> strategyNames() {
        List<String> names = new ArrayList<>(ZeroCopy.defaultEngine().strategies());
        names.remove("transferFrom");
        return names;
    }

    static List<Row> rows(Scenario sc) {
        if (sc.shape == Scenario.Shape.BROADCAST) {
            return BroadcastRows.rows();
        }
        List<Row> rows = new ArrayList<>();
        rows.add(traditional(sc));
        rows.add(heapLoop(sc));
        rows.add(directLoop(sc));
        if (sc.shape != Scenario.Shape.SOCKET_SOCKET) {
            rows.add(jdkTransferTo(sc));
        }
        for (String name : strategyNames()) {
            rows.add(new EngineRow(sc, "zc:" + name,
                    ZeroCopy.builder().strategies(name).threshold(0).build(), name));
        }
        rows.add(new EngineRow(sc, "zc:auto", ZeroCopy.defaultEngine(), null));
        return rows;
    }

    /** A row whose body is a Java lambda. */
    abstract static class JavaRow extends Row {
        JavaRow(Scenario sc, String name, String family) {
            super(sc, name, family);
        }

        abstract long moveFile(FileChannel src, long n, WritableByteChannel dst) throws IOException;

        abstract void moveStream(SocketChannel src, SocketChannel dst) throws IOException;

        @Override
        Sample run(Harness h, long size) throws Exception {
            switch (scenario.shape) {
                case FILE_SOCKET:
                    return h.fileToSocket(h.link(scenario), size, this::moveFile);
                case SOCKET_SOCKET:
                    return h.socketToSocket(h.link(scenario), size, this::moveStream);
                default:
                    return h.fileToFile(size, this::moveFile);
            }
        }
    }

    /**
     * The seed's "traditional" server: the whole file read into memory, then written in one
     * go (fs, ff); for a proxy, the seed's 8 KiB recv_into/sendall loop on a heap buffer (ss).
     * The whole-file array is allocated once per size and reused, so the row measures the
     * copies, not the allocator.
     */
    static Row traditional(Scenario sc) {
        JavaRow row = new JavaRow(sc, "traditional", Row.TRADITIONAL) {
            private byte[] all = new byte[0];
            private final ByteBuffer small = ByteBuffer.allocate(8192);

            @Override
            long moveFile(FileChannel src, long n, WritableByteChannel dst) throws IOException {
                if (n > Integer.MAX_VALUE - 16) {
                    throw new IOException("traditional row holds the whole file in one array: at most 2 GiB");
                }
                if (all.length != n) {
                    all = new byte[(int) n];
                }
                ByteBuffer whole = ByteBuffer.wrap(all);
                while (whole.hasRemaining()) {
                    if (src.read(whole, whole.position()) < 0) {
                        break;
                    }
                }
                whole.flip();
                long w = 0;
                while (whole.hasRemaining()) {
                    w += dst.write(whole);
                }
                return w;
            }

            @Override
            void moveStream(SocketChannel src, SocketChannel dst) throws IOException {
                pump(src, dst, small);
            }

            @Override
            String describe() {
                return sc.shape == Scenario.Shape.SOCKET_SOCKET ? "8 KiB heap buffer read/write loop (the seed proxy)"
                        : "read the whole file into a byte[], then write it all (the seed server)";
            }
        };
        row.ran = sc.shape == Scenario.Shape.SOCKET_SOCKET ? "8 KiB heap loop" : "whole file in a byte[]";
        return row;
    }

    static Row heapLoop(Scenario sc) {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        return new LoopRow(sc, "jdk:heap-loop", b, "64 KiB heap ByteBuffer read/write loop");
    }

    static Row directLoop(Scenario sc) {
        ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
        return new LoopRow(sc, "jdk:direct-loop", b, "64 KiB direct ByteBuffer read/write loop");
    }

    static final class LoopRow extends JavaRow {
        private final ByteBuffer buf;
        private final String description;

        LoopRow(Scenario sc, String name, ByteBuffer buf, String description) {
            super(sc, name, Row.JDK);
            this.buf = buf;
            this.description = description;
            this.ran = buf.isDirect() ? "64 KiB direct" : "64 KiB heap";
        }

        @Override
        long moveFile(FileChannel src, long n, WritableByteChannel dst) throws IOException {
            long pos = 0;
            while (pos < n) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), n - pos));
                int r = src.read(buf, pos);
                if (r < 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    dst.write(buf);
                }
                pos += r;
            }
            return pos;
        }

        @Override
        void moveStream(SocketChannel src, SocketChannel dst) throws IOException {
            pump(src, dst, buf);
        }

        @Override
        String describe() {
            return description;
        }
    }

    static void pump(SocketChannel src, SocketChannel dst, ByteBuffer buf) throws IOException {
        buf.clear();
        while (src.read(buf) >= 0) {
            buf.flip();
            while (buf.hasRemaining()) {
                dst.write(buf);
            }
            buf.clear();
        }
    }

    static Row jdkTransferTo(Scenario sc) {
        JavaRow row = new JavaRow(sc, "jdk:transferTo", Row.JDK) {
            @Override
            long moveFile(FileChannel src, long n, WritableByteChannel dst) throws IOException {
                long pos = 0;
                while (pos < n) {
                    long r = src.transferTo(pos, n - pos, dst);
                    if (r <= 0) {
                        break;
                    }
                    pos += r;
                }
                return pos;
            }

            @Override
            void moveStream(SocketChannel src, SocketChannel dst) {
                throw new UnsupportedOperationException();
            }

            @Override
            String describe() {
                return "FileChannel.transferTo loop, no library";
            }
        };
        row.ran = "FileChannel.transferTo";
        return row;
    }

    /** {@code ZeroCopy}: one strategy forced (threshold 0), or the default engine ("auto"). */
    static final class EngineRow extends JavaRow {
        private final TransferEngine engine;
        private final String only;

        EngineRow(Scenario sc, String name, TransferEngine engine, String only) {
            super(sc, name, Row.ZEROCOPY);
            this.engine = engine;
            this.only = only;
        }

        TransferEngine engine() {
            return engine;
        }

        @Override
        long moveFile(FileChannel src, long n, WritableByteChannel dst) throws IOException {
            return engine.transfer(src, 0, n, dst);
        }

        @Override
        void moveStream(SocketChannel src, SocketChannel dst) throws IOException {
            engine.transfer(src, dst);
        }

        /**
         * @param seen receives, after each transfer, the strategies tried ("copyFileRange>splice")
         * @return this row's engine, observed
         */
        EngineRow observed(String[] seen) {
            TransferListener l = new TransferListener() {
                @Override
                public void onComplete(TransferResult r) {
                    StringBuilder sb = new StringBuilder();
                    for (TransferResult.Attempt a : r.attempts()) {
                        if (sb.length() > 0) {
                            sb.append('>');
                        }
                        sb.append(a.strategy());
                    }
                    seen[0] = sb.toString();
                }
            };
            return new EngineRow(scenario, name, engine.withListener(l), only);
        }

        @Override
        void verify(Harness h, long size) throws Exception {
            String[] seen = new String[1];
            EngineRow probe = observed(seen);
            try {
                probe.run(h, size);
            } catch (TransferException e) {
                if (only != null && e.bytesDelivered() == 0 && e.getCause() == null) {
                    throw new Unavailable(only + " does not serve " + scenario.label + ": " + e.getMessage());
                }
                throw e;
            }
            ran = seen[0] == null ? "?" : seen[0];
        }

        @Override
        String describe() {
            return only == null ? "ZeroCopy.transfer, default engine " + engine.strategies() + " threshold "
                    + engine.threshold() : "engine with only \"" + only + "\", threshold 0";
        }
    }
}

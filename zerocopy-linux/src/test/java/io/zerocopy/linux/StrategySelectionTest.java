package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.drain;
import static io.zerocopy.linux.Fixtures.feed;
import static io.zerocopy.linux.Fixtures.payload;
import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.testkit.Loopback;

/** The default engine (providers loaded) picks the Linux strategy for every pair it serves. */
class StrategySelectionTest {

    private static final int SIZE = (1 << 20) + 3;

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();
    private final TransferEngine engine = ZeroCopy.builder().listener(recorder).build();
    /** splice preferred for file to socket, ahead of the core's mmap. */
    private final TransferEngine spliceFirst = ZeroCopy.builder().listener(recorder)
            .prefer(ChannelKind.FILE, ChannelKind.SOCKET, "splice").build();

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void providerOffersItsStrategiesAheadOfTheCoreForTheirPairs() {
        List<String> names = engine.strategies();
        assertEquals(List.of("reflink", "sendfile", "splice", "copyFileRange"), names.subList(0, 4), names.toString());
        assertEquals(List.of("reflink", "sendfile", "splice", "copyFileRange"),
                new LinuxStrategyProvider().strategies().stream().map(s -> s.name()).toList());
        // reflink leads file to file at every size; then the core's transferTo below 256 KiB, splice from 256 KiB.
        assertEquals(List.of("reflink", "transferTo", "splice", "copyFileRange"),
                engine.strategies(ChannelKind.FILE, ChannelKind.FILE, 64 * 1024).subList(0, 4));
        assertEquals(List.of("reflink", "splice", "copyFileRange"),
                engine.strategies(ChannelKind.FILE, ChannelKind.FILE, 1 << 20).subList(0, 3));
        assertFalse(engine.strategies(ChannelKind.FILE, ChannelKind.SOCKET).contains("reflink"));
        assertFalse(engine.strategies(ChannelKind.FILE, ChannelKind.FILE).contains("sendfile"));
        assertFalse(engine.strategies(ChannelKind.SOCKET, ChannelKind.SOCKET).contains("sendfile"));
        // Memory sends go straight to the gathering write: vmsplice is opt-in and splice has no memory source.
        assertEquals(List.of("copy"), engine.strategies(ChannelKind.MEMORY, ChannelKind.SOCKET));
        // sendfile leads file to socket at every size, ahead of the core's transferTo and mmap.
        for (long size : new long[] {TransferEngine.DEFAULT_THRESHOLD, 64 * 1024, 1 << 20, 256L << 20}) {
            assertEquals("sendfile", engine.strategies(ChannelKind.FILE, ChannelKind.SOCKET, size).get(0), "size " + size);
        }
    }

    @Test
    void fileToFileTriesReflinkThenSpliceByDefaultAndCopyFileRangeWhenPreferred() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        Path dst = dir.resolve("dst");
        assertEquals(SIZE, engine.transfer(src, dst));
        assertSameBytes(data, Files.readAllBytes(dst), "file -> file");
        TransferResult r = recorder.last();
        assertEquals("reflink", r.attempts().get(0).strategy(), r.toString());
        if (r.fellBack()) { // the working directory's file system shares no extents (ext4, tmpfs)
            assertEquals("splice", r.strategy(), r.toString());
            assertEquals(2, r.attempts().size(), r.toString());
        }
        TransferEngine cfrFirst = ZeroCopy.builder().listener(recorder)
                .prefer(ChannelKind.FILE, ChannelKind.FILE, "copyFileRange").build();
        assertEquals(SIZE, cfrFirst.transfer(src, dst));
        assertSameBytes(data, Files.readAllBytes(dst), "file -> file, copyFileRange preferred");
        assertStrategy("copyFileRange");
    }

    /**
     * On a network file system splice leaves file to file to copy_file_range, which copies on
     * the server; on a local one it splices. The file system type is injected through the
     * binding: no NFS server here.
     */
    @Test
    void fileToFileOnANetworkFileSystemIsLeftToCopyFileRange() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        Path dst = dir.resolve("dst");
        for (long type : new long[] {FileSystemType.NFS, FileSystemType.SMB2, FileSystemType.EXT4}) {
            FaultySyscalls sys = FaultySyscalls.none().onFileSystem(type);
            TransferEngine engine = ZeroCopy.builder().threshold(0).listener(recorder)
                    .strategies("copy").addFirst(new CopyFileRangeStrategy(sys)).addFirst(new SpliceStrategy(Linux.sharedPipePool(), sys))
                    .build();
            assertEquals(SIZE, engine.transfer(src, dst));
            assertSameBytes(data, Files.readAllBytes(dst), FileSystemType.name(type));
            TransferResult r = recorder.last();
            if (FileSystemType.copiesOnServer(type)) {
                assertEquals("copyFileRange", r.strategy(), r.toString());
                assertTrue(r.attempts().get(0).fallbackReason().contains("copies on the server"), r.toString());
            } else {
                assertEquals("splice", r.strategy(), r.toString());
            }
        }
    }

    @Test
    void fileToSocketUsesSpliceAndLeavesSourcePositionAlone() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            in.position(5);
            CompletableFuture<byte[]> got = drain(c.accepted);
            assertEquals(SIZE - 100, spliceFirst.transfer(in, 100, SIZE - 100, c.client));
            c.client.shutdownOutput();
            assertSameBytes(java.util.Arrays.copyOfRange(data, 100, SIZE), got.get(), "file -> socket");
            assertEquals(5, in.position());
        }
        assertStrategy("splice");
    }

    @Test
    void socketToSocketUsesSplice() throws Exception {
        byte[] data = payload(SIZE);
        try (Loopback.Connection in = Loopback.connect(); Loopback.Connection out = Loopback.connect()) {
            CompletableFuture<Void> fed = feed(in.client, data, true);
            CompletableFuture<byte[]> got = drain(out.accepted);
            assertEquals(SIZE, engine.transfer(in.accepted, out.client));
            out.client.shutdownOutput();
            fed.get();
            assertSameBytes(data, got.get(), "socket -> socket");
        }
        assertStrategy("splice");
    }

    @Test
    void socketToFileWritesAtTheTargetPositionAndAdvancesIt() throws Exception {
        byte[] data = payload(SIZE);
        Path dst = dir.resolve("dst");
        try (Loopback.Connection in = Loopback.connect();
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            out.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7}));
            out.position(3);
            CompletableFuture<Void> fed = feed(in.client, data, true);
            assertEquals(SIZE, engine.transfer(in.accepted, out));
            fed.get();
            assertEquals(3 + SIZE, out.position());
            byte[] all = Files.readAllBytes(dst);
            assertEquals(3 + SIZE, all.length);
            assertEquals(3, all[2]);
            assertSameBytes(data, java.util.Arrays.copyOfRange(all, 3, all.length), "socket -> file");
        }
        assertStrategy("splice");
    }

    @Test
    @SuppressWarnings("try")
    void pipeToFileAndFileToPipeUseSplice() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        Path dst = dir.resolve("dst");
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source();
             FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            CompletableFuture<Long> pump = CompletableFuture.supplyAsync(() -> {
                try {
                    long n = engine.transfer(in, sink);
                    sink.close();
                    return n;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(SIZE, engine.transfer(source, out));
            assertEquals(SIZE, pump.get());
            assertEquals(SIZE, in.position());
        }
        assertSameBytes(data, Files.readAllBytes(dst), "file -> pipe -> file");
        assertEquals(2, recorder.results.size());
        for (TransferResult r : recorder.results) {
            assertEquals("splice", r.strategy(), r.toString());
            assertFalse(r.fellBack(), r.toString());
        }
    }

    @Test
    @SuppressWarnings("try")
    void pipeToSocketAndSocketToPipeUseSplice() throws Exception {
        byte[] data = payload(SIZE);
        Pipe p1 = Pipe.open();
        Pipe p2 = Pipe.open();
        try (Loopback.Connection c = Loopback.connect(); Pipe.SinkChannel s1 = p1.sink(); Pipe.SourceChannel r1 = p1.source();
             Pipe.SinkChannel s2 = p2.sink(); Pipe.SourceChannel r2 = p2.source()) {
            CompletableFuture<Void> fed = feed(s1, data, true);
            CompletableFuture<byte[]> got = drain(r2);
            CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> {
                try {
                    long n = engine.transfer(c.accepted, s2);
                    s2.close();
                    return n;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(SIZE, engine.transfer(r1, c.client));
            c.client.shutdownOutput();
            assertEquals(SIZE, second.get());
            fed.get();
            assertSameBytes(data, got.get(), "pipe -> socket -> pipe");
        }
        assertEquals(2, recorder.results.size());
        for (TransferResult r : recorder.results) {
            assertEquals("splice", r.strategy(), r.toString());
        }
    }

    @Test
    void boundedFileSourceShorterThanAskedCompletesWithTheBytesThatExist() throws Exception {
        byte[] data = payload(SIZE);
        Path src = Fixtures.file(dir, "src", data);
        try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src)) {
            CompletableFuture<byte[]> got = drain(c.accepted);
            assertEquals(SIZE - 10, spliceFirst.transfer(in, 10, SIZE, c.client));
            c.client.shutdownOutput();
            assertSameBytes(java.util.Arrays.copyOfRange(data, 10, SIZE), got.get(), "short file -> socket");
        }
        assertStrategy("splice");
    }

    private void assertStrategy(String expected) {
        TransferResult r = recorder.last();
        assertEquals(expected, r.strategy(), r.toString());
        assertFalse(r.fellBack(), r.toString());
    }
}

package io.zerocopy.linux;

import static io.zerocopy.linux.Fixtures.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Descriptors;
import io.zerocopy.testkit.Payloads;

/** Descriptors stay within the pool's bound however many transfers succeed or fail. */
class DescriptorLeakTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void tenThousandTransfersLeaveNoMoreDescriptorsThanThePoolBound() throws Exception {
        byte[] data = payload(8192 + 7);
        Path src = Fixtures.file(dir, "src", data);
        Path dst = dir.resolve("dst");
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.READ);
             FileChannel append = FileChannel.open(dir.resolve("append"), StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            Descriptors.Snapshot before = Descriptors.snapshot();
            PipePool pool = new PipePool(3, 1 << 16);
            Recorder recorder = new Recorder();
            TransferEngine splice = ZeroCopy.builder().threshold(0).strategies("copy").listener(recorder)
                    .addFirst(new SpliceStrategy(pool, Native.syscalls())).build();
            TransferEngine failing = ZeroCopy.builder().threshold(0).strategies("copy")
                    .addFirst(new SpliceStrategy(pool, new FaultySyscalls(Errno.Syscall.SPLICE, Errno.ENOSPC).drainsOnly()))
                    .build();
            TransferEngine cfr = ZeroCopy.builder().threshold(0).strategies("copyFileRange", "copy").build();
            int failures = 0;
            for (int i = 0; i < 10_000; i++) {
                out.position(0);
                switch (i % 4) {
                    case 0:
                    case 1:
                        assertEquals(data.length, splice.transfer(in, 0, data.length, out));
                        break;
                    case 2:
                        TransferException e = assertThrows(TransferException.class,
                                () -> failing.transfer(in, 0, data.length, out));
                        assertEquals(Errno.ENOSPC, ((NativeIOException) e.getCause()).errno());
                        failures++;
                        break;
                    default:
                        if (i % 8 == 3) {
                            assertEquals(data.length, cfr.transfer(in, 0, data.length, out));
                        } else {
                            assertEquals(data.length, splice.transfer(in, 0, data.length, append));
                        }
                }
                assertTrue(pool.openPipes() <= pool.maxPipes());
            }
            assertEquals(2500, failures);
            assertEquals(5000, recorder.results.stream().filter(r -> r.strategy().equals("splice")).count());
            assertEquals(1250, recorder.results.stream().filter(r -> r.strategy().equals("copy")).count(),
                    "APPEND targets fall back");
            assertTrue(pool.openPipes() <= pool.maxPipes(), pool.toString());
            before.assertOpened(2 * pool.openPipes(), "only the pool's pipes are new: " + pool);
            assertEquals(2 * pool.openPipes(), before.pipesOpened(), "and they are pipes");
            pool.close();
            before.assertOpened(0, "after close");
            Payloads.assertSameBytes(data, Files.readAllBytes(dst), "last transfer");
        }
    }

    @Test
    void concurrentTransfersBeyondTheBoundFallBackInsteadOfWaiting() throws Exception {
        byte[] data = payload(256 * 1024 + 1);
        Path src = Fixtures.file(dir, "src", data);
        try (PipePool pool = new PipePool(2, 1 << 16)) {
            Recorder r = new Recorder();
            TransferEngine engine = ZeroCopy.builder().threshold(0).strategies("copy").listener(r)
                    .addFirst(new SpliceStrategy(pool, Native.syscalls())).build();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    Path dst = dir.resolve("dst" + t);
                    jobs.add(threads.submit(() -> {
                        try (FileChannel in = FileChannel.open(src);
                             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                            for (int i = 0; i < 100; i++) {
                                out.position(0);
                                assertEquals(data.length, engine.transfer(in, 0, data.length, out));
                                assertTrue(pool.openPipes() <= 2);
                            }
                        }
                        Payloads.assertSameBytes(data, Files.readAllBytes(dst), dst.toString());
                        return null;
                    }));
                }
                for (Future<?> f : jobs) {
                    f.get();
                }
            } finally {
                threads.shutdown();
            }
            assertEquals(400, r.results.size());
            assertTrue(pool.openPipes() <= 2, pool.toString());
            assertTrue(r.results.stream().anyMatch(x -> x.strategy().equals("splice")));
        }
    }

}

package io.zerocopy.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 mixed transfers, successful and failed (a full device, a target that fails part-way),
 * over files, pipes and one long-lived socket: afterwards the process holds no more
 * descriptors and no more memory mappings than before, beyond {@link #allowedDescriptorGrowth()}.
 */
public abstract class LeakSuite {

    @TempDir
    Path dir;

    /** @return the engine under test */
    protected abstract TransferEngine engine();

    /** @return descriptors the engine may keep open by design (a pipe pool's bound) */
    protected int allowedDescriptorGrowth() {
        return 0;
    }

    @Test
    void tenThousandMixedTransfersLeakNothing() throws Exception {
        assumeTrue(Descriptors.countable(), "descriptors can only be counted where /proc/self/fd exists");
        TransferEngine engine = engine();
        Path file = dir.resolve("in");
        byte[] payload = Payloads.of(200_000, 99);
        Files.write(file, payload);
        Path full = Path.of("/dev/full");
        try (Loopback.Connection sink = Loopback.connect()) {
            Future<byte[]> drain = Endpoints.peer(() -> Endpoints.drain(sink.accepted));
            SplittableRandom r = new SplittableRandom(5);
            runMixed(engine, file, full, sink, r, 200);
            System.gc();
            Descriptors.Snapshot fds = Descriptors.snapshot();
            long maps = mappings();
            int failures = runMixed(engine, file, full, sink, r, 10_000);
            long mapsAfter = mappings();
            sink.client.shutdownOutput();
            Endpoints.await(drain);
            fds.assertOpenedAtMost(allowedDescriptorGrowth(), "10,000 transfers");
            if (mapsAfter > maps + 4) {
                throw new AssertionError("memory mappings before " + maps + ", after " + mapsAfter);
            }
            if (failures < 1000) {
                throw new AssertionError("the mix must include failed transfers: " + failures);
            }
        }
    }

    private int runMixed(TransferEngine engine, Path file, Path full, Loopback.Connection sink, SplittableRandom r, int n)
            throws Exception {
        int failures = 0;
        for (int i = 0; i < n; i++) {
            long count = r.nextInt(0, 200_000);
            try (FileChannel in = FileChannel.open(file)) {
                switch (i % 5) {
                    case 0:
                        engine.transfer(file, dir.resolve("out"));
                        break;
                    case 1:
                        try (FileChannel out = FileChannel.open(dir.resolve("out"), StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                            Pipe pipe = Pipe.open();
                            try (Pipe.SourceChannel src = pipe.source()) {
                                try (Pipe.SinkChannel snk = pipe.sink()) {
                                    Endpoints.writeFully(snk, ByteBuffer.wrap(payload((int) Math.min(count, 60_000))));
                                }
                                engine.transfer(src, out);
                            }
                        }
                        break;
                    case 2:
                        engine.transfer(in, 0, count, sink.client);
                        break;
                    case 3:
                        if (Files.isWritable(full)) {
                            try (FileChannel out = FileChannel.open(full, StandardOpenOption.WRITE)) {
                                engine.transfer(in, 0, count + 1, out);
                            }
                        } else {
                            engine.transfer(in, 0, count + 1, new FillsUpAfter(0, false));
                        }
                        throw new AssertionError("a full target must fail");
                    default:
                        engine.transfer(in, 0, count + 10, new FillsUpAfter(count / 2, false));
                        throw new AssertionError("a failing target must fail");
                }
            } catch (TransferException expected) {
                failures++;
            }
        }
        return failures;
    }

    private static byte[] payload(int len) {
        return Payloads.of(len, 98);
    }

    private static long mappings() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.exists(maps)) {
            return 0;
        }
        try (var lines = Files.lines(maps)) {
            return lines.count();
        }
    }

}

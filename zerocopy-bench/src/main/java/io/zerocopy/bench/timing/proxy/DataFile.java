package io.zerocopy.bench.timing.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Random;

/** The upstream's file: the same pseudo-random bytes (seed 1) in every process of a run. */
final class DataFile {

    private DataFile() { }

    /** Writes {@code size} bytes from offset 0 and forces them to the file (its pages stay cached). */
    static void fill(FileChannel data, long size) throws IOException {
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        for (long at = 0; at < size; at += block.length) {
            data.write(ByteBuffer.wrap(block, 0, (int) Math.min(block.length, size - at)), at);
        }
        data.force(false);
    }
}

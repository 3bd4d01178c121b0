package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.testkit.Payloads;
import io.zerocopy.testkit.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Channels that move one byte a call and sometimes none: every strategy must still be exact. */
class AdversarialChannelTest {

    @TempDir
    Path dir;

    /** Reads at most one byte a call, and 0 bytes every other call. */
    static final class OneByteSource implements ReadableByteChannel {
        final byte[] data;
        int at;
        int calls;

        OneByteSource(byte[] data) {
            this.data = data;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (at == data.length) {
                return -1;
            }
            if (++calls % 2 == 0 || !dst.hasRemaining()) {
                return 0;
            }
            dst.put(data[at++]);
            return 1;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() { }
    }

    /** Writes at most one byte a call, and 0 bytes every third call. */
    static final class OneByteTarget implements WritableByteChannel {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int calls;

        @Override
        public int write(ByteBuffer src) {
            if (++calls % 3 == 0 || !src.hasRemaining()) {
                return 0;
            }
            out.write(src.get());
            return 1;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() { }
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "transferTo", "mmap", "auto"})
    void oneByteAtATimeTargetFromAFile(String strategy) throws Exception {
        byte[] payload = Payloads.of(20_011, 8);
        Path file = dir.resolve("in");
        Files.write(file, payload);
        RecordingListener rec = new RecordingListener();
        TransferEngine.Builder b = ZeroCopy.builder().providers(false).listener(rec);
        TransferEngine engine = strategy.equals("auto") ? b.build() : b.threshold(0).strategies(strategy).build();
        OneByteTarget target = new OneByteTarget();
        try (FileChannel in = FileChannel.open(file)) {
            assertEquals(payload.length - 11, engine.transfer(in, 11, payload.length, target));
        }
        Payloads.assertSameBytes(java.util.Arrays.copyOfRange(payload, 11, payload.length), target.out.toByteArray(), strategy);
        if (!strategy.equals("auto")) {
            assertEquals(strategy, rec.last().strategy());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 10_007})
    void oneByteAtATimeSourceToOneByteAtATimeTarget(int size) throws Exception {
        byte[] payload = Payloads.of(size, 9);
        OneByteTarget target = new OneByteTarget();
        TransferEngine engine = ZeroCopy.builder().providers(false).build();
        assertEquals(size, engine.transfer(new OneByteSource(payload), target));
        Payloads.assertSameBytes(payload, target.out.toByteArray(), "one byte a call");
    }
}

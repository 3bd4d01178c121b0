package io.zerocopy.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the library's JFR events per transfer: a 4 KiB memory send to a channel that
 * discards it, with no recording ({@code off}), and with a recording that has the
 * {@code io.zerocopy.Transfer} and {@code io.zerocopy.Fallback} events on ({@code on}, the
 * default settings: no stack trace). Each setting runs in a fork of its own.
 *
 * <pre>
 * java -jar zerocopy-bench.jar --jmh JfrEventsBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class JfrEventsBenchmark {

    /** {@code off}: no recording; {@code on}: a recording with the events enabled. */
    @Param({"off", "on"})
    public String recording;

    private final TransferEngine engine = ZeroCopy.builder().build();
    private final ByteBuffer[] buffers = {ByteBuffer.allocateDirect(4096)};
    private final WritableByteChannel sink = new WritableByteChannel() {
        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() { }
    };
    private Recording rec;

    /** Starts the recording for {@code on}. */
    @Setup(Level.Trial)
    public void setUp() {
        if (recording.equals("on")) {
            rec = new Recording();
            rec.enable("io.zerocopy.Transfer");
            rec.enable("io.zerocopy.Fallback");
            rec.setToDisk(false);
            rec.start();
        }
    }

    /** Stops the recording. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (rec != null) {
            rec.close();
        }
    }

    /** @return the bytes sent: 4096 */
    @Benchmark
    public long send4k() throws IOException {
        buffers[0].clear();
        return engine.send(buffers, sink);
    }
}

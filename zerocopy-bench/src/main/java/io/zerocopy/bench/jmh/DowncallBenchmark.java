package io.zerocopy.bench.jmh;

import io.zerocopy.linux.BenchBinding;
import java.util.concurrent.TimeUnit;
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
 * Time per call of each binding of the C library ({@link BenchBinding}):
 * {@code sysconf(_SC_PAGESIZE)} (no system call: the binding's own cost, errno handling
 * included), {@code getpid} (the smallest system call, no errno), {@code fcntl(F_GETFL)} on a
 * pipe, and {@code close(-1)} (a failing call: the binding also reads {@code errno}).
 * Each binding runs in a fork of its own, so every call site sees one implementation, as in
 * production. On JDK 17-21 the {@code foreign} trial fails at setup with the reason (pass
 * {@code -p binding=jnr}).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -jar zerocopy-bench.jar --jmh DowncallBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class DowncallBenchmark {

    /** {@code jnr} (jnr-ffi) or {@code foreign} ({@code java.lang.foreign}, JDK 22+). */
    @Param({BenchBinding.JNR, BenchBinding.FOREIGN})
    public String binding;

    private BenchBinding b;

    /** Loads and probes the binding; fails the trial if it cannot be loaded here. */
    @Setup(Level.Trial)
    public void setUp() {
        b = BenchBinding.load(binding);
    }

    /** @return {@code sysconf(_SC_PAGESIZE)} */
    @Benchmark
    public long sysconfPagesize() {
        return b.pageSize();
    }

    /** @return {@code getpid()} */
    @Benchmark
    public int getpid() {
        return b.getpid();
    }

    /** @return {@code fcntl(pipe, F_GETFL)} */
    @Benchmark
    public int fcntlGetfl() {
        return b.getfl();
    }

    /** @return {@code close(-1)}, that is {@code -EBADF} */
    @Benchmark
    public int closeEbadf() {
        return b.closeInvalid();
    }

    /** Closes the binding's pipe and pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (b != null) {
            b.close();
        }
    }
}

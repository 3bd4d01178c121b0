package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;

/**
 * {@code -Dio.zerocopy.eventLoops=io_uring} in a fresh JVM: every engine's default is the
 * io_uring loops where io_uring serves, and the selector loops with the cause where it is denied
 * ({@code -Dio.zerocopy.linux.ioUring=deny}); a transfer runs on them either way.
 */
class DefaultEventLoopsTest {

    private static final List<String> FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-Dio.zerocopy.eventLoops=io_uring");

    @Test
    void thePropertyMakesTheIoUringLoopsTheDefault() throws Exception {
        IoUringTest.requireIoUring();
        String out = child(List.of());
        assertEquals("loops=io_uring cause=null stepped-on=zerocopy-uring bytes=100000", out);
    }

    @Test
    void aDeniedIoUringGivesTheSelectorLoopsWithTheCause() throws Exception {
        Fixtures.requireLinux();
        String out = child(List.of("-Dio.zerocopy.linux.ioUring=deny"));
        assertTrue(out.startsWith("loops=selector cause=" + NativeIOException.class.getName() + ": io_uring_setup")
                || out.startsWith("loops=selector cause=java.lang.UnsupportedOperationException"), out); // JDK 17-21: the binding
        assertTrue(out.endsWith(" stepped-on=zerocopy-reactor bytes=100000"), out);
    }

    private static String child(List<String> more) throws Exception {
        List<String> flags = new ArrayList<>(FLAGS);
        flags.addAll(more);
        Process p = Fixtures.childJvm(flags, Main.class).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.split("\n");
        return lines[lines.length - 1];
    }

    /** Builds the default engine, relays 100,000 bytes pipe to pipe asynchronously, prints where it ran. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            String[] stepper = new String[1];
            TransferEngine engine = ZeroCopy.builder().listener(new TransferListener() {
                @Override
                public void onProgress(String strategy, long delivered) {
                    stepper[0] = Thread.currentThread().getName().replaceAll("-\\d+$", "");
                }
            }).build();
            Pipe in = Pipe.open();
            Pipe out = Pipe.open();
            byte[] payload = new byte[100_000];
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    in.sink().write(ByteBuffer.wrap(payload));
                    in.sink().close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            CompletableFuture<TransferResult> relay = engine.transferAsync(in.source(), out.sink());
            ByteBuffer got = ByteBuffer.allocate(payload.length);
            while (got.hasRemaining() && out.source().read(got) >= 0) {
                // the relay fills it
            }
            TransferResult r = relay.get(30, TimeUnit.SECONDS);
            writer.get(30, TimeUnit.SECONDS);
            System.out.println("loops=" + engine.eventLoops().name() + " cause=" + Linux.ioUringEventLoopsCause()
                    + " stepped-on=" + stepper[0] + " bytes=" + r.bytes());
        }
    }
}

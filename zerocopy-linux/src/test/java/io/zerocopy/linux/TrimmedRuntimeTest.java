package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.BroadcastResult;
import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.spi.TransferStrategyProvider;
import io.zerocopy.testkit.Loopback;

/**
 * Runtimes that lack what the module needs, each in a child JVM with this class path: without
 * {@code jdk.unsupported} (no {@code sun.misc.Unsafe}: {@code --limit-modules
 * java.base,java.logging}, or a jlink image of those two modules), with {@code java.base} alone
 * (jnr-ffi also needs {@code java.logging}), and with a provider that throws. The module
 * reports itself unavailable with the exception that stopped it, the default engine is the
 * core's, and transfers are byte-exact from the first call on, the first one a 1000-byte copy.
 */
class TrimmedRuntimeTest {

    static final List<String> CORE = List.of("transferTo", "mmap", "copy", "transferFrom");

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void withoutJdkUnsupportedTheCoreServesAndTheCauseIsKept() throws Exception {
        String out = run(Fixtures.childJvm(List.of("--limit-modules", "java.base,java.logging"), Child.class,
                dir.toString(), "java.lang.NoClassDefFoundError: sun/misc/Unsafe"));
        assertTrue(out.contains("strategies: " + CORE), out);
    }

    @Test
    void withJavaBaseAloneTheCoreServes() throws Exception {
        String out = run(Fixtures.childJvm(List.of("--limit-modules", "java.base"), Child.class,
                dir.toString(), "java.lang.NoClassDefFoundError"));
        assertTrue(out.contains("strategies: " + CORE), out);
    }

    @Test
    void aJlinkImageOfJavaBaseAndJavaLoggingServes() throws Exception {
        Optional<ToolProvider> jlink = ToolProvider.findFirst("jlink");
        assumeTrue(jlink.isPresent(), "no jlink in this runtime (module jdk.jlink): " + System.getProperty("java.home"));
        Path image = dir.resolve("image");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        int rc = jlink.get().run(ps, ps, "--add-modules", "java.base,java.logging", "--output", image.toString());
        assumeTrue(rc == 0, "jlink cannot link this runtime (no jmods and not linkable): " + log.toString(StandardCharsets.UTF_8));
        String out = run(Fixtures.childJvm(image, List.of(), System.getProperty("java.class.path"), Child.class,
                dir.toString(), "java.lang.NoClassDefFoundError: sun/misc/Unsafe"));
        assertTrue(out.contains("modules: [java.base, java.logging]"), out);
    }

    @Test
    void aProviderThatThrowsOrCannotBeLoadedIsLeftOut() throws Exception {
        Path services = dir.resolve("services");
        Files.createDirectories(services.resolve("META-INF/services"));
        Files.writeString(services.resolve("META-INF/services/" + TransferStrategyProvider.class.getName()),
                BrokenProvider.class.getName() + "\nio.zerocopy.linux.NoSuchProvider\n");
        String out = run(Fixtures.childJvm(Path.of(System.getProperty("java.home")), List.of(),
                System.getProperty("java.class.path") + java.io.File.pathSeparator + services, Child.class,
                dir.toString(), "none"));
        assertTrue(out.contains("left out: java.lang.NoClassDefFoundError: simulated"), out);
        assertTrue(out.contains("left out: java.util.ServiceConfigurationError"), out);
    }

    private static String run(ProcessBuilder child) throws Exception {
        Process p = child.redirectErrorStream(true).start();
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        String out = new String(output.get(), StandardCharsets.UTF_8);
        assertTrue(finished, "child JVM still running after 120 s, killed:\n" + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Registered by one test in the child's class path: throws as if a class it needs were missing. */
    public static final class BrokenProvider implements TransferStrategyProvider {
        @Override
        public List<TransferStrategy> strategies() {
            throw new NoClassDefFoundError("simulated: a class this provider needs is missing");
        }
    }

    /**
     * The child: the first call a 1000-byte copy (twice), then file→file, file→socket,
     * socket→socket, a broadcast and {@code mmap} alone, each byte-exact; availability as
     * expected. Args: a directory, and the text the unavailability cause must contain, or
     * {@code none} if the module must be available. Exits non-zero on any failure.
     */
    public static final class Child {
        private Child() { }

        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            String expected = args[1];
            byte[] small = Fixtures.payload(1000);
            Path smallSource = Fixtures.file(dir, "small", small);
            for (int i = 0; i < 2; i++) {
                Path copy = dir.resolve("small-copy-" + i);
                check(ZeroCopy.transfer(smallSource, copy) == small.length, "1000-byte copy " + i + " count");
                check(Arrays.equals(small, Files.readAllBytes(copy)), "1000-byte copy " + i + " content");
            }
            TransferEngine engine = ZeroCopy.defaultEngine();
            Throwable cause = Linux.unavailabilityCause();
            System.out.println("modules: " + ModuleLayer.boot().modules().stream().map(Module::getName).sorted().toList());
            System.out.println("cause: " + cause);
            System.out.println("strategies: " + engine.strategies());
            if (expected.equals("none")) {
                Linux.ensureAvailability();
                check(engine.strategies().contains("splice"), "Linux strategies offered: " + engine);
            } else {
                check(!Linux.isAvailable() && cause != null && cause.toString().contains(expected),
                        "unavailable because of " + expected + ", cause: " + cause);
                check(engine.strategies().equals(CORE), "core strategies only: " + engine);
                check(engine.broadcastStrategies().equals(List.of("copy")), "broadcast: " + engine.broadcastStrategies());
                try {
                    Linux.splice();
                    check(false, "Linux.splice() refused");
                } catch (UnsatisfiedLinkError e) {
                    check(e.getCause() == cause, "the factory's error has the cause: " + e);
                }
            }
            transfers(engine, dir);
            TransferEngine mmap = ZeroCopy.builder().strategies("mmap").threshold(0).build();
            byte[] data = Fixtures.payload((3 << 20) + 7);
            Path source = Fixtures.file(dir, "mapped", data);
            try (FileChannel in = FileChannel.open(source);
                 FileChannel out = FileChannel.open(dir.resolve("mapped-copy"), StandardOpenOption.CREATE,
                         StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                check(mmap.transfer(in, 0, data.length, out) == data.length, "mmap count");
            }
            check(Arrays.equals(data, Files.readAllBytes(dir.resolve("mapped-copy"))), "mmap content");
            java.lang.reflect.Method method = Class.forName("io.zerocopy.Mapper").getDeclaredMethod("method");
            method.setAccessible(true);
            String unmapping = (String) method.invoke(null);
            System.out.println("unmapping: " + unmapping);
            boolean unsafe = ModuleLayer.boot().findModule("jdk.unsupported").isPresent();
            check(unmapping.equals(Runtime.version().feature() >= 22 ? "arena" : unsafe ? "invokeCleaner" : "gc"),
                    "mmap windows unmapped by " + unmapping);
            System.out.println("ok");
        }

        private static void transfers(TransferEngine engine, Path dir) throws Exception {
            byte[] data = Fixtures.payload((3 << 20) + 7);
            Path source = Fixtures.file(dir, "big", data);
            Path copy = dir.resolve("big-copy");
            check(engine.transfer(source, copy) == data.length, "file→file count");
            check(Arrays.equals(data, Files.readAllBytes(copy)), "file→file content");
            try (FileChannel in = FileChannel.open(source); Loopback.Connection c = Loopback.connect()) {
                CompletableFuture<byte[]> read = Fixtures.drain(c.accepted);
                check(engine.transfer(in, 0, data.length, c.client) == data.length, "file→socket count");
                c.client.shutdownOutput();
                check(Arrays.equals(data, read.get()), "file→socket content");
            }
            try (Loopback.Connection up = Loopback.connect(); Loopback.Connection down = Loopback.connect()) {
                Fixtures.feed(up.client, data, true);
                CompletableFuture<byte[]> read = Fixtures.drain(down.accepted);
                check(engine.transfer(up.accepted, down.client) == data.length, "socket→socket count");
                down.client.shutdownOutput();
                check(Arrays.equals(data, read.get()), "socket→socket content");
            }
            Path target = dir.resolve("broadcast-copy");
            try (FileChannel in = FileChannel.open(source); Loopback.Connection c = Loopback.connect();
                 FileChannel file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                CompletableFuture<byte[]> read = Fixtures.drain(c.accepted);
                BroadcastResult r = engine.broadcast(in, 0, data.length, List.of(c.client, file));
                c.client.shutdownOutput();
                check(r.allDelivered(), "broadcast: " + r);
                check(Arrays.equals(data, read.get()), "broadcast socket content");
            }
            check(Arrays.equals(data, Files.readAllBytes(target)), "broadcast file content");
        }

        private static void check(boolean ok, String what) {
            if (!ok) {
                throw new AssertionError(what);
            }
        }
    }
}

package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Loopback;

/**
 * The JDK options of docs/linux.md, "JDK options", each in a fresh JVM that loads this module
 * from a multi-release jar made of its classes (as users get it): which binding and descriptor
 * route serve, which strategies ran (byte-exact), which JDK warning lines are printed, and that
 * jffi, jnr-ffi and ASM are not loaded where the foreign binding serves.
 */
class JdkOptionsTest {

    private static final String OPENS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    private static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    private static final String DENY_UNSAFE = "--sun-misc-unsafe-memory-access=deny";
    private static final int JDK = Runtime.version().feature();

    @TempDir
    static Path dir;
    private static String classPath;

    @BeforeAll
    static void jar() throws Exception {
        Fixtures.requireLinux();
        classPath = multiReleaseClassPath(dir);
    }

    @Test
    void documentedOptionsPrintNoWarningAndTheFastPathsServe() throws Exception {
        Child c = run(JDK >= 22 ? List.of(NATIVE, OPENS) : List.of(OPENS));
        assertEquals(List.of(), c.warnings(), c.stderr);
        c.assertServed(JDK >= 22 ? "java.lang.foreign" : "jnr-ffi", "method handles on sun.nio.ch");
    }

    @Test
    void noOptionStillWorks() throws Exception {
        Child c = run(List.of());
        c.assertServed(JDK >= 22 ? "java.lang.foreign" : "jnr-ffi", "sun.misc.Unsafe");
        if (JDK < 22) {
            assertEquals(List.of(), c.warnings(), c.stderr);
        } else {
            // The JDK's notices for this module's own restricted and (24+) Unsafe calls; none from jffi.
            assertTrue(c.stderr.contains("io.zerocopy.linux.ForeignSyscalls"), c.stderr);
            assertFalse(c.stderr.contains("jffi") || c.stderr.contains("jnr"), c.stderr);
        }
    }

    @Test
    void unsafeDeniedStillSplicesWhereSunNioChIsOpen() throws Exception {
        assumeTrue(JDK >= 23, DENY_UNSAFE + " exists from JDK 23");
        Child c = run(List.of(NATIVE, OPENS, DENY_UNSAFE));
        assertEquals(List.of(), c.warnings(), c.stderr);
        c.assertServed("java.lang.foreign", "method handles on sun.nio.ch");
    }

    @Test
    void unsafeDeniedWithoutOpensNamesTheOptionAndTheCoreServes() throws Exception {
        assumeTrue(JDK >= 23, DENY_UNSAFE + " exists from JDK 23");
        Child c = run(List.of(NATIVE, DENY_UNSAFE));
        assertTrue(c.stdout.contains("binding=none descriptors=none"), c.stdout);
        assertTrue(c.stdout.contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED"), c.stdout);
        assertFalse(c.stdout.contains("strategies=sendfile"), c.stdout);
    }

    @Test
    void newerJdksNeedNoJnrFfiJarsOnTheClassPath() throws Exception {
        assumeTrue(JDK >= 22, "jnr-ffi is the only binding before JDK 22");
        String withoutJnr = java.util.Arrays.stream(classPath.split(File.pathSeparator))
                .filter(e -> !Path.of(e).getFileName().toString().matches("(jnr-|jffi-|asm-).*"))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(withoutJnr.length() < classPath.length(), "jnr-ffi's jars were on the class path");
        Child c = run(List.of(NATIVE, OPENS), withoutJnr);
        assertEquals(List.of(), c.warnings(), c.stderr);
        c.assertServed("java.lang.foreign", "method handles on sun.nio.ch");
    }

    @Test
    void jnrBindingCanBeForcedOnNewerJdks() throws Exception {
        assumeTrue(JDK >= 22, "jnr-ffi is the only binding before JDK 22");
        Child c = run(List.of("-D" + Native.BINDING_PROPERTY + "=jnr"));
        c.assertServed("jnr-ffi", "sun.misc.Unsafe");
    }

    private static Child run(List<String> options) throws Exception {
        return run(options, classPath);
    }

    private static Child run(List<String> options, String classPath) throws Exception {
        List<String> flags = new ArrayList<>(options);
        flags.add("-verbose:class");
        Process p = Fixtures.childJvm(Path.of(System.getProperty("java.home")), flags, classPath, Main.class, dir.toString())
                .start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Void> errors = CompletableFuture.runAsync(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        errors.join();
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out + stderr);
        return new Child(options, out, stderr);
    }

    /** What a child printed: its report on stdout (with the class-loading log), the JDK's warnings on stderr. */
    private record Child(List<String> options, String stdout, String stderr) {

        List<String> warnings() {
            return stderr.lines().filter(l -> l.startsWith("WARNING")).collect(Collectors.toList());
        }

        void assertServed(String binding, String descriptors) {
            String report = stdout.lines().filter(l -> l.startsWith("binding=")).findFirst().orElse("(no report)");
            assertEquals("binding=" + binding + " descriptors=" + descriptors + " strategies=sendfile,splice", report,
                    options + "\n" + stderr);
            if (binding.equals("java.lang.foreign")) {
                List<String> bindingClasses = stdout.lines()
                        .filter(l -> l.contains("com.kenai.jffi") || l.contains(" jnr.ffi") || l.contains("org.objectweb.asm"))
                        .collect(Collectors.toList());
                assertEquals(List.of(), bindingClasses, "jffi, jnr-ffi and ASM are not loaded");
            }
        }
    }

    /**
     * @return the test class path with this module's class directories replaced by a
     *     multi-release jar of them (its {@code META-INF/versions/22} included when built on 22+)
     */
    private static String multiReleaseClassPath(Path dir) throws IOException, URISyntaxException {
        Path classes = Path.of(Linux.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = dir.resolve("zerocopy-linux.jar");
        Path manifest = Files.writeString(dir.resolve("MANIFEST.MF"), "Multi-Release: true\n");
        ToolProvider tool = ToolProvider.findFirst("jar").orElseThrow();
        StringWriter log = new StringWriter();
        int r = tool.run(new PrintWriter(log), new PrintWriter(log), "--create", "--file", jar.toString(),
                "--manifest", manifest.toString(), "-C", classes.toString(), ".");
        assertEquals(0, r, log.toString());
        List<String> entries = new ArrayList<>();
        entries.add(jar.toString());
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e).toAbsolutePath();
            if (!p.startsWith(classes)) {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The child: the default engine, one file→socket and one socket→file transfer, checked; prints what served. */
    public static final class Main {
        private Main() { }

        public static void main(String[] args) throws Exception {
            byte[] data = Fixtures.payload(1 << 20);
            Path src = Fixtures.file(Path.of(args[0]), "child-src", data);
            Path dst = Files.createTempFile(Path.of(args[0]), "child-dst", "");
            List<String> strategies = new ArrayList<>();
            TransferEngine engine = ZeroCopy.builder().build().withListener(new TransferListener() {
                @Override
                public void onComplete(TransferResult result) {
                    strategies.add(result.strategy());
                }
            });
            try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src);
                 FileChannel out = FileChannel.open(dst, StandardOpenOption.WRITE)) {
                engine.transfer(in, 0, data.length, c.client);
                c.client.shutdownOutput();
                engine.transfer(c.accepted, out);
            }
            if (!Arrays.equals(data, Files.readAllBytes(dst))) {
                throw new AssertionError("content differs");
            }
            System.out.println("binding=" + Linux.binding() + " descriptors=" + Linux.descriptorAccess()
                    + " strategies=" + String.join(",", strategies));
            System.out.println("cause=" + Linux.unavailabilityCause());
        }
    }
}

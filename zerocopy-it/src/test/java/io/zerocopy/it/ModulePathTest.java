package io.zerocopy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small modular application ({@code module zerocopy.example { requires io.zerocopy; }}) on
 * the module path with the packaged jars, and in a jlink'ed runtime: the module descriptors
 * resolve, the Linux provider is bound through {@code provides}/{@code uses} without the
 * application naming it, and the strategies that serve are the ones docs/linux.md, "JDK
 * options", promises for the options given. Each case is a child JVM; the application checks
 * its bytes and prints the strategies that ran.
 */
class ModulePathTest {

    private static final int JDK = Runtime.version().feature();
    private static final String OPENS = "--add-opens=java.base/sun.nio.ch=io.zerocopy.linux";
    private static final String NATIVE = "--enable-native-access=io.zerocopy.linux";

    @TempDir
    static Path dir;
    private static Path core;
    private static Path linux;
    /** jnr-ffi, jffi and ASM: needed on JDK 17-21 only. */
    private static List<Path> jnr;
    private static Path app;

    @BeforeAll
    static void build() throws IOException {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "the Linux provider needs Linux");
        jnr = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (name.startsWith("zerocopy-core") && name.endsWith(".jar") && !name.contains("tests")) {
                core = p;
            } else if (name.startsWith("zerocopy-linux") && name.endsWith(".jar")) {
                linux = p;
            } else if (name.startsWith("jnr-") || name.startsWith("jffi-") || name.startsWith("asm-")) {
                jnr.add(p);
            }
        }
        assertTrue(core != null && linux != null, "the packaged jars of core and linux on the class path: "
                + System.getProperty("java.class.path"));
        app = compileApplication(dir);
    }

    @Test
    void onTheModulePathTheLinuxProviderServesWithTheDocumentedOptions() throws Exception {
        List<String> options = JDK >= 22
                ? List.of(NATIVE, OPENS)
                // jnr-ffi is an automatic module and its ASM modules are required by nobody: resolve them.
                : List.of(OPENS, "--add-modules=ALL-MODULE-PATH");
        List<Path> path = JDK >= 22 ? List.of(core, linux, app) : modulePath(core, linux, app);
        Run r = run(javaHome(), path, options);
        assertEquals("strategies=sendfile,splice", r.report(), r.all());
        assertEquals(List.of(), r.warnings(), r.all());
    }

    @Test
    void withoutJnrFfiOnTheModulePathNewerJdksStillSplice() throws Exception {
        assumeTrue(JDK >= 22, "JDK 17-21 bind through jnr-ffi");
        Run r = run(javaHome(), List.of(core, linux, app), List.of(NATIVE, OPENS));
        assertEquals("strategies=sendfile,splice", r.report(), r.all());
    }

    @Test
    void withoutOptionsTheApplicationStillWorks() throws Exception {
        // No sun.nio.ch opens and jdk.unsupported unresolved: descriptors unreadable, the core serves.
        Run r = run(javaHome(), JDK >= 22 ? List.of(core, linux, app) : modulePath(core, linux, app), List.of());
        assertTrue(r.report().startsWith("strategies="), r.all());
        assertTrue(!r.report().contains("sendfile") && !r.report().contains("splice"), r.all());
        assertTrue(r.stderr.contains("zerocopy-linux: unavailable"), "the cause is logged: " + r.all());
    }

    @Test
    void jfrEventsAreRecordedOnTheModulePathWhenJdkJfrIsResolved() throws Exception {
        Path recording = dir.resolve("module-path.jfr");
        List<String> options = new ArrayList<>(List.of("--add-modules=jdk.jfr",
                "-XX:StartFlightRecording=filename=" + recording, "-Xlog:jfr+startup=warning"));
        options.addAll(JDK >= 22 ? List.of(NATIVE, OPENS) : List.of(OPENS, "--add-modules=ALL-MODULE-PATH"));
        Run r = run(javaHome(), JDK >= 22 ? List.of(core, linux, app) : modulePath(core, linux, app), options);
        assertEquals("strategies=sendfile,splice", r.report(), r.all());
        Process print = new ProcessBuilder(javaHome().resolve("bin").resolve("jfr").toString(), "print", "--events",
                "io.zerocopy.Transfer", recording.toString()).redirectErrorStream(true).start();
        String events = new String(print.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(print.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, events.lines().filter(l -> l.startsWith("io.zerocopy.Transfer {")).count(), events);
        assertTrue(events.contains("strategy = \"sendfile\"") && events.contains("strategy = \"splice\""), events);
    }

    @Test
    void aJlinkedRuntimeHoldsTheModules() throws Exception {
        ToolProvider jlink = ToolProvider.findFirst("jlink").orElse(null);
        assumeTrue(jlink != null, "no jlink in this JDK");
        Path image = dir.resolve("image");
        StringWriter log = new StringWriter();
        // jlink takes explicit modules only: jnr-ffi (automatic) cannot go in, so the image binds
        // through java.lang.foreign on JDK 22+, and has the core's strategies alone before.
        List<String> args = new ArrayList<>(List.of("--module-path", join(core, linux, app), "--add-modules",
                "zerocopy.example,io.zerocopy.linux", "--output", image.toString(), "--strip-debug", "--no-header-files",
                "--no-man-pages"));
        int rc = jlink.run(new PrintWriter(log), new PrintWriter(log), args.toArray(String[]::new));
        assumeTrue(rc == 0 || !log.toString().contains("jmods"), "this JDK cannot link images (no jmods): " + log);
        assertEquals(0, rc, log.toString());
        Run r = run(image, List.of(), List.of(NATIVE, OPENS));
        if (JDK >= 22) {
            assertEquals("strategies=sendfile,splice", r.report(), r.all());
            assertEquals(List.of(), r.warnings(), r.all());
        } else {
            assertTrue(r.report().startsWith("strategies=") && !r.report().contains("sendfile"), r.all());
        }
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    private static List<Path> modulePath(Path... first) {
        List<Path> all = new ArrayList<>(List.of(first));
        all.addAll(jnr);
        return all;
    }

    private static String join(Path... paths) {
        return List.of(paths).stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    /** Compiles the application module against the core's jar. */
    private static Path compileApplication(Path dir) throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("example"));
        Files.writeString(src.resolve("module-info.java"), "module zerocopy.example { requires io.zerocopy; }\n");
        Files.writeString(src.resolve("example").resolve("Main.java"), String.join("\n",
                "package example;",
                "import java.net.InetAddress;",
                "import java.net.InetSocketAddress;",
                "import java.nio.channels.*;",
                "import java.nio.file.*;",
                "import java.util.*;",
                "import io.zerocopy.*;",
                "public final class Main {",
                "    public static void main(String[] args) throws Exception {",
                "        Path dir = Path.of(args[0]);",
                "        byte[] data = new byte[1 << 20];",
                "        new Random(7).nextBytes(data);",
                "        Path src = Files.write(dir.resolve(\"src\"), data);",
                "        Path dst = Files.createTempFile(dir, \"dst\", \"\");",
                "        List<String> ran = new ArrayList<>();",
                "        TransferEngine engine = ZeroCopy.builder().build().withListener(new TransferListener() {",
                "            @Override public void onComplete(TransferResult r) { ran.add(r.strategy()); }",
                "        });",
                "        try (ServerSocketChannel server = ServerSocketChannel.open()",
                "                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));",
                "             SocketChannel client = SocketChannel.open(server.getLocalAddress());",
                "             SocketChannel accepted = server.accept();",
                "             FileChannel in = FileChannel.open(src);",
                "             FileChannel out = FileChannel.open(dst, StandardOpenOption.WRITE)) {",
                "            engine.transfer(in, 0, data.length, client);",
                "            client.shutdownOutput();",
                "            engine.transfer(accepted, out);",
                "        }",
                "        if (!Arrays.equals(data, Files.readAllBytes(dst))) throw new AssertionError(\"content differs\");",
                "        System.out.println(\"strategies=\" + String.join(\",\", ran));",
                "    }",
                "}",
                ""));
        Path out = dir.resolve("app");
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        StringWriter log = new StringWriter();
        int rc = javac.run(new PrintWriter(log), new PrintWriter(log), "--release", "17", "--module-path", core.toString(),
                "-d", out.toString(), src.resolve("module-info.java").toString(),
                src.resolve("example").resolve("Main.java").toString());
        assertEquals(0, rc, log.toString());
        return out;
    }

    private static Run run(Path javaHome, List<Path> modulePath, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin").resolve("java").toString());
        cmd.addAll(options);
        if (!modulePath.isEmpty()) {
            cmd.add("--module-path");
            cmd.add(join(modulePath.toArray(Path[]::new)));
        }
        cmd.add("-m");
        cmd.add("zerocopy.example/example.Main");
        Path work = Files.createTempDirectory(dir, "run");
        cmd.add(work.toString());
        Process p = new ProcessBuilder(cmd).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Void> errors = CompletableFuture.runAsync(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        errors.join();
        Run r = new Run(cmd, out, err.toString(StandardCharsets.UTF_8));
        assertEquals(0, p.exitValue(), r.all());
        return r;
    }

    /** A child's command and output. */
    private record Run(List<String> command, String stdout, String stderr) {

        String report() {
            return stdout.lines().filter(l -> l.startsWith("strategies=")).findFirst().orElse("(no report)");
        }

        List<String> warnings() {
            return stderr.lines().filter(l -> l.startsWith("WARNING")).collect(Collectors.toList());
        }

        String all() {
            return String.join(" ", command) + "\n" + stdout + stderr;
        }
    }
}

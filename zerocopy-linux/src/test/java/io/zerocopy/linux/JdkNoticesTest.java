package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.testkit.Loopback;

/**
 * In a fresh JVM (no flags), a splice transfer of a file and a socket prints no JDK notice that
 * names this module: on JDK 24+ the only notices are jffi's, and with
 * {@code --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow} none at all.
 */
class JdkNoticesTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void moduleAddsNoNoticeOfItsOwn() throws Exception {
        String stderr = runChild(List.of());
        assertFalse(stderr.contains("io.zerocopy"), stderr);
        if (Runtime.version().feature() >= 24) {
            String quiet = runChild(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
            assertFalse(quiet.contains("WARNING"), quiet);
        }
    }

    private String runChild(List<String> flags) throws Exception {
        Process p = Fixtures.childJvm(flags, Child.class, dir.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        p.getErrorStream().transferTo(err);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stderr);
        return stderr;
    }

    /** The child: one file→socket and one socket→file splice transfer, checked. */
    public static final class Child {
        private Child() { }

        public static void main(String[] args) throws Exception {
            Linux.ensureAvailability();
            byte[] data = Fixtures.payload(1 << 20);
            Path src = Fixtures.file(Path.of(args[0]), "child-src", data);
            Path dst = Path.of(args[0]).resolve("child-dst");
            TransferEngine engine = ZeroCopy.builder().threshold(0).strategies("splice").build();
            try (Loopback.Connection c = Loopback.connect(); FileChannel in = FileChannel.open(src);
                 FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                engine.transfer(in, 0, data.length, c.client);
                c.client.shutdownOutput();
                engine.transfer(c.accepted, out);
            }
            if (!java.util.Arrays.equals(data, Files.readAllBytes(dst))) {
                throw new AssertionError("content differs");
            }
        }
    }
}

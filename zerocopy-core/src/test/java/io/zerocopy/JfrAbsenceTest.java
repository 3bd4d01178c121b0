package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where no recording runs, or the runtime has no {@code jdk.jfr} module at all, the JFR events
 * cost nothing and break nothing: checked in JVMs of their own ({@link TransferInChildJvm}),
 * started with this JVM's {@code java}.
 */
class JfrAbsenceTest {

    @TempDir
    Path dir;

    /** @return the child's output; fails unless it exits with 0 within a minute */
    private String runChild(String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.add("-cp");
        command.add(location(TransferEngine.class) + File.pathSeparator + location(TransferInChildJvm.class));
        command.add(TransferInChildJvm.class.getName());
        command.add(dir.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
        String output = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), command + "\n" + output);
        return output;
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void withoutTheJfrModuleTransfersRunByteExact() throws Exception {
        String out = runChild("--limit-modules", "java.base");
        assertTrue(out.contains("strategy=") && out.contains(" fallbacks=1 bytes=1048579 same=true jfrModule=false"
                + " jfrInitialized=absent"), out);
    }

    @Test
    void withNoRecordingNoEventIsMadeAndJfrIsNotStarted() throws Exception {
        Path loaded = dir.resolve("classes.txt");
        String out = runChild("-Xlog:class+load=info:file=" + loaded);
        assertTrue(out.contains(" fallbacks=1 bytes=1048579 same=true jfrModule=true jfrInitialized=false"), out);
        String classes = Files.readString(loaded);
        assertTrue(classes.contains(JfrRecorder.class.getName() + " "), "the JFR recorder was chosen");
        assertFalse(classes.contains(JfrRecorder.class.getName() + "$"), "no event class was loaded");
    }
}

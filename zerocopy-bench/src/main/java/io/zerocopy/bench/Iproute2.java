package io.zerocopy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs the iproute2 tools {@code ip} and {@code tc}: one process per command, which must exit
 * 0 within {@link #TIMEOUT_SECONDS}; otherwise an {@link IOException} carries the command line
 * and what the tool printed (stdout and stderr, through a temporary file so that a tool that
 * hangs cannot block the reader).
 */
final class Iproute2 {

    static final int TIMEOUT_SECONDS = 20;

    private Iproute2() { }

    /**
     * @param tool {@code ip} or {@code tc}
     * @return the executable, looked up on {@code PATH} and in the sbin directories (which a
     *     non-login root shell may leave off {@code PATH}), or null if there is none
     */
    static Path find(String tool) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            Path p = Path.of(d, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Runs one command and returns what it printed.
     *
     * @param tool {@code ip} or {@code tc}
     * @param args its arguments
     * @return what it printed on stdout and stderr
     * @throws IOException if the tool is missing, fails, or hangs
     */
    static String run(String tool, String... args) throws IOException {
        Path exe = find(tool);
        if (exe == null) {
            throw new IOException(tool + " (iproute2) not found");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("zerocopy-bench-" + tool + "-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(line(tool, args) + ": no exit after " + TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(line(tool, args) + ": interrupted", e);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new IOException(line(tool, args) + " exited " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
            }
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** @return the command as one would type it */
    static String line(String tool, String... args) {
        return tool + " " + String.join(" ", args);
    }
}

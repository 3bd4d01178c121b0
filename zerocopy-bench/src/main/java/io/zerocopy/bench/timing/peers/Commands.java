package io.zerocopy.bench.timing.peers;

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
 * Short-lived commands ({@code ip}, {@code gcc}, version queries): one process each, which must
 * exit within {@value #TIMEOUT_SECONDS} s; what it prints goes through a temporary file so that
 * a command that hangs cannot block the reader.
 */
final class Commands {

    static final int TIMEOUT_SECONDS = 60;

    private Commands() { }

    /**
     * @param name an executable's name
     * @return it, looked up on {@code PATH} and in the sbin directories (which a non-login root
     *     shell may leave off {@code PATH}), or null if there is none
     */
    static Path find(String name) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Runs a command that must exit 0.
     *
     * @param command the executable (a name is looked up with {@link #find}) and its arguments
     * @return what it printed on stdout and stderr, trimmed
     * @throws IOException with the command line and its output if it is missing, fails or hangs
     */
    static String run(String... command) throws IOException {
        Result r = runAny(command);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", command) + " exited " + r.exit + (r.out.isEmpty() ? "" : ": " + r.out));
        }
        return r.out;
    }

    /** A finished command: its exit status and what it printed. */
    static final class Result {
        final int exit;
        final String out;

        Result(int exit, String out) {
            this.exit = exit;
            this.out = out;
        }
    }

    /**
     * Runs a command whatever its exit status.
     *
     * @param command the executable and its arguments
     * @return its exit status and output
     * @throws IOException if it is missing or hangs
     */
    static Result runAny(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(command));
        if (!cmd.get(0).contains("/")) {
            Path exe = find(cmd.get(0));
            if (exe == null) {
                throw new IOException(cmd.get(0) + " not found");
            }
            cmd.set(0, exe.toString());
        }
        Path log = Files.createTempFile("zcp-cmd-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + ": no exit after " + TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", command) + ": interrupted", e);
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8).trim());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** @return the command's first line of output, or why there is none */
    static String firstLine(String... command) {
        try {
            String out = runAny(command).out;
            int nl = out.indexOf('\n');
            return nl < 0 ? out : out.substring(0, nl);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}

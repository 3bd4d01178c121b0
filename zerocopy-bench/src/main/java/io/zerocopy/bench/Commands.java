package io.zerocopy.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Short-lived system commands of the bench ({@code ip}, {@code tc}, {@code mkfs.*}, {@code mount},
 * {@code cp}, compilers, version queries): one process each, with no input, which must exit
 * within a timeout ({@value #TIMEOUT_SECONDS} s unless given); what it prints goes through a
 * temporary file so that a command that hangs cannot block the reader, and can be quoted as the
 * reason of a failure. Public for the timing programs in other packages of the bench.
 */
public final class Commands {

    /** How long a command may take unless the caller says otherwise. */
    public static final long TIMEOUT_SECONDS = 60;

    private Commands() { }

    /**
     * @param name an executable's name
     * @return it, looked up on {@code PATH} and in the sbin directories (which a non-login root
     *     shell may leave off {@code PATH}), or null if there is none
     */
    public static Path find(String name) {
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
    public static String run(String... command) throws IOException {
        return runWithin(TIMEOUT_SECONDS, command);
    }

    /**
     * Runs a command that must exit 0 within {@code seconds}.
     *
     * @param seconds how long it may take
     * @param command the executable (a name is looked up with {@link #find}) and its arguments
     * @return what it printed on stdout and stderr, trimmed
     * @throws IOException with the command line and its output if it is missing, fails or hangs
     */
    public static String runWithin(long seconds, String... command) throws IOException {
        Result r = runAny(seconds, command);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", command) + " exited " + r.exit + (r.out.isEmpty() ? "" : ": " + r.out));
        }
        return r.out;
    }

    /** A finished command: its exit status and what it printed. */
    public static final class Result {
        /** The exit status. */
        public final int exit;
        /** What it printed on stdout and stderr, trimmed. */
        public final String out;

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
    public static Result runAny(String... command) throws IOException {
        return runAny(TIMEOUT_SECONDS, command);
    }

    /**
     * Runs a command whatever its exit status.
     *
     * @param seconds how long it may take
     * @param command the executable and its arguments
     * @return its exit status and output
     * @throws IOException if it is missing or hangs; {@link InterruptedIOException} if this
     *     thread is interrupted while waiting (the command is then killed)
     */
    public static Result runAny(long seconds, String... command) throws IOException {
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
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            try {
                if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + ": no exit after " + seconds + " s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                InterruptedIOException x = new InterruptedIOException(String.join(" ", command) + ": interrupted");
                x.initCause(e);
                throw x;
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8).trim());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** @return the command's first line of output, or why there is none */
    public static String firstLine(String... command) {
        try {
            String out = runAny(command).out;
            int nl = out.indexOf('\n');
            return nl < 0 ? out : out.substring(0, nl);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}

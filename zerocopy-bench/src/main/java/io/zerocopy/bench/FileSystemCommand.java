package io.zerocopy.bench;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system programs that make, mount, settle and copy into file systems ({@code mkfs.*},
 * {@code mount}, {@code umount}, {@code sync}, {@code cp}) and finds them. A command's output goes
 * to a temporary file, not a pipe, so that a program that hangs cannot block the reader and its
 * output can still be quoted as the reason of a failure.
 */
final class FileSystemCommand {

    /** How long any one command may take. */
    static final long TIMEOUT_SECONDS = 120;

    private FileSystemCommand() { }

    /**
     * @param program a program name, such as {@code mkfs.xfs}
     * @return the executable found on the {@code PATH} or in {@code /usr/sbin} and {@code /sbin}
     *     (where mkfs lives, often outside a user's {@code PATH}), or null
     */
    static Path find(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin"
                + File.pathSeparator + "/sbin";
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return Path.of(d, program);
            }
        }
        return null;
    }

    /**
     * Runs a command to its end, with no input.
     *
     * @param command the program and its arguments
     * @return null if it exited with 0; otherwise the command line, its exit status and what it
     *     printed, or why it could not start or did not end within {@value #TIMEOUT_SECONDS} s
     * @throws InterruptedIOException if this thread is interrupted while waiting (the command is
     *     killed)
     */
    static String run(String... command) throws InterruptedIOException {
        String line = String.join(" ", command);
        Path out = null;
        try {
            out = Files.createTempFile("zerocopy-bench-", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            try {
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return line + ": no exit after " + TIMEOUT_SECONDS + " s";
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(line + ": interrupted");
            }
            int exit = p.exitValue();
            return exit == 0 ? null
                    : line + " exited " + exit + ": " + Files.readString(out, StandardCharsets.UTF_8).trim();
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            return line + ": " + e.getMessage();
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a few bytes left in the temporary directory
                }
            }
        }
    }
}

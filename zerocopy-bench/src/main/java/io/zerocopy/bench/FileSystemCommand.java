package io.zerocopy.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;

/**
 * Runs the system programs that make, mount, settle and copy into file systems ({@code mkfs.*},
 * {@code mount}, {@code umount}, {@code sync}, {@code cp}) through {@link Commands}, answering
 * with the reason of a failure rather than an exception.
 */
final class FileSystemCommand {

    /** How long any one command may take. */
    static final long TIMEOUT_SECONDS = 120;

    private FileSystemCommand() { }

    /**
     * @param program a program name, such as {@code mkfs.xfs}
     * @return the executable ({@link Commands#find}: the {@code PATH} and the sbin directories,
     *     where mkfs lives, often outside a user's {@code PATH}), or null
     */
    static Path find(String program) {
        return Commands.find(program);
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
        try {
            Commands.runWithin(TIMEOUT_SECONDS, command);
            return null;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}

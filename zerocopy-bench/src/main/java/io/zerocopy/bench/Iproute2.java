package io.zerocopy.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs the iproute2 tools {@code ip} and {@code tc} through {@link Commands}: one process per
 * command, which must exit 0 within {@link #TIMEOUT_SECONDS}; otherwise an {@link IOException}
 * carries the command line and what the tool printed.
 */
final class Iproute2 {

    static final int TIMEOUT_SECONDS = 20;

    private Iproute2() { }

    /**
     * @param tool {@code ip} or {@code tc}
     * @return the executable ({@link Commands#find}), or null if there is none
     */
    static Path find(String tool) {
        return Commands.find(tool);
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
        String[] cmd = new String[args.length + 1];
        cmd[0] = exe.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Commands.runWithin(TIMEOUT_SECONDS, cmd);
    }
}

package io.zerocopy.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a compiled peer ({@code zcpeer.c}, {@code zcpeer.go}) reports of one run on its first line,
 * {@code ok t0 t1 bytes user sys}: CLOCK_MONOTONIC nanoseconds before the first byte moved and
 * after the last call returned, the bytes, and the process's user and system CPU in between.
 */
record PeerReport(long t0, long t1, long bytes, long userNs, long sysNs) {

    /** How long one run of a peer may take. */
    static final long TIMEOUT_SECONDS = 120;

    /**
     * Runs a peer once, with no input, its errors to ours.
     *
     * @param peer the peer's name, for messages
     * @param binary its executable
     * @param args its arguments
     * @return its report
     * @throws Row.Unavailable if the peer says it does not support the request (exit 2)
     * @throws IOException if it fails, prints no report or takes over {@value #TIMEOUT_SECONDS} s
     */
    static PeerReport exec(String peer, Path binary, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
        }
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(peer + " timed out: " + cmd);
        }
        if (p.exitValue() == 2) {
            throw new Row.Unavailable(peer + ": " + line);
        }
        if (line == null || !line.startsWith("ok ")) {
            throw new IOException(peer + " " + String.join(" ", args) + " failed: " + line);
        }
        String[] f = line.split(" ");
        return new PeerReport(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                Long.parseLong(f[5]));
    }
}

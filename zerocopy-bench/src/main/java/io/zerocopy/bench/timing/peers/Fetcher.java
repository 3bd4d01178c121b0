package io.zerocopy.bench.timing.peers;

import io.zerocopy.bench.Commands;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client: fetches the file in the client's namespace ({@code ip netns exec}), with
 * {@code connections} processes at once, each fetching it {@code perConnection} times one after
 * another on one keep-alive connection, and checks that every byte arrived. Kinds:
 * {@code curl} ({@code curl -s -o /dev/null}, one URL per fetch); {@code read} and
 * {@code trunc}, the C client {@code fetch.c} compiled at run time, which reads each body into
 * a 1 MiB buffer, or discards it in the kernel with {@code recv(MSG_TRUNC)}, so that the
 * client's own copy does not limit what the server is measured at.
 */
final class Fetcher {

    final String kind;
    private final String namespace;
    private final Path binary;
    private final Path dir;
    private final long size;
    private int runs;

    private Fetcher(String kind, String namespace, Path binary, Path dir, long size) {
        this.kind = kind;
        this.namespace = namespace;
        this.binary = binary;
        this.dir = dir;
        this.size = size;
    }

    /** @return why the kind cannot run here, or null */
    static String unavailabilityCause(String kind) {
        switch (kind) {
            case "curl":
                return Commands.find("curl") == null ? "no curl found" : null;
            case "read":
            case "trunc":
                return Commands.find("gcc") == null && Commands.find("cc") == null ? "no C compiler (gcc, cc) found" : null;
            default:
                return "unknown client " + kind + " (trunc, read, curl)";
        }
    }

    /**
     * @param kind {@code curl}, {@code read} or {@code trunc}
     * @param namespace the client's network namespace
     * @param dir the run's temporary directory, for the binary and the clients' output
     * @param size the file's size, to check each fetch
     * @return the client, compiled if it is the C one
     * @throws IOException if it cannot be compiled
     */
    static Fetcher create(String kind, String namespace, Path dir, long size) throws IOException {
        Path binary = null;
        if (!kind.equals("curl")) {
            Path src = dir.resolve("fetch.c");
            try (InputStream in = Fetcher.class.getResourceAsStream("fetch.c")) {
                if (in == null) {
                    throw new IOException("fetch.c is not in the jar");
                }
                Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
            }
            binary = dir.resolve("fetch");
            String cc = Commands.find("gcc") != null ? "gcc" : "cc";
            Commands.run(cc, "-O2", "-Wall", "-o", binary.toString(), src.toString());
        }
        return new Fetcher(kind, namespace, binary, dir, size);
    }

    /** @return the command of one connection, as the report shows it */
    List<String> command(String address, int port, String path, int fetches) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        if (kind.equals("curl")) {
            cmd.addAll(List.of("curl", "-sS", "-w", "%{http_code} %{size_download}\\n"));
            for (int i = 0; i < fetches; i++) {
                cmd.addAll(List.of("-o", "/dev/null", "http://" + address + ":" + port + path));
            }
        } else {
            cmd.addAll(List.of(binary.toString(), address, Integer.toString(port), path, Integer.toString(fetches), kind));
        }
        return cmd;
    }

    /**
     * Runs the fetches and waits for them all.
     *
     * @return the bytes of the bodies received, checked against the file's size
     * @throws IOException if a client fails, falls short, or has not finished in time (then
     *     every client is killed)
     */
    long fetch(String address, int port, String path, int connections, int perConnection) throws IOException {
        long expected = size * connections * perConnection;
        long timeoutMillis = Math.max(120_000, expected / 10_000);
        List<Process> procs = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                Path out = dir.resolve("client-" + (runs++ % 64) + ".out");
                outs.add(out);
                List<String> cmd = command(address, port, path, perConnection);
                cmd.set(0, Commands.find("ip").toString());
                procs.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start());
            }
            long end = System.currentTimeMillis() + timeoutMillis;
            long total = 0;
            for (int c = 0; c < connections; c++) {
                Process p = procs.get(c);
                if (!p.waitFor(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
                    throw new IOException("client not done after " + timeoutMillis / 1000 + " s");
                }
                String out = Files.readString(outs.get(c), StandardCharsets.UTF_8).trim();
                if (p.exitValue() != 0) {
                    throw new IOException("client exited " + p.exitValue() + ": " + out);
                }
                total += received(out, perConnection);
            }
            if (total != expected) {
                throw new IOException("received " + total + " of " + expected + " bytes");
            }
            return total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching", e);
        } finally {
            for (Process p : procs) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** @return the body bytes one client reports, each fetch checked */
    private long received(String out, int fetches) throws IOException {
        String[] lines = out.split("\n");
        if (kind.equals("curl")) {
            long total = 0;
            int ok = 0;
            for (String l : lines) {
                String[] f = l.trim().split(" ");
                if (f.length == 2 && f[0].equals("200") && Long.parseLong(f[1]) == size) {
                    total += size;
                    ok++;
                }
            }
            if (ok != fetches) {
                throw new IOException(ok + " of " + fetches + " fetches complete: " + out);
            }
            return total;
        }
        String[] f = lines[lines.length - 1].trim().split(" ");
        if (f.length != 2 || Integer.parseInt(f[1]) != fetches) {
            throw new IOException("unexpected client output: " + out);
        }
        return Long.parseLong(f[0]);
    }
}

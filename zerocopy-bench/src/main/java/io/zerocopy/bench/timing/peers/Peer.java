package io.zerocopy.bench.timing.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A server or proxy: a child process (through {@code ip netns exec}, which execs the command in
 * its own process, when it runs in a namespace) whose output goes to a log file and whose CPU
 * time is read from /proc. Its stop is registered with the {@link Undo} before it starts.
 */
final class Peer {

    private static final long STOP_MILLIS = 5000;

    final String name;
    final List<String> command;
    final String address;
    final int port;
    private final Path log;
    private final Process process;

    private Peer(String name, List<String> command, String address, int port, Path log, Process process) {
        this.name = name;
        this.command = command;
        this.address = address;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts the process and waits until its port accepts connections.
     *
     * @param name the peer's name in the tables
     * @param command its command line
     * @param address where it listens
     * @param port where it listens
     * @param log where its output goes
     * @param undo where its stop is registered
     * @return the peer, listening
     * @throws IOException if it does not start, exits, or does not listen within 30 s (with
     *     the end of its log)
     */
    static Peer start(String name, List<String> command, String address, int port, Path log, Undo undo)
            throws IOException {
        Process[] started = new Process[1];
        undo.add("peer " + name, () -> stop(started[0]));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started[0] = p;
        Peer peer = new Peer(name, command, address, port, log, p);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException(name + " exited " + p.exitValue() + ": " + peer.logTail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 1000);
                return peer;
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw new IOException(name + " not listening on " + address + ":" + port + " after 30 s: "
                            + peer.logTail(), e);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting " + name, e);
            }
        }
    }

    /** Stops the process, then any of its descendants (nginx's workers) that outlived it. */
    private static void stop(Process p) {
        if (p == null || !p.isAlive()) {
            return;
        }
        List<ProcessHandle> descendants = p.descendants().collect(Collectors.toList());
        p.destroy();
        try {
            if (!p.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS);
            }
            for (ProcessHandle d : descendants) {
                if (d.isAlive()) {
                    d.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    /** @return the CPU time so far of the process and its live descendants (nginx's workers), in ticks */
    long cpuTicks() throws IOException {
        if (!process.isAlive()) {
            throw new IOException(name + " exited " + process.exitValue() + ": " + logTail());
        }
        long ticks = Cpu.process(process.pid());
        for (ProcessHandle d : process.descendants().collect(Collectors.toList())) {
            try {
                ticks += Cpu.process(d.pid());
            } catch (IOException e) {
                // exited since it was listed; the peers' workers live for the whole run
            }
        }
        return ticks;
    }

    /** @throws IOException with the end of its log if the process has exited */
    void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IOException(name + " exited " + process.exitValue() + ": " + logTail());
        }
    }

    /** @return the last lines the process printed */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** @return the command line, as one would type it */
    String commandLine() {
        return String.join(" ", command);
    }
}

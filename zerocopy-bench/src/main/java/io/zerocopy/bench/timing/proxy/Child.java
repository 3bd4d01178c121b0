package io.zerocopy.bench.timing.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.zerocopy.bench.Commands;

/**
 * A {@link PeerMain} child JVM as its coordinator sees it: started with this JVM's executable,
 * options and class path (through {@code ip netns exec NS} for a namespace, which execs the JVM,
 * so {@link #pid()} is the JVM's), sent one command at a time, its answers read by a daemon
 * thread. Its standard error is this process's.
 */
final class Child implements AutoCloseable {

    private static final String EOF = "\u0000eof";

    final String name;
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Child(String name, Process process) {
        this.name = name;
        this.process = process;
        in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Threads.daemon(this::read, "child-" + name);
    }

    /**
     * @param namespace the network namespace to run in, null for this one
     * @param args {@link PeerMain}'s arguments
     * @return the started child
     * @throws IOException if it cannot be started
     */
    static Child start(String name, String namespace, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (namespace != null) {
            Path ip = Commands.find("ip");
            if (ip == null) {
                throw new IOException("no ip (iproute2) found");
            }
            cmd.addAll(List.of(ip.toString(), "netns", "exec", namespace));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opt : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!opt.startsWith("-agentlib:jdwp")) {
                cmd.add(opt);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PeerMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Child(name, p);
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the child ended
        }
        lines.add(EOF);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /**
     * Sends one command and waits for its first answer. Answers not read yet (to an earlier
     * command given up on after its timeout) are dropped first.
     *
     * @return the answer after {@code "ok "}
     * @throws IOException if the child answers {@code error}, ends, or does not answer in time
     */
    String call(long timeoutMillis, Object... command) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Object c : command) {
            sb.append(sb.length() == 0 ? "" : " ").append(c);
        }
        List<String> late = new ArrayList<>();
        lines.drainTo(late);
        if (late.contains(EOF)) {
            lines.add(EOF);
        }
        in.println(sb);
        return answer(timeoutMillis);
    }

    /** @return the next answer, after {@code "ok "} */
    String answer(long timeoutMillis) throws IOException {
        String line;
        try {
            line = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(name + ": interrupted", e);
        }
        if (line == null) {
            throw new IOException(name + ": no answer within " + timeoutMillis + " ms");
        }
        if (line.equals(EOF)) {
            lines.add(EOF);
            throw new IOException(name + " ended" + (process.isAlive() ? "" : " (exit " + process.exitValue() + ")"));
        }
        if (!line.startsWith("ok")) {
            throw new IOException(name + ": " + line);
        }
        return line.length() > 2 ? line.substring(3) : "";
    }

    /** Ends the child: closes its input (it exits), waits 10 s, then kills it. */
    @Override
    public void close() {
        in.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the child without waiting: for the JVM's exit. */
    void kill() {
        process.destroyForcibly();
    }
}

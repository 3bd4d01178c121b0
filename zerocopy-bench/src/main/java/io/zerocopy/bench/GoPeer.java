package io.zerocopy.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Go reference peer ({@code zcpeer.go}, shipped as a resource): built at run time with
 * {@code go build} into the run's temporary directory, then run once per measured transfer, as
 * {@link CPeer} runs {@code zcpeer}, against the same files and the same sink and feeder, which it
 * is given as {@code address:port} (loopback or the far end of a veth pair). It moves bytes the
 * way a Go program does, with {@code io.Copy}, and lets Go's runtime choose the system call:
 * {@code copy_file_range} from file to file, {@code sendfile} from a file to a TCP connection,
 * {@code splice} from one TCP connection to another. Its timestamps are CLOCK_MONOTONIC, the
 * clock of {@link System#nanoTime()} on Linux, taken inside the process, so that start-up is
 * outside the window and the sink's end time can close a window that the Go process opened.
 *
 * <p>One build per directory per JVM: {@link #compile} remembers its peer, or the reason there is
 * none, for the directory, so that the report's rows and the new-file copies share one build.
 */
final class GoPeer {

    static final String RESOURCE = "/io/zerocopy/bench/zcpeer.go";
    /** The family of the Go rows, beside {@link Row#C} and {@link Row#NETTY}. */
    static final String FAMILY = "go";
    /** The one method of the peer: Go's {@code io.Copy}. */
    static final String METHOD = "iocopy";
    /** The name of its rows in every scenario. */
    static final String ROW = "go:io.Copy";

    /** Per directory: the built peer, or the {@link Row.Unavailable} message saying why there is none. */
    private static final Map<Path, Object> BUILT = new HashMap<>();

    final Path binary;
    /** What {@code go version} printed, such as {@code go1.19.8 linux/amd64}. */
    final String version;

    private GoPeer(Path binary, String version) {
        this.binary = binary;
        this.version = version;
    }

    /**
     * Builds the peer in {@code dir}, or returns the peer already built there by this JVM.
     *
     * @param dir where to write the source, the binary and, if the environment names no cache
     *     ({@code GOCACHE}, {@code XDG_CACHE_HOME} and {@code HOME} unset), Go's build cache
     * @return the built peer
     * @throws Row.Unavailable with the reason if this is not Linux, {@code go} is absent or the
     *     build fails; the same reason on every later call for {@code dir}
     */
    static synchronized GoPeer compile(Path dir) throws Row.Unavailable {
        Path key = dir.toAbsolutePath().normalize();
        Object known = BUILT.get(key);
        if (known instanceof GoPeer && Files.isExecutable(((GoPeer) known).binary)) {
            return (GoPeer) known;
        }
        if (known instanceof String) {
            throw new Row.Unavailable((String) known);
        }
        try {
            GoPeer peer = build(key);
            BUILT.put(key, peer);
            return peer;
        } catch (Row.Unavailable e) {
            BUILT.put(key, e.getMessage());
            throw e;
        }
    }

    private static GoPeer build(Path dir) throws Row.Unavailable {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            throw new Row.Unavailable("Go peer needs Linux (copy_file_range/sendfile/splice): Go rows skipped");
        }
        Path src = dir.resolve("zcpeer.go");
        Path bin = dir.resolve("zcpeer-go");
        try (InputStream in = GoPeer.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new Row.Unavailable("resource " + RESOURCE + " missing from the jar: Go rows skipped");
            }
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new Row.Unavailable("cannot extract " + RESOURCE + ": " + e + ": Go rows skipped");
        }
        String version = go(dir, List.of("go", "version"), 30).replaceFirst("^go version ", "");
        go(dir, List.of("go", "build", "-trimpath", "-o", bin.toString(), src.toString()), 300);
        return new GoPeer(bin, version);
    }

    /**
     * Runs the {@code go} tool in {@code dir}, offline and without cgo.
     *
     * @return what it printed, trimmed
     * @throws Row.Unavailable if {@code go} is absent, fails or takes longer than {@code seconds}
     */
    private static String go(Path dir, List<String> command, int seconds) throws Row.Unavailable {
        Path log = dir.resolve("go.log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("CGO_ENABLED", "0");
        env.put("GOPROXY", "off");
        env.put("GOTOOLCHAIN", "local");
        env.put("GOFLAGS", "");
        if (isBlank(env.get("GOCACHE")) && isBlank(env.get("XDG_CACHE_HOME")) && isBlank(env.get("HOME"))) {
            env.put("GOCACHE", dir.resolve("go-cache").toString());
            if (isBlank(env.get("GOPATH"))) {
                env.put("GOPATH", dir.resolve("go-path").toString());
            }
        }
        String line = String.join(" ", command.subList(0, 2));
        try {
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new Row.Unavailable("no go tool on the PATH: Go rows skipped");
            }
            try {
                if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new Row.Unavailable(line + " took over " + seconds + " s: Go rows skipped");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new Row.Unavailable("interrupted while running " + line + ": Go rows skipped");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new Row.Unavailable(line + " exited " + p.exitValue() + ": " + out + ": Go rows skipped");
            }
            return out;
        } catch (IOException e) {
            throw new Row.Unavailable(line + ": " + e + ": Go rows skipped");
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // left in the run's directory, which is deleted with it
            }
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * The Go rows of a scenario, one per scenario as Go has one way ({@code io.Copy}), over
     * whichever network path the scenario takes; none for the broadcast, which Go's standard
     * library does not have.
     *
     * @param sc the scenario
     * @return its rows
     */
    List<Row> rows(Scenario sc) {
        List<Row> rows = new ArrayList<>();
        if (sc.shape != Scenario.Shape.BROADCAST) {
            rows.add(new GoRow(sc));
        }
        return rows;
    }

    /**
     * Copies all of {@code source} to {@code target}, a new file, as a Go program does: open,
     * create, {@code io.Copy}, close; the window covers all four.
     *
     * @param source the file to copy
     * @param target a path that does not exist
     * @return the peer's timing
     * @throws Exception if the copy fails
     */
    PeerReport copyToNewFile(Path source, Path target) throws Exception {
        return exec("nf", METHOD, source.toString(), target.toString());
    }

    /** Runs the peer once: see {@link PeerReport#exec} (arguments in {@code zcpeer.go}). */
    PeerReport exec(String... args) throws Exception {
        return PeerReport.exec("zcpeer-go", binary, args);
    }

    /** {@code io.Copy} in one scenario, against the harness's files and the sink and feeder of its network path. */
    final class GoRow extends Row {

        GoRow(Scenario sc) {
            super(sc, ROW, FAMILY);
            this.ran = "zcpeer-go " + sc.code + " " + METHOD + " (" + version + ")";
        }

        @Override
        Sample run(Harness h, long size) throws Exception {
            String n = Long.toString(size);
            switch (scenario.shape) {
                case FILE_SOCKET: {
                    Link link = h.link(scenario);
                    Link.Session sink = link.expectSink(size);
                    PeerReport t;
                    try {
                        t = exec("fs", METHOD, h.ws.src.toString(), n, CPeer.endpoint(link.sinkAddress()));
                    } catch (Exception e) {
                        sink.settle();
                        throw e;
                    }
                    sink.await();
                    Harness.checkBytes(size, sink.received);
                    return new Sample(sink.received, sink.endNs - t.t0(), t.userNs() + t.sysNs(), t.userNs(),
                            sink.cpuNs);
                }
                case SOCKET_SOCKET: {
                    Link link = h.link(scenario);
                    Link.Session feed = link.expectFeeder(size);
                    Link.Session sink = link.expectSink(size);
                    PeerReport t;
                    try {
                        t = exec("ss", METHOD, CPeer.endpoint(link.feederAddress()),
                                CPeer.endpoint(link.sinkAddress()), n);
                    } catch (Exception e) {
                        sink.settle();
                        feed.settle();
                        throw e;
                    }
                    sink.await();
                    feed.await();
                    Harness.checkBytes(size, sink.received);
                    return new Sample(sink.received, sink.endNs - t.t0(), t.userNs() + t.sysNs(), t.userNs(),
                            sink.cpuNs + feed.cpuNs);
                }
                case FILE_FILE: {
                    PeerReport t = exec("ff", METHOD, h.ws.src.toString(), h.ws.dst.toString(), n);
                    Harness.checkBytes(size, t.bytes());
                    return new Sample(t.bytes(), t.t1() - t.t0(), t.userNs() + t.sysNs(), t.userNs(), 0);
                }
                default:
                    throw new Unavailable("the Go peer has no " + scenario.label);
            }
        }

        @Override
        String describe() {
            String call = scenario.shape == Scenario.Shape.SOCKET_SOCKET ? "io.Copy(conn, conn): splice"
                    : scenario.shape == Scenario.Shape.FILE_SOCKET ? "io.CopyN(conn, file): sendfile"
                    : "io.CopyN(file, file): copy_file_range";
            return "Go: " + call + ", as Go's runtime chooses (zcpeer.go, " + version
                    + "; CPU by getrusage of the process, all of the runtime's threads)";
        }
    }
}

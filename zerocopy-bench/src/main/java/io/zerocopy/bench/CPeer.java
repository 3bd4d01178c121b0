package io.zerocopy.bench;

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
 * The C reference peer ({@code src/main/c/zcpeer.c}, shipped as a resource): compiled at run
 * time with {@code cc -O2} into the run's temporary directory, then run once per measured
 * transfer against the same files and the same sink and feeder as the Java rows of the
 * scenario, which it is given as {@code address:port} (loopback or the far end of a veth pair).
 * Its timestamps are CLOCK_MONOTONIC, the clock of {@link System#nanoTime()} on Linux, so the
 * sink's end time can close the window that the C process opened.
 */
final class CPeer {

    static final String RESOURCE = "/io/zerocopy/bench/zcpeer.c";

    final Path binary;

    private CPeer(Path binary) {
        this.binary = binary;
    }

    /**
     * @param dir where to write the source and the binary
     * @return the compiled peer
     * @throws Row.Unavailable with the reason if there is no compiler or the build fails
     */
    static CPeer compile(Path dir) throws Row.Unavailable {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            throw new Row.Unavailable("C peer needs Linux (sendfile/splice/copy_file_range)");
        }
        Path src = dir.resolve("zcpeer.c");
        Path bin = dir.resolve("zcpeer");
        try (InputStream in = CPeer.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new Row.Unavailable("resource " + RESOURCE + " missing from the jar");
            }
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new Row.Unavailable("cannot extract " + RESOURCE + ": " + e);
        }
        String cc = System.getenv().getOrDefault("CC", "cc");
        Process p;
        try {
            p = new ProcessBuilder(cc, "-O2", "-o", bin.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new Row.Unavailable("no C compiler (" + cc + "): C peer rows skipped");
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new Row.Unavailable(cc + " -O2 zcpeer.c failed: " + out);
            }
        } catch (IOException e) {
            throw new Row.Unavailable(cc + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Row.Unavailable("interrupted while compiling the C peer");
        }
        return new CPeer(bin);
    }

    List<Row> rows(Scenario sc) {
        List<Row> rows = new ArrayList<>();
        switch (sc.shape) {
            case FILE_SOCKET:
                for (String m : new String[] {"rw", "sendfile", "splice", "mmap"}) {
                    rows.add(new CRow(sc, m));
                }
                break;
            case SOCKET_SOCKET:
                for (String m : new String[] {"rw", "splice"}) {
                    rows.add(new CRow(sc, m));
                }
                break;
            case BROADCAST:
                break;
            default:
                for (String m : new String[] {"rw", "sendfile", "splice", "mmap", "cfr"}) {
                    rows.add(new CRow(sc, m));
                }
        }
        return rows;
    }

    /** @return {@code a.b.c.d:port}, as zcpeer takes an IPv4 peer */
    static String endpoint(java.net.InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** Runs the peer once: see {@link PeerReport#exec}. */
    PeerReport exec(String... args) throws Exception {
        return PeerReport.exec("zcpeer", binary, args);
    }

    final class CRow extends Row {
        private final String method;

        CRow(Scenario sc, String method) {
            super(sc, "c:" + (method.equals("cfr") ? "copy_file_range" : method.equals("mmap") ? "mmap+write"
                    : method.equals("rw") ? "read/write" : method), Row.C);
            this.method = method;
            this.ran = "zcpeer " + sc.code + " " + method;
        }

        @Override
        Sample run(Harness h, long size) throws Exception {
            String n = Long.toString(size);
            switch (scenario.shape) {
                case FILE_SOCKET: {
                    Link link = h.link(scenario);
                    Link.Session sink = link.expectSink(size);
                    PeerReport r;
                    try {
                        r = exec("fs", method, h.ws.src.toString(), n, endpoint(link.sinkAddress()));
                    } catch (Exception e) {
                        sink.settle();
                        throw e;
                    }
                    sink.await();
                    Harness.checkBytes(size, sink.received);
                    return new Sample(sink.received, sink.endNs - r.t0(), r.userNs() + r.sysNs(), r.userNs(), sink.cpuNs);
                }
                case SOCKET_SOCKET: {
                    Link link = h.link(scenario);
                    Link.Session feed = link.expectFeeder(size);
                    Link.Session sink = link.expectSink(size);
                    PeerReport r;
                    try {
                        r = exec("ss", method, endpoint(link.feederAddress()), endpoint(link.sinkAddress()), n);
                    } catch (Exception e) {
                        sink.settle();
                        feed.settle();
                        throw e;
                    }
                    sink.await();
                    feed.await();
                    Harness.checkBytes(size, sink.received);
                    return new Sample(sink.received, sink.endNs - r.t0(), r.userNs() + r.sysNs(), r.userNs(),
                            sink.cpuNs + feed.cpuNs);
                }
                default: {
                    PeerReport r = exec("ff", method, h.ws.src.toString(), h.ws.dst.toString(), n);
                    Harness.checkBytes(size, r.bytes());
                    return new Sample(r.bytes(), r.t1() - r.t0(), r.userNs() + r.sysNs(), r.userNs(), 0);
                }
            }
        }

        @Override
        String describe() {
            return "C: " + method + " (zcpeer, -O2; CPU by getrusage of the single-threaded process)";
        }
    }
}

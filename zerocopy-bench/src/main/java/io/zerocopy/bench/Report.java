package io.zerocopy.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The default report: every row of every chosen scenario, warmed up, then measured
 * {@code reps} times in a freshly shuffled order each repetition so that drift and noise from
 * other work on the machine spread over all rows instead of biasing one. The veth scenarios
 * run when a {@link VethNetwork} can be built for the run (else the notes say why); it is
 * removed when the run ends, however it ends. After the scenarios and the size sweep, the small
 * transfers by binding ({@link BindingSection}) run over loopback, then the new-file copies
 * ({@link NewFileCopies}) in the run's temporary directory, which they leave as they found it. {@link ReportWriter} writes the files.
 */
final class Report {

    final Options o;
    private final PrintStream out;
    private final Progress progress;
    final List<Result> results = new ArrayList<>();
    final List<SizeSweep.Point> sweep = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** The scenarios that run: the chosen ones, less those whose network could not be built. */
    final List<Scenario> scenarios = new ArrayList<>();
    /** Lines describing the veth network and its traffic; empty if it was not built. */
    final List<String> vethLines = new ArrayList<>();
    /** The new-file copies; null if they did not run. */
    NewFileSection newFiles;
    /** The small transfers by binding; null if they did not run. */
    BindingSection bindings;

    Report(Options o, PrintStream out, PrintStream err) {
        this.o = o;
        this.out = out;
        this.progress = new Progress(err);
    }

    /** A single status line on stderr, rewritten in place on a terminal. */
    static final class Progress {
        private final PrintStream err;
        private final boolean tty = System.console() != null;
        private long last;

        Progress(PrintStream err) {
            this.err = err;
        }

        void update(String s) {
            long now = System.nanoTime();
            if (tty) {
                err.print("\r\u001b[K[zerocopy-bench] " + s);
                err.flush();
            } else if (now - last > 2_000_000_000L) {
                err.println("[zerocopy-bench] " + s);
                last = now;
            }
        }

        void done(String s) {
            if (tty) {
                err.print("\r\u001b[K");
            }
            err.println("[zerocopy-bench] " + s);
        }
    }

    void run() throws IOException {
        long started = System.nanoTime();
        // the new-file copies alone: the workspace is only the run's directory
        long fileSize = o.scenarios.isEmpty() ? 1L << 20 : o.size;
        if (o.sweep && !o.scenarios.isEmpty()) {
            for (long s : o.sweepSizes) {
                fileSize = Math.max(fileSize, s);
            }
        }
        Files.createDirectories(o.out);
        VethNetwork net = vethNetwork();
        try {
            progress.done("creating " + Options.human(fileSize) + " of data in a temporary directory");
            try (Harness h = new Harness(fileSize, net)) {
                if (!scenarios.isEmpty()) {
                    measureAll(h);
                }
                if (o.bindings) {
                    bindings(h);
                }
                if (o.newFiles) {
                    newFiles(h.ws.dir);
                }
            }
        } finally {
            if (net != null) {
                vethLines.add(net.describe());
                vethLines.add(net.traffic());
                try {
                    net.close();
                } catch (IOException e) {
                    // the measurements stand; say what is left behind (the next run removes it)
                    notes.add(e.getMessage());
                    progress.done(e.getMessage());
                }
            }
        }
        double secs = (System.nanoTime() - started) / 1e9;
        progress.done(String.format(Locale.ROOT, "done in %.1f s; results in %s", secs, o.out));
        out.print(new ReportWriter(this, secs).write());
        out.flush();
    }

    /**
     * Chooses the scenarios that can run and builds the veth network if one of them needs it.
     *
     * @return the network, or null if no chosen scenario needs it or it cannot be built (the
     *     notes then say why)
     */
    private VethNetwork vethNetwork() {
        boolean wanted = false;
        for (Scenario sc : o.scenarios) {
            wanted |= sc.overVeth();
        }
        VethNetwork net = null;
        String skipped = null;
        if (wanted && !o.veth) {
            skipped = "disabled (--no-veth)";
        } else if (wanted) {
            if (VethNetwork.unavailabilityCause() == null) {
                progress.done("creating network namespaces and veth pairs");
            }
            try {
                net = VethNetwork.create(o.scenarios.contains(Scenario.FILE_SOCKET_TBF));
                notes.addAll(net.removedStale);
            } catch (Row.Unavailable e) {
                skipped = "skipped: " + e.getMessage();
            }
        }
        List<String> dropped = new ArrayList<>();
        for (Scenario sc : o.scenarios) {
            if (sc.overVeth() && (net == null || sc.via == Scenario.Via.VETH_TBF && net.shaped == null)) {
                dropped.add(sc.code);
            } else {
                scenarios.add(sc);
            }
        }
        if (skipped != null) {
            notes.add("veth scenarios (" + String.join(", ", dropped) + ") " + skipped);
        } else if (!dropped.isEmpty()) {
            notes.add("tbf scenario (ft) skipped: " + net.shapedFailure);
        }
        return net;
    }

    private void measureAll(Harness h) throws IOException {
        List<Row> rows = new ArrayList<>();
        NettyPeer netty = null;
        CPeer c = null;
        GoPeer go = null;
        if (o.netty) {
            try {
                netty = NettyPeer.create();
            } catch (Row.Unavailable | RuntimeException | LinkageError e) {
                notes.add("Netty epoll peer skipped: " + e.getMessage());
            }
        } else {
            notes.add("Netty peer disabled (--no-netty)");
        }
        if (o.c) {
            try {
                c = CPeer.compile(h.ws.dir);
            } catch (Row.Unavailable e) {
                notes.add(e.getMessage());
            }
        } else {
            notes.add("C peer disabled (--no-c)");
        }
        if (o.go) {
            progress.done("building the Go peer");
            try {
                go = GoPeer.compile(h.ws.dir);
            } catch (Row.Unavailable e) {
                notes.add(e.getMessage());
            }
        } else {
            notes.add("Go peer disabled (--no-go)");
        }
        try {
            for (Scenario sc : scenarios) {
                rows.addAll(JavaRows.rows(sc));
                if (netty != null) {
                    rows.addAll(netty.rows(sc));
                }
                if (c != null) {
                    rows.addAll(c.rows(sc));
                }
                if (go != null) {
                    rows.addAll(go.rows(sc));
                }
            }
            for (Row r : rows) {
                results.add(new Result(r));
            }
            warmUp(h);
            measure(h);
            if (o.sweep) {
                sweep(h);
            }
        } finally {
            if (netty != null) {
                netty.close();
            }
        }
    }

    /** Runs the small transfers by binding; a failure is a note. */
    private void bindings(Harness h) {
        progress.done("small transfers through each binding of the C library");
        try {
            bindings = BindingSection.run(h, o.reps, o.smoke, progress::update);
        } catch (IOException | RuntimeException e) {
            notes.add("small transfers by binding failed: " + e);
            progress.done("small transfers by binding failed: " + e);
        }
    }

    /**
     * Runs the new-file copies at the report's size in {@code dir}; their notes join the report's,
     * once each. A failure that leaves no section is a note.
     */
    private void newFiles(Path dir) {
        progress.done("copying " + Options.human(o.size) + " to new files on each file system");
        try {
            newFiles = NewFileCopies.run(o.size, o.newFileReps(), dir, o.go, progress::update);
            for (String n : newFiles.notes()) {
                if (!notes.contains(n)) {
                    notes.add(n);
                }
            }
        } catch (IOException | RuntimeException e) {
            notes.add("file->new file copies failed: " + e);
            progress.done("new-file copies failed: " + e);
        }
    }

    private void warmUp(Harness h) {
        int i = 0;
        for (Result r : results) {
            i++;
            progress.update("warm-up " + i + "/" + results.size() + " " + r.row);
            for (int attempt = 0; ; attempt++) {
                try {
                    long size = o.sizeOf(r.row.scenario);
                    r.row.verify(h, size);
                    for (int w = 1; w < o.warmup; w++) {
                        r.row.run(h, size);
                    }
                    break;
                } catch (Row.Unavailable e) {
                    r.skip(e.getMessage());
                    break;
                } catch (Exception e) {
                    boolean goOn = r.failedRun(e);
                    progress.done("row " + r.row + " warm-up failed" + (goOn ? ", retrying" : ", row dropped") + ": " + e);
                    if (r.failures == 1) {
                        e.printStackTrace();
                    }
                    if (!goOn) {
                        break;
                    }
                }
            }
        }
    }

    private void measure(Harness h) {
        List<Result> order = new ArrayList<>();
        for (Result r : results) {
            if (r.active()) {
                order.add(r);
            }
        }
        Random rnd = new Random(o.seed);
        for (int rep = 0; rep < o.reps; rep++) {
            Collections.shuffle(order, rnd);
            int i = 0;
            for (Result r : order) {
                i++;
                if (!r.active()) {
                    continue;
                }
                try {
                    Sample s = r.row.run(h, o.sizeOf(r.row.scenario));
                    r.samples.add(s);
                    progress.update(String.format(Locale.ROOT, "rep %d/%d  %d/%d  %-24s %8.0f MB/s", rep + 1, o.reps,
                            i, order.size(), r.row, Stats.mbps(s.bytes(), s.wallNs())));
                } catch (Exception e) {
                    boolean goOn = r.failedRun(e);
                    progress.done("row " + r.row + " run failed" + (goOn ? "" : ", row dropped") + ": " + e);
                    if (r.failures == 1) {
                        e.printStackTrace();
                    }
                }
            }
        }
    }

    /** @return whether the size sweep covers this scenario: file->socket unshaped, and file->file */
    static boolean swept(Scenario sc) {
        return sc.shape == Scenario.Shape.FILE_FILE
                || sc.shape == Scenario.Shape.FILE_SOCKET && sc.via != Scenario.Via.VETH_TBF;
    }

    /** @return whether the sweep has a line for this row: every library row, and the JDK's direct-buffer loop */
    private static boolean sweptRow(Result r, Scenario sc) {
        return r.active() && r.row.scenario == sc && r.row instanceof JavaRows.JavaRow
                && (r.row.family.equals(Row.ZEROCOPY) || r.row.name.equals("jdk:direct-loop"));
    }

    private void sweep(Harness h) {
        for (Scenario sc : scenarios) {
            if (!swept(sc)) {
                continue;
            }
            List<JavaRows.JavaRow> rows = new ArrayList<>();
            for (Result r : results) {
                if (sweptRow(r, sc)) {
                    rows.add((JavaRows.JavaRow) r.row);
                }
            }
            try {
                sweep.addAll(SizeSweep.run(h, sc, rows, o.sweepSizes, o.sweepBatches, o.sweepBatchNs,
                        progress::update));
            } catch (IOException | RuntimeException e) {
                notes.add("size sweep of " + sc.label + " failed: " + e);
                progress.done("sweep " + sc.code + " failed: " + e);
            }
            // the report's own size completes each line
            for (Result r : results) {
                if (sweptRow(r, sc) && r.stats() != null) {
                    Stats s = r.stats();
                    sweep.add(new SizeSweep.Point(sc, r.row.name, s.bytes, s.n, s.medianNs, s.minNs, s.maxNs,
                            r.ran()));
                }
            }
        }
    }

    /** @return whether the report has rows of this scenario */
    boolean hasScenario(Scenario sc) {
        for (Result r : results) {
            if (r.row.scenario == sc) {
                return true;
            }
        }
        return false;
    }

    /** @return the named row of the scenario if it was measured, else null */
    Result find(Scenario sc, String name) {
        for (Result r : results) {
            if (r.row.scenario == sc && r.row.name.equals(name) && r.active() && r.stats() != null) {
                return r;
            }
        }
        return null;
    }
}

package io.zerocopy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The new-file copies: one cached file copied to a new file, again and again, on the working file
 * system (where the run's temporary directory is) and on XFS ({@code reflink=1}) and Btrfs images
 * that the bench makes and loop-mounts where it may (root, {@code mkfs.xfs}, {@code mkfs.btrfs}),
 * by every row of {@link NewFileCopier#all}. Each copy goes to a path that does not exist (the
 * previous copy is deleted), and takes its time and the free space it used (see
 * {@link FileSystemSpace}); a copy that shares the source's extents uses about none.
 *
 * <p>Per file system: the source ({@value #SOURCE}, pseudo-random) is written and read once so it
 * is cached; every row copies once unmeasured (checking the copy byte for byte, and finding out
 * what serves it); then {@code reps} repetitions copy once per row, rows in a new random order
 * each repetition. Images are sized from the file size (the source and one copy at a time, with
 * room for metadata), made one at a time, and removed before the next, also on failure.
 *
 * <pre>
 * java -cp zerocopy-bench.jar io.zerocopy.bench.NewFileCopies [--size 512M] [--reps 5] [--dir DIR] [--csv FILE]
 * </pre>
 */
public final class NewFileCopies {

    static final String SOURCE = "source.bin";
    static final String COPY = "copy.bin";
    /** Repetitions of the empty-file copy that measures {@code cp}'s start-up. */
    private static final int STARTUP_REPS = 5;
    private static final long MIB = 1L << 20;
    /** How long a copy waits at most for the blocks of deleted copies to be free again. */
    private static final long DELETE_WAIT_NANOS = 1_000_000_000L;

    /**
     * A file system the copies run on.
     *
     * @param label its name in the report, such as {@code XFS (reflink=1, loop image)}
     * @param type its type as the kernel names it ({@code ext4}, {@code xfs}, {@code btrfs})
     * @param dir the directory of the source and the copies
     * @param shares whether the issue expects copies here to share extents (the images)
     */
    record Place(String label, String type, Path dir, boolean shares) { }

    private final long size;
    private final int reps;
    private final Consumer<String> progress;
    private final List<NewFileResult> results = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Place> places = new ArrayList<>();
    /** One line per file system not measured, with the reason. */
    private final List<String> skipped = new ArrayList<>();
    private final Random order = new Random(20261124L);

    private NewFileCopies(long size, int reps, Consumer<String> progress) {
        this.size = size;
        this.reps = reps;
        this.progress = progress;
    }

    /**
     * Runs the new-file copies and returns the section. Everything made is removed before it
     * returns (images unmounted and deleted; {@link ExitCleanup} does it on Ctrl-C, before the
     * directory that holds them is deleted).
     *
     * @param size bytes of the source file; positive
     * @param reps measured copies per row and file system; positive
     * @param workDir the run's temporary directory: the working file system's copies, the images
     *     and their mount points go in a new directory inside, and the Go peer is built in it
     *     (shared with {@link GoPeer#compile} calls for the same directory)
     * @param withGo whether the Go peer's row runs (built here if no call built it before); if
     *     not, the section has no Go row and no note about it
     * @param progress receives one status line per copy
     * @return the section: tables, CSV, notes (what was skipped and why) and the targets
     * @throws IOException if the working directory or the working file system cannot be used (a
     *     failure on an image is reported in the section instead)
     */
    static NewFileSection run(long size, int reps, Path workDir, boolean withGo, Consumer<String> progress)
            throws IOException {
        if (size <= 0) {
            throw new IllegalArgumentException("size <= 0: " + size);
        }
        if (reps <= 0) {
            throw new IllegalArgumentException("reps <= 0: " + reps);
        }
        Objects.requireNonNull(progress, "progress");
        long started = System.nanoTime();
        NewFileCopies run = new NewFileCopies(size, reps, progress);
        Path dir = Files.createTempDirectory(workDir, "new-files-");
        try {
            run.all(workDir, dir, withGo);
        } finally {
            Workspace.deleteTree(dir);
        }
        return new NewFileSection(size, reps, run.places, run.results, run.notes, run.skipped,
                (System.nanoTime() - started) / 1e9);
    }

    private void all(Path workDir, Path dir, boolean withGo) throws IOException {
        GoPeer go = null;
        if (withGo) {
            try {
                go = GoPeer.compile(workDir);
            } catch (Row.Unavailable e) {
                notes.add(e.getMessage());
            }
        }
        Path working = Files.createDirectory(dir.resolve("working"));
        String type = Files.getFileStore(working).type();
        Place place = new Place(type + " (working file system)", type, working, false);
        notes.add(place.label() + " is shared with other processes: its new space per copy includes what they "
                + "wrote or deleted meanwhile");
        measure(place, go);
        long image = Math.max(1L << 30, (3 * size + 512 * MIB + MIB - 1) / MIB * MIB);
        onImage(dir, "xfs", "XFS (reflink=1, loop image)", image, go, "-q", "-m", "reflink=1");
        onImage(dir, "btrfs", "Btrfs (loop image)", image, go, "-q");
    }

    private void onImage(Path dir, String type, String label, long imageSize, GoPeer go, String... mkfsOptions)
            throws IOException {
        progress.accept("new files: making a " + Options.human(imageSize) + " " + type + " image");
        FileSystemImage fs;
        try {
            fs = FileSystemImage.mount(dir, type, imageSize, mkfsOptions);
        } catch (Row.Unavailable e) {
            skipped.add("file->new file on " + label + ": not measured: " + e.getMessage());
            return;
        }
        try (FileSystemImage mounted = fs) {
            measure(new Place(label, type, mounted.root(), true), go);
            progress.accept("new files: unmounting " + type);
        } catch (IOException e) {
            skipped.add("file->new file on " + label + ": failed: " + e);
        }
    }

    private void measure(Place place, GoPeer go) throws IOException {
        places.add(place);
        FileSystemSpace space = null;
        try {
            space = FileSystemSpace.of(place.dir());
        } catch (Row.Unavailable e) {
            notes.add(place.label() + ": " + e.getMessage());
        }
        Path src = place.dir().resolve(SOURCE);
        Path dst = place.dir().resolve(COPY);
        progress.accept("new files: writing " + Options.human(size) + " on " + place.label());
        Workspace.fill(src, size, 42);
        Workspace.warm(src);
        Level level = space == null ? null : new Level(space);
        List<NewFileResult> rows = new ArrayList<>();
        for (NewFileCopier c : NewFileCopier.all(go)) {
            rows.add(new NewFileResult(place, c, size));
        }
        results.addAll(rows);
        warmUp(place, rows, src, dst);
        startup(place, rows);
        List<NewFileResult> active = new ArrayList<>();
        for (NewFileResult r : rows) {
            if (r.active()) {
                active.add(r);
            }
        }
        for (int rep = 1; rep <= reps; rep++) {
            Collections.shuffle(active, order);
            for (NewFileResult r : active) {
                if (r.active()) {
                    once(r, src, dst, level, rep);
                }
            }
        }
    }

    /** Copies once per row, unmeasured: a row that cannot serve is skipped, one that copies wrongly fails. */
    private void warmUp(Place place, List<NewFileResult> rows, Path src, Path dst) throws IOException {
        int i = 0;
        for (NewFileResult r : rows) {
            progress.accept("new files: " + place.type() + " warm-up " + (++i) + "/" + rows.size() + " " + r.copier);
            try {
                r.copier.verify(src, dst);
                long mismatch = Files.mismatch(src, dst);
                if (mismatch >= 0) {
                    throw new IOException("the copy differs from the source at byte " + mismatch + " (size "
                            + Files.size(dst) + " of " + size + ")");
                }
            } catch (Row.Unavailable e) {
                r.skip(e.getMessage());
            } catch (Exception e) {
                r.fail(e);
            } finally {
                Files.deleteIfExists(dst);
            }
        }
    }

    /** Notes how much of the {@code cp} row is process start-up on this file system. */
    private void startup(Place place, List<NewFileResult> rows) {
        for (NewFileResult r : rows) {
            if (r.active() && r.copier instanceof NewFileCpCopier) {
                try {
                    long ns = ((NewFileCpCopier) r.copier).startupNanos(place.dir(), STARTUP_REPS);
                    notes.add(String.format(Locale.ROOT, "%s: the cp row includes process start-up and exit: cp of "
                            + "an empty file takes %.1f ms here (median of %d)", place.label(), ns / 1e6,
                            STARTUP_REPS));
                } catch (Exception e) {
                    notes.add(place.label() + ": cp start-up not measured: " + e);
                }
            }
        }
    }

    /**
     * One measured copy. The space before it is read once the blocks of the copies deleted
     * earlier are free again, that is once the free space is back to {@code level}'s, less a
     * tolerance for metadata; if another process takes space meanwhile and the wait times out,
     * the level follows the file system down.
     */
    private void once(NewFileResult r, Path src, Path dst, Level level, int rep) throws IOException {
        try {
            long before = 0;
            if (level != null) {
                before = level.space.awaitFree(level.free - tolerance(), DELETE_WAIT_NANOS);
                level.free = Math.min(level.free, before + tolerance());
            }
            long ns = r.copier.copy(src, dst);
            long copied = Files.size(dst);
            if (copied != size) {
                throw new IOException("the copy has " + copied + " of " + size + " bytes");
            }
            if (level != null) {
                r.space.add(before - level.space.settledFree());
            }
            r.nanos.add(ns);
            progress.accept(String.format(Locale.ROOT, "new files: %s rep %d/%d %-22s %9.1f ms", r.place.type(), rep,
                    reps, r.copier, ns / 1e6));
        } catch (Exception e) {
            r.fail(e);
            progress.accept("new files: " + r.place.type() + " " + r.copier + " failed: " + e);
        } finally {
            Files.deleteIfExists(dst);
        }
    }

    /** @return free space that may differ from the level without a copy left behind: 1 % of a copy, 1 MiB at least */
    private long tolerance() {
        return Math.min(size / 4, Math.max(size / 100, MIB));
    }

    /** A file system's free space with no copy on it: what a delete must bring back before the next copy. */
    private static final class Level {
        final FileSystemSpace space;
        long free;

        Level(FileSystemSpace space) throws IOException {
            this.space = space;
            this.free = space.settledFree();
        }
    }

    /**
     * Runs the new-file copies alone and prints the section, its notes and targets.
     *
     * @param args {@code --size N} (suffixes K M G; default 512M), {@code --reps N} (default 5),
     *     {@code --dir DIR} (where the run's temporary directory goes; default the JVM's),
     *     {@code --csv FILE} (also write the CSV)
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        long size = 512 * MIB;
        int reps = 5;
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Path csv = null;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--size" -> size = Options.parseSize(require(value, args[i]));
                case "--reps" -> reps = Integer.parseInt(require(value, args[i]));
                case "--dir" -> base = Path.of(require(value, args[i]));
                case "--csv" -> csv = Path.of(require(value, args[i]));
                default -> {
                    System.err.println("usage: NewFileCopies [--size N] [--reps N] [--dir DIR] [--csv FILE]");
                    System.exit(2);
                }
            }
        }
        Path work = Files.createTempDirectory(base, "zerocopy-newfiles-");
        ExitCleanup.Registration cleanup = ExitCleanup.register("delete " + work, () -> deleteQuietly(work));
        NewFileSection section;
        try {
            section = run(size, reps, work, true, s -> System.err.println("[zerocopy-bench] " + s));
        } finally {
            cleanup.cancel();
            Workspace.deleteTree(work);
        }
        System.out.println("- " + ReportWriter.environment());
        System.out.print(section.standalone());
        if (csv != null) {
            Files.writeString(csv, section.csv(), StandardCharsets.UTF_8);
        }
    }

    /** The exit's cleanup of {@link #main}, after the images' (registered later, so run earlier). */
    private static void deleteQuietly(Path work) {
        try {
            Workspace.deleteTree(work);
        } catch (IOException e) {
            System.err.println("zerocopy-bench: could not delete " + work + ": " + e);
        }
    }

    private static String require(String value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}

package io.zerocopy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the new-file copies once at a small size and checks what they report: every row on the
 * working file system measured or skipped with a reason, the images measured or skipped with a
 * reason, the CSV's shape, a target line per file system, and nothing left behind (files,
 * mounts). No assertion depends on a timing or on the machine having XFS, Btrfs, cp or Go.
 */
class NewFileCopiesTest {

    private static final long SIZE = 1024 * 1024 + 4096 + 3;

    @TempDir
    Path work;

    @Test
    void reportsEveryRowAndLeavesNothingBehind() throws Exception {
        List<String> progress = new ArrayList<>();
        NewFileSection s = NewFileCopies.run(SIZE, 2, work, true, progress::add);

        assertFalse(progress.isEmpty());
        List<String> csv = s.csv().lines().toList();
        assertEquals(NewFileSection.CSV_HEADER, csv.get(0));
        int columns = NewFileSection.CSV_HEADER.split(",").length;
        for (String line : csv.subList(1, csv.size())) {
            assertEquals(columns, SmokeReportTest.parseCsv(line).length, line);
        }
        NewFileCopies.Place working = s.results().get(0).place;
        assertTrue(working.label().contains("working"), working.label());
        for (NewFileResult r : s.results()) {
            String what = r.place.label() + " " + r.copier;
            if (r.copier instanceof NewFileEngineCopier || r.copier instanceof NewFileJdkCopier) {
                assertTrue(!r.status.equals(Result.FAILED), what + " failed: " + r.note);
            }
            if (r.measured()) {
                assertEquals(2, r.nanos.size(), what);
                assertTrue(r.space.isEmpty() || r.space.size() == 2, what);
            } else {
                assertFalse(r.note.isEmpty(), what + " " + r.status + " without a reason");
            }
        }
        assertNotNull(s.find(working, "zc:auto"), "zc:auto measured on the working file system");
        assertNotNull(s.find(working, "jdk:Files.copy"));

        List<String> targets = s.targets();
        assertTrue(targets.stream().anyMatch(t -> t.startsWith(working.label() + ", file->new file: zc:auto ")),
                String.join("\n", targets));
        for (String type : new String[] {"XFS", "Btrfs"}) {
            boolean measured = s.results().stream().anyMatch(r -> r.place.label().startsWith(type));
            boolean explained = s.notes().stream().anyMatch(n -> n.contains("on " + type) && n.contains("not measured"));
            assertTrue(measured != explained, type + ": measured or skipped with a reason, " + s.notes());
            if (measured) {
                assertTrue(targets.stream().anyMatch(t -> t.startsWith(type) && t.contains("target < 5 ms")),
                        String.join("\n", targets));
            }
        }
        assertTrue(s.markdown().contains("### file->new file"));

        try (Stream<Path> left = Files.list(work)) {
            assertTrue(left.allMatch(p -> p.getFileName().toString().startsWith("zcpeer-go")
                    || p.getFileName().toString().equals("zcpeer.go")), "only the Go peer's build is left");
        }
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(work.toString()), "nothing mounted");
    }
}

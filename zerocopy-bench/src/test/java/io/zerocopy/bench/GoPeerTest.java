package io.zerocopy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Go peer against the report's fixture: one row per scenario but the broadcast, each moving
 * exactly the bytes asked, and a copy to a new file equal to its source. Skipped, with the
 * reason, where the peer cannot be built (no {@code go}); no assertion depends on a timing.
 */
class GoPeerTest {

    private static final long SIZE = 3 * 1024 * 1024 + 17;

    @TempDir
    Path dir;

    @Test
    void everyScenarioMovesTheBytesAsked() throws Exception {
        try (Harness h = new Harness(SIZE)) {
            GoPeer go = build(h.ws.dir);
            assertSame(go, GoPeer.compile(h.ws.dir), "one build per directory");
            assertTrue(go.rows(Scenario.BROADCAST).isEmpty(), "no broadcast in Go");
            for (Scenario sc : List.of(Scenario.FILE_SOCKET, Scenario.SOCKET_SOCKET, Scenario.FILE_FILE)) {
                List<Row> rows = go.rows(sc);
                assertEquals(1, rows.size(), sc.label);
                Row row = rows.get(0);
                assertEquals(GoPeer.ROW, row.name);
                assertEquals(GoPeer.FAMILY, row.family);
                for (int i = 0; i < 2; i++) {
                    Sample s = row.run(h, SIZE);
                    assertEquals(SIZE, s.bytes(), sc.label);
                    assertTrue(s.wallNs() > 0, sc.label + " window");
                }
            }
            assertEquals(-1, Files.mismatch(h.ws.src, h.ws.dst), "file->file overwrote the destination with the source");
        }
    }

    @Test
    void copiesToANewFileAndRefusesAnExistingOne() throws Exception {
        GoPeer go = build(dir);
        Path src = dir.resolve("src.bin");
        Workspace.fill(src, SIZE, 3);
        Path dst = dir.resolve("dst.bin");
        PeerReport t = go.copyToNewFile(src, dst);
        assertEquals(SIZE, t.bytes());
        assertTrue(t.t1() >= t.t0());
        assertEquals(-1, Files.mismatch(src, dst));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> go.copyToNewFile(src, dst));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
    }

    private static GoPeer build(Path dir) {
        try {
            return GoPeer.compile(dir);
        } catch (Row.Unavailable e) {
            Assumptions.assumeTrue(false, e.getMessage());
            throw new AssertionError(e);
        }
    }
}

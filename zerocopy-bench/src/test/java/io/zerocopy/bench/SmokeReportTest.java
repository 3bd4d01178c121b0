package io.zerocopy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the report in {@code --smoke} mode and checks what it wrote: every expected row, the
 * byte counts, well-formed charts. No assertion depends on a timing.
 */
class SmokeReportTest {

    private static final long SIZE = 256 * 1024;

    @TempDir
    Path out;

    @Test
    void smokeRunWritesEveryRowWithTheRightByteCounts() throws Exception {
        Main.report(List.of("--smoke", "--size", "256K", "--out", out.toString()));

        List<String> lines = Files.readAllLines(out.resolve("results.csv"), StandardCharsets.UTF_8);
        assertEquals(ReportWriter.CSV_HEADER, lines.get(0));
        Map<String, String[]> rows = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = parseCsv(line);
            assertEquals(21, f.length, line);
            rows.put(f[0] + "/" + f[1], f);
        }
        for (String sc : new String[] {"file->socket", "socket->socket", "file->file"}) {
            for (String row : new String[] {"traditional", "jdk:heap-loop", "jdk:direct-loop", "zc:copy", "zc:auto"}) {
                assertOk(rows, sc + "/" + row);
            }
        }
        for (String sc : new String[] {"file->socket", "file->file"}) {
            for (String row : new String[] {"jdk:transferTo", "zc:mmap"}) {
                assertOk(rows, sc + "/" + row);
            }
        }
        assertOk(rows, "file->file/zc:transferTo");
        // the library leaves a blocking socket, which the harness connects, to the next strategy
        assertOkOrBlockingRefused(rows, "file->socket/zc:transferTo");
        // broadcast: 8 targets, each checked for exactly SIZE bytes by the report; the strategy
        // that served each broadcast row is asserted by the row and recorded in "ran"
        for (String row : new String[] {"zc:tee", "zc:copy-broadcast", "zc:8-transfers"}) {
            assertOk(rows, "broadcast/" + row);
            assertEquals("zerocopy", rows.get("broadcast/" + row)[2]);
        }
        assertEquals("tee", rows.get("broadcast/zc:tee")[4]);
        assertEquals("copy", rows.get("broadcast/zc:copy-broadcast")[4]);
        assertTrue(rows.get("broadcast/zc:8-transfers")[4].startsWith("8\u00d7 "),
                rows.get("broadcast/zc:8-transfers")[4]);
        // CPU per GiB delivered and the readers' CPU are reported (values not checked)
        for (String row : new String[] {"zc:tee", "zc:copy-broadcast", "zc:8-transfers"}) {
            String[] f = rows.get("broadcast/" + row);
            assertTrue(!f[15].isEmpty() && !f[17].isEmpty() && !f[18].isEmpty(), row + " CPU columns");
        }
        // transferTo and mmap need a file source: reported as skipped, not dropped
        assertEquals("skipped", rows.get("socket->socket/zc:transferTo")[3]);
        assertEquals("skipped", rows.get("socket->socket/zc:mmap")[3]);
        // every row: measured, or skipped with a reason; only a peer (Netty, C, Go) may fail, since
        // CI must not depend on a third party's flakiness, but it must say why
        for (Map.Entry<String, String[]> e : rows.entrySet()) {
            String[] f = e.getValue();
            boolean peer = f[2].equals("netty") || f[2].equals("c") || f[2].equals(GoPeer.FAMILY);
            assertTrue(peer || !f[3].equals("failed"), e.getKey() + " failed: " + f[20]);
            if (f[3].equals("ok")) {
                assertEquals(Long.toString(SIZE), f[5], e.getKey());
            } else {
                assertTrue(!f[20].isEmpty(), e.getKey() + " " + f[3] + " without a reason");
            }
        }
        assertTrue(rows.containsKey("file->socket/c:sendfile"), "C peer row listed (ok or skipped)");

        List<String> sweep = Files.readAllLines(out.resolve("sweep.csv"), StandardCharsets.UTF_8);
        assertTrue(sweep.stream().anyMatch(l -> l.startsWith("file->socket,zc:auto,4096,")), "sweep has fs auto 4 KiB");
        assertTrue(sweep.stream().anyMatch(l -> l.startsWith("file->file,zc:auto,65536,")), "sweep has ff auto 64 KiB");
        for (String svg : new String[] {"throughput.svg", "throughput-by-size.svg"}) {
            parseXml(out.resolve(svg));
        }
        String md = Files.readString(out.resolve("summary.md"));
        assertVeth(rows, sweep, md);
        assertTrue(md.contains("### Targets"));
        assertTrue(md.contains("### broadcast"), "broadcast table");
        assertTrue(md.contains("broadcast: tee CPU per GiB delivered \u2264 0.5\u00d7 8 separate sends: sending thread"),
                "broadcast target line");
        assertGo(rows, md);
        assertNewFiles(md);
        assertBindings(md);
    }

    /**
     * The small transfers by binding: jnr-ffi's rows always; java.lang.foreign's where it loads,
     * else the reason in the section; every transfer served by its one strategy.
     */
    private void assertBindings(String md) throws IOException {
        List<String> csv = Files.readAllLines(out.resolve("bindings.csv"), StandardCharsets.UTF_8);
        assertEquals(BindingSection.CSV_HEADER, csv.get(0));
        String why = io.zerocopy.linux.BenchBinding.unavailability(io.zerocopy.linux.BenchBinding.FOREIGN);
        List<String> bindings = why == null ? List.of("jnr-ffi", "java.lang.foreign") : List.of("jnr-ffi");
        Map<String, String[]> points = new HashMap<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] f = parseCsv(line);
            assertEquals(10, f.length, line);
            assertTrue(bindings.contains(f[2]), line);
            assertTrue(Double.parseDouble(f[5]) > 0 && Long.parseLong(f[8]) > 0, line);
            points.put(f[0] + "/" + f[1] + "/" + f[2], f);
        }
        for (String b : bindings) {
            for (String call : new String[] {BindingSection.SYSCONF, BindingSection.GETPID, BindingSection.CLOSE}) {
                assertTrue(points.containsKey(call + "/0/" + b), b + " " + call);
            }
            for (long size : BindingSection.SIZES) {
                assertEquals("sendfile", points.get("file->socket/" + size + "/" + b)[9], b + " " + size);
                assertEquals("splice", points.get("socket->socket/" + size + "/" + b)[9], b + " " + size);
            }
        }
        assertEquals(bindings.size() * (3 + 2 * BindingSection.SIZES.length), points.size());
        assertTrue(md.contains("### Small transfers by binding: jnr-ffi and java.lang.foreign"), "bindings section");
        if (why != null) {
            assertTrue(md.contains("- foreign not measured: " + why), "the reason foreign is missing");
        } else {
            assertTrue(md.contains("| java.lang.foreign / jnr-ffi |"), "ratio column");
        }
    }

    /**
     * Go's rows: in every scenario but the broadcast, over loopback and veth, where {@code go}
     * builds the peer; else none and a note with the reason.
     */
    private static void assertGo(Map<String, String[]> rows, String md) {
        if (!rows.containsKey("file->socket/" + GoPeer.ROW)) {
            assertTrue(md.contains("Go rows skipped"), "no Go rows and no note saying why");
            return;
        }
        for (String sc : new String[] {"socket->socket", "file->file"}) {
            assertTrue(rows.containsKey(sc + "/" + GoPeer.ROW), sc + " Go row");
        }
        if (VethNetwork.unavailabilityCause() == null) {
            for (String sc : new String[] {"file->socket over veth", "socket->socket over veth",
                "file->socket over veth at 1 Gbit/s (tbf)"}) {
                assertTrue(rows.containsKey(sc + "/" + GoPeer.ROW), sc + " Go row");
            }
        }
        assertTrue(!rows.containsKey("broadcast/" + GoPeer.ROW), "no Go broadcast");
    }

    /** The new-file copies: their CSV, a table per file system and their targets in the summary. */
    private void assertNewFiles(String md) throws IOException {
        List<String> csv = Files.readAllLines(out.resolve("new-files.csv"), StandardCharsets.UTF_8);
        assertEquals(NewFileSection.CSV_HEADER, csv.get(0));
        assertTrue(csv.stream().anyMatch(l -> l.contains("(working file system)") && l.contains(",zc:auto,")),
                "zc:auto on the working file system");
        assertTrue(md.contains("### file->new file, per file system"), "new-file section");
        int section = md.indexOf("### file->new file, per file system");
        assertTrue(section < md.indexOf("### Targets"), "new-file section before the targets");
        assertTrue(md.contains("(working file system), file->new file: zc:auto "), "new-file target line");
        assertTrue(!Files.readString(Path.of("/proc/self/mounts")).contains("new-files-"), "an image left mounted");
    }

    @Test
    void optionsParseSizesAndScenarios() {
        Options o = Options.parse("--size", "4M", "--reps", "3", "--scenarios", "fs,ff");
        assertEquals(4L << 20, o.size);
        assertEquals(3, o.reps);
        assertEquals(2, o.scenarios.size());
        assertEquals(100L << 20, Options.parse().size);
        assertEquals(1L << 30, Options.parseSize("1GiB"));
        Options bc = Options.parse("--scenarios", "bc", "--bc-size", "8M");
        assertEquals(java.util.EnumSet.of(Scenario.BROADCAST), bc.scenarios);
        assertEquals(8L << 20, bc.broadcastSize());
        assertEquals(32L << 20, Options.parse().broadcastSize());
        assertEquals(1L << 20, Options.parse("--size", "1M").broadcastSize());
        assertTrue(Options.parse().scenarios.contains(Scenario.BROADCAST), "broadcast runs by default");
        Options veth = Options.parse("--scenarios", "fv,sv,ft", "--tbf-size", "4M");
        assertEquals(java.util.EnumSet.of(Scenario.FILE_SOCKET_VETH, Scenario.SOCKET_SOCKET_VETH,
                Scenario.FILE_SOCKET_TBF), veth.scenarios);
        assertEquals(4L << 20, veth.sizeOf(Scenario.FILE_SOCKET_TBF));
        assertEquals(100L << 20, veth.sizeOf(Scenario.FILE_SOCKET_VETH));
        assertEquals(1L << 20, Options.parse("--size", "1M").sizeOf(Scenario.FILE_SOCKET_TBF));
        assertTrue(Options.parse().veth, "veth scenarios run by default");
        assertTrue(!Options.parse("--no-veth").veth);
        assertTrue(Options.parse().go && !Options.parse("--no-go").go);
        assertTrue(Options.parse().newFiles && !Options.parse("--no-new-files").newFiles);
        assertTrue(!Options.parse("--scenarios", "fs").newFiles, "a scenario list without fn leaves it out");
        Options fn = Options.parse("--scenarios", "fn");
        assertTrue(fn.newFiles && fn.scenarios.isEmpty() && !fn.bindings, "fn alone");
        assertTrue(Options.parse().bindings, "small transfers by binding run by default");
        assertTrue(!Options.parse("--scenarios", "fs").bindings, "a scenario list without sb leaves it out");
        Options sb = Options.parse("--scenarios", "sb");
        assertTrue(sb.bindings && sb.scenarios.isEmpty() && !sb.newFiles, "sb alone");
        assertEquals(3, Options.parse().newFileReps());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Options.parse("--scenarios", "xx"));
        assertTrue(e.getMessage().contains(", sb, fn)"), e.getMessage());
    }

    @Test
    void broadcastRunThatShortChangesATargetFailsAndTheFixtureRecovers() throws Exception {
        long n = 64 * 1024;
        try (Harness h = new Harness(n)) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> h.fanout().run(n, (src, count, targets) -> {
                        for (int i = 0; i < targets.size(); i++) {
                            io.zerocopy.ZeroCopy.transfer(src, 0, i == 3 ? count - 1 : count, targets.get(i));
                        }
                        return "";
                    }));
            assertTrue(e.getMessage().contains("delivery failed"), e.getMessage());
            Sample s = new BroadcastRows.SeparateRow().run(h, n);
            assertEquals(n, s.bytes());
            assertEquals(n * Fanout.TARGETS, s.deliveredBytes());
        }
    }

    /**
     * The veth scenarios run whenever this process may build network namespaces (CI runs as
     * root), else the notes give the reason; either way the run leaves no namespace behind.
     */
    private static void assertVeth(Map<String, String[]> rows, List<String> sweep, String md) throws IOException {
        String cause = VethNetwork.unavailabilityCause();
        if (cause == null) {
            for (String sc : new String[] {"file->socket over veth", "socket->socket over veth",
                "file->socket over veth at 1 Gbit/s (tbf)"}) {
                for (String row : new String[] {"traditional", "jdk:direct-loop", "zc:copy", "zc:auto"}) {
                    assertOk(rows, sc + "/" + row);
                }
            }
            assertOkOrBlockingRefused(rows, "file->socket over veth/zc:transferTo");
            assertTrue(rows.containsKey("socket->socket over veth/c:splice"), "C peer row listed (ok or skipped)");
            assertTrue(sweep.stream().anyMatch(l -> l.startsWith("file->socket over veth,zc:auto,4096,")),
                    "sweep has fv auto 4 KiB");
            assertTrue(md.contains("- veth: the mover in the root network namespace; MTU 1500;"), "veth set-up line");
            assertTrue(md.contains("veth traffic at the root ends"), "veth traffic line");
            assertTrue(md.contains("### file->socket over loopback"), "loopback table named as such");
        } else {
            assertTrue(md.contains("veth scenarios (fv, ft, sv) skipped: " + cause), "veth skip note");
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        Path netns = Path.of(NetNamespace.DIR);
        if (Files.isDirectory(netns)) {
            try (java.util.stream.Stream<Path> s = Files.list(netns)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(VethNetwork.PREFIX + pid + "-")),
                        "a namespace of this run is left in " + netns);
            }
        }
    }

    private static void assertOk(Map<String, String[]> rows, String key) {
        String[] f = rows.get(key);
        assertTrue(f != null, "missing row " + key);
        assertEquals("ok", f[3], key + ": " + f[20]);
        assertEquals(Long.toString(SIZE), f[5], key + " bytes");
        assertTrue(Double.parseDouble(f[12]) > 0, key + " MB/s");
    }

    /** The row measured, or skipped because its one strategy does not serve a blocking target. */
    private static void assertOkOrBlockingRefused(Map<String, String[]> rows, String key) {
        String[] f = rows.get(key);
        assertTrue(f != null, "missing row " + key);
        if (f[3].equals("skipped")) {
            assertTrue(f[20].contains("a blocking target"), key + ": " + f[20]);
        } else {
            assertOk(rows, key);
        }
    }

    private static void parseXml(Path p) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        assertEquals("svg", f.newDocumentBuilder().parse(p.toFile()).getDocumentElement().getNodeName());
    }

    /** RFC 4180 fields of one line. */
    static String[] parseCsv(String line) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out.toArray(new String[0]);
    }
}

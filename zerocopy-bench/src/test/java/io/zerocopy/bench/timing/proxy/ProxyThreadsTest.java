package io.zerocopy.bench.timing.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy-threads run: its options (per-N defaults, kind/engine pairs, the engine table),
 * the proxy processes a veth row needs, and a small loopback run whose every row delivers
 * every byte. No assertion depends on a timing.
 */
class ProxyThreadsTest {

    @TempDir
    Path dir;

    @Test
    void rowsOfTenThousandDefaultToSmallerTransfersBuffersAndALongerTimeout() {
        Options o = Options.parse(new String[0]);
        assertEquals(8L << 20, o.size(1000));
        assertEquals(128 << 10, o.sockBuf(1000));
        assertEquals(30, o.timeoutSeconds(1000));
        assertEquals(1L << 20, o.size(10_000));
        assertEquals(16 << 10, o.sockBuf(10_000));
        assertEquals(120, o.timeoutSeconds(10_000));
        Options given = Options.parse(new String[] {"--size", "2M", "--sockbuf", "0", "--timeout", "7"});
        assertEquals(2L << 20, given.size(10_000));
        assertEquals(0, given.sockBuf(10_000));
        assertEquals(7, given.timeoutSeconds(10_000));
    }

    @Test
    void configsNameKindAndEngineInTheirOrder() {
        Options o = Options.parse(new String[] {"--configs", "async/default,platform/copy"});
        assertEquals(List.of("async default", "platform copy"), o.pairs().stream().map(p -> p[0] + " " + p[1]).toList());
        Options cross = Options.parse(new String[] {"--threads", "platform,async", "--engines", "copy"});
        assertEquals(List.of("platform copy", "async copy"), cross.pairs().stream().map(p -> p[0] + " " + p[1]).toList());
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--configs", "async/nope"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--engines", "nope"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--link", "wifi"}));
    }

    @Test
    void enginesComeFromTheTableOncePerName() {
        assertEquals(List.of("default", "copy", "uring"), Engines.names());
        assertSame(Engines.get("copy"), Engines.get("copy"));
        assertEquals("[copy]", Engines.get("copy").strategies(io.zerocopy.spi.ChannelKind.SOCKET,
                io.zerocopy.spi.ChannelKind.SOCKET).toString());
        assertThrows(IllegalArgumentException.class, () -> Engines.get("uring?"));
        if (io.zerocopy.linux.Linux.ioUringEventLoopsCause() == null) {
            assertEquals("io_uring", Engines.get("uring").eventLoops().name());
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Engines.get("uring"));
            assertTrue(e.getMessage().contains("io_uring event loops unavailable"), e.getMessage());
        }
    }

    @Test
    void proxyProcessesAreTheFewestWhoseDescriptorsFitTheLimit() {
        assertEquals(1, SplitRun.processesFor(1058, 20_000, 640));
        assertEquals(3, SplitRun.processesFor(10_058, 20_000, 640), "4 descriptors per connection, 40,232 in all");
        assertEquals(1, SplitRun.processesFor(10_058, -1, 640), "limit unknown");
    }

    @Test
    void aLoopbackRunDeliversEveryByteOfEveryRow() throws Exception {
        assertEveryRowDelivered("loopback", "over loopback");
    }

    @Test
    void aLoopbackRunSplitOverProcessesDeliversEveryByteOfEveryRow() throws Exception {
        assertEveryRowDelivered("loopback-split", "over loopback, split over processes");
    }

    /** Runs 5 connections of 64 KiB per configuration over {@code link}; every row must deliver every byte. */
    private void assertEveryRowDelivered(String link, String title) throws Exception {
        Path out = dir.resolve("out");
        ProxyThreads.main(new String[] {"--conns", "5", "--size", "64K", "--idle", "1", "--probes", "2", "--reps", "1",
            "--configs", "platform/copy,async/copy,async/default", "--timeout", "20", "--link", link,
            "--out", out.toString()});
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(4, lines.size(), String.join("\n", lines));
        List<String> header = Arrays.asList(lines.get(0).split(","));
        // fields split at commas outside quotes: finished_by may hold "splice 4, copy 1"
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
            assertEquals("ok", f[header.indexOf("status")], line);
            assertEquals(Long.toString(5 * 65536), f[header.indexOf("bytes")], line);
            assertEquals(link, f[header.indexOf("link")], line);
            assertEquals("1", f[header.indexOf("proxy_processes")], line);
        }
        assertTrue(Files.readString(out.resolve("summary.md")).contains(title));
    }
}

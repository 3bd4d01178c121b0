package io.zerocopy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.Assertions;

/** What the asynchronous tests check: the bytes a peer reads, and which library threads are busy. */
public final class AsyncChecks {

    private AsyncChecks() { }

    /** @return every byte {@code ch} gives until its end of stream (a blocking channel) */
    public static byte[] readAll(ReadableByteChannel ch) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (ch.read(b) >= 0) {
            all.write(b.array(), 0, b.position());
            b.clear();
        }
        all.write(b.array(), 0, b.position());
        return all.toByteArray();
    }

    /**
     * Asserts that an asynchronous transfer ran in steps: its progress was reported only on the
     * driver's event loop threads (the selector loops' {@code zerocopy-reactor-N}, the io_uring
     * loops' {@code zerocopy-uring-N}) and file threads, never on a blocking thread (the one a strategy without
     * steps holds), and, if it moved bytes, on at least one of them.
     *
     * @param progressThreads the names of the threads the listener's progress calls ran on
     * @param bytes the bytes the transfer moved
     */
    public static void assertStepped(Set<String> progressThreads, long bytes) {
        for (String name : progressThreads) {
            Assertions.assertTrue(name.startsWith("zerocopy-reactor-") || name.startsWith("zerocopy-uring-")
                    || name.startsWith("zerocopy-file-"),
                    "progress reported on " + name + ", not an event loop or file thread; all: " + progressThreads);
        }
        if (bytes > 0) {
            Assertions.assertFalse(progressThreads.isEmpty(), "no progress reported for " + bytes + " bytes");
        }
    }

    /** @return the threads with this name prefix that are not idle in their pool (not waiting for a task) */
    public static long busyThreads(String prefix) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith(prefix))
                .filter(e -> Arrays.stream(e.getValue()).noneMatch(f -> f.getMethodName().equals("getTask")))
                .count();
    }
}

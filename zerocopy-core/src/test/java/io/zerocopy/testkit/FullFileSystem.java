package io.zerocopy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;

/**
 * A small tmpfs mounted for one test, so that a target runs out of space part-way through a transfer. Each
 * check compares what the {@link TransferException} reports with what landed on disk, byte for byte, then frees
 * the space and checks that the engine still transfers. Linux only, and only where this process may mount: the
 * test is otherwise skipped with the reason.
 */
public final class FullFileSystem implements AutoCloseable {

    /** Size of the file system: the file checks fill a third of it with the source first. */
    public static final long SIZE = 3L << 20;

    /** Bytes transferred again once space is freed: past the 256 KiB size band, well within the space. */
    private static final int AGAIN = 300_000;

    private final Path root;

    private FullFileSystem(Path root) {
        this.root = root;
    }

    /** Mounts a tmpfs of {@link #SIZE} bytes on the empty directory {@code dir}, or skips the test. */
    public static FullFileSystem mount(Path dir) throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "tmpfs needs Linux");
        String failure = run("mount", "-t", "tmpfs", "-o", "size=" + SIZE + ",mode=0700", "tmpfs", dir.toString());
        Assumptions.assumeTrue(failure == null, () -> "cannot mount a small tmpfs here (" + failure + ")");
        return new FullFileSystem(dir);
    }

    /** @return the mount point */
    public Path root() {
        return root;
    }

    /**
     * File to file: a source of two thirds of the file system into a new file on it. Asserts that the exception
     * reports exactly the bytes on disk, that they are the source's first bytes, none undelivered, ENOSPC as the
     * cause, and that the engine works once space is freed.
     *
     * @return the exception, for checks on the strategy
     */
    public TransferException assertFileTargetFills(TransferEngine engine) throws Exception {
        byte[] payload = Payloads.of((int) (2 * SIZE / 3), 71);
        Path src = root.resolve("src");
        Files.write(src, payload);
        Path dst = root.resolve("dst");
        TransferException e;
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            e = assertThrows(TransferException.class, () -> engine.transfer(in, 0, payload.length, out));
        }
        assertLanded(payload, dst, e);
        assertEquals(0, e.bytesUndelivered(), "a file source loses nothing: " + e);
        Files.delete(dst);
        assertStillTransfers(engine, src, payload);
        return e;
    }

    /**
     * Socket to file: a peer sends more than the file system holds. Asserts that the exception reports exactly
     * the bytes on disk, the source's first bytes and ENOSPC as the cause, and that no byte is counted twice
     * (delivered + undelivered at most what was sent); then that the engine works again. Callers check the
     * undelivered count their strategy promises.
     *
     * @return the exception, for checks on the strategy and the undelivered count
     */
    public TransferException assertStreamTargetFills(TransferEngine engine) throws Exception {
        byte[] payload = Payloads.of((int) (SIZE + (1 << 20)), 72);
        Path dst = root.resolve("stream");
        TransferException e;
        try (Loopback.Connection c = Loopback.connect();
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Future<Void> sender = Endpoints.peer(() -> {
                Endpoints.writeFully(c.client, java.nio.ByteBuffer.wrap(payload));
                c.client.shutdownOutput();
                return null;
            });
            e = assertThrows(TransferException.class, () -> engine.transfer(c.accepted, out));
            c.accepted.close(); // the sender may still be blocked on a full connection
            try {
                Endpoints.await(sender);
            } catch (IOException expected) {
                // the receiver went away under it
            }
        }
        assertLanded(payload, dst, e);
        assertTrue(e.bytesDelivered() + e.bytesUndelivered() <= payload.length, "no byte counted twice: " + e);
        Files.delete(dst);
        Path src = root.resolve("src");
        Files.write(src, Arrays.copyOf(payload, AGAIN));
        assertStillTransfers(engine, src, payload);
        return e;
    }

    private static void assertLanded(byte[] payload, Path dst, TransferException e) throws IOException {
        byte[] landed = Files.readAllBytes(dst);
        assertEquals(landed.length, e.bytesDelivered(), "bytes reported delivered are the bytes on disk: " + e);
        assertTrue(landed.length > 0 && landed.length < payload.length, "the target filled part-way: " + e);
        Payloads.assertSameBytes(Arrays.copyOf(payload, landed.length), landed, "what landed");
        assertTrue(String.valueOf(e.getCause()).contains("No space left on device"), "ENOSPC as the cause: " + e);
    }

    /** Transfers the first {@link #AGAIN} bytes of {@code src} to a socket and to a new file on this file system. */
    private void assertStillTransfers(TransferEngine engine, Path src, byte[] payload) throws Exception {
        byte[] expect = Arrays.copyOf(payload, AGAIN);
        try (FileChannel in = FileChannel.open(src); Loopback.Connection c = Loopback.connect()) {
            Future<byte[]> got = Endpoints.peer(() -> Endpoints.drain(c.accepted));
            assertEquals(AGAIN, engine.transfer(in, 0, AGAIN, Endpoints.nonBlocking(c.client)));
            c.client.shutdownOutput();
            Payloads.assertSameBytes(expect, Endpoints.await(got), "to a socket after the file system filled");
        }
        Path copy = root.resolve("again");
        try (FileChannel in = FileChannel.open(src);
             FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertEquals(AGAIN, engine.transfer(in, 0, AGAIN, out));
        }
        Payloads.assertSameBytes(expect, Files.readAllBytes(copy), "to a file after the file system filled");
        Files.delete(copy);
    }

    /**
     * Unmounts the file system, and everything on it. A busy file system (a descriptor still open on it) fails
     * the test, after a lazy unmount so that nothing is left mounted.
     */
    @Override
    public void close() throws IOException {
        try {
            String failure = run("umount", root.toString());
            if (failure != null) {
                String lazy = run("umount", "-l", root.toString());
                throw new IOException("could not unmount " + root + " (a descriptor left open on it?): " + failure
                        + (lazy == null ? "; unmounted lazily" : "; lazy unmount: " + lazy));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while unmounting " + root);
        }
    }

    /** @return null on success, else what went wrong; the command's output goes to a file, so no pipe is opened */
    private static String run(String... command) throws InterruptedException, IOException {
        Path log = Files.createTempFile("zerocopy-mount-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " timed out";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + p.exitValue() + ", "
                    + new String(Files.readAllBytes(log), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}

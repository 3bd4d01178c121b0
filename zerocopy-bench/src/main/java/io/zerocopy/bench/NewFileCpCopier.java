package io.zerocopy.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * {@code cp --reflink=auto SOURCE TARGET}, one process per copy: what a shell user gets (GNU cp
 * shares extents where the file system can, else it copies with {@code copy_file_range} or
 * read/write). The time runs from the process's start until it has exited, so it includes
 * the start-up, which {@link #startupNanos} measures apart.
 */
final class NewFileCpCopier extends NewFileCopier {

    private String version = "";

    NewFileCpCopier() {
        super("cp --reflink=auto", PROCESS);
    }

    @Override
    long copy(Path source, Path target) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("cp", "--reflink=auto", source.toString(), target.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(FileSystemCommand.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("cp did not exit within " + FileSystemCommand.TIMEOUT_SECONDS + " s");
        }
        long t1 = System.nanoTime();
        // cp's few lines of complaint fit in the pipe, so reading after the exit cannot block it
        String err;
        try (InputStream in = p.getErrorStream()) {
            err = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        if (p.exitValue() != 0) {
            throw new IOException("cp --reflink=auto exited " + p.exitValue() + ": " + err);
        }
        return t1 - t0;
    }

    /** @throws Row.Unavailable if there is no {@code cp}, or it has no {@code --reflink} (busybox) */
    @Override
    void verify(Path source, Path target) throws Exception {
        if (FileSystemCommand.find("cp") == null) {
            throw new Row.Unavailable("no cp program");
        }
        try {
            copy(source, target);
        } catch (IOException e) {
            throw new Row.Unavailable("cp --reflink=auto does not work here: " + e.getMessage());
        }
        Path log = Files.createTempFile("zerocopy-bench-cp-", ".out");
        try {
            Process p = new ProcessBuilder("cp", "--version").redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                version = Files.readAllLines(log, StandardCharsets.UTF_8).stream().findFirst().orElse("")
                        .replaceFirst("^cp \\((.*)\\) ", "$1 ");
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * @param dir a directory on the file system under test
     * @param reps how many copies to time
     * @return the median time of {@code cp --reflink=auto} copying an empty file: the part of a
     *     row's time that is process start-up and exit
     * @throws Exception if {@code cp} fails
     */
    long startupNanos(Path dir, int reps) throws Exception {
        Path empty = Files.createTempFile(dir, "empty-", ".bin");
        Path copy = dir.resolve(empty.getFileName() + ".copy");
        try {
            long[] t = new long[reps];
            for (int i = 0; i < reps; i++) {
                t[i] = copy(empty, copy);
                Files.delete(copy);
            }
            Arrays.sort(t);
            return t[reps / 2];
        } finally {
            Files.deleteIfExists(copy);
            Files.delete(empty);
        }
    }

    @Override
    String ran() {
        return "cp --reflink=auto" + (version.isEmpty() ? "" : ", " + version) + ", start-up included";
    }

    @Override
    String describe() {
        return "cp --reflink=auto, a process per copy; time from its start to its exit";
    }
}

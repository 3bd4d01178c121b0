package io.zerocopy.linux;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.zerocopy.testkit.Payloads;

/** Shared helpers: the availability gate, payload files, background readers and writers. */
final class Fixtures {

    private Fixtures() { }

    /**
     * Skips (with a reason) off Linux; on Linux fails if the binding is broken, so that a
     * broken binding is never a silent skip.
     */
    static void requireLinux() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "zerocopy-linux needs Linux");
        Linux.ensureAvailability();
    }

    static Path file(Path dir, String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    static byte[] payload(int size) {
        return Payloads.of(size, 42);
    }

    /** Writes all of {@code data} to {@code ch} on another thread, then closes it if asked. */
    static CompletableFuture<Void> feed(WritableByteChannel ch, byte[] data, boolean close) {
        return CompletableFuture.runAsync(() -> {
            try {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                if (close) {
                    ch.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Fixtures::thread);
    }

    /** Reads {@code ch} to its end on another thread. */
    static CompletableFuture<byte[]> drain(ReadableByteChannel ch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(256 * 1024);
                while (ch.read(b) >= 0) {
                    out.write(b.array(), 0, b.position());
                    b.clear();
                }
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Fixtures::thread);
    }

    private static void thread(Runnable r) {
        Thread t = new Thread(r, "fixture");
        t.setDaemon(true);
        t.start();
    }

    /**
     * @param flags JVM options
     * @param main a class of the test class path with a {@code main}
     * @param args its arguments
     * @return a builder for a child JVM of this one's Java and class path
     */
    static ProcessBuilder childJvm(List<String> flags, Class<?> main, String... args) {
        return childJvm(Path.of(System.getProperty("java.home")), flags, System.getProperty("java.class.path"), main, args);
    }

    /**
     * @param javaHome the runtime to start (this JVM's, or a jlink image)
     * @param flags JVM options
     * @param classPath the class path, holding {@code main}
     * @param main a class with a {@code main}
     * @param args its arguments
     * @return a builder for a child JVM
     */
    static ProcessBuilder childJvm(Path javaHome, List<String> flags, String classPath, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin").resolve("java").toString());
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** @return the descriptors registered with epoll instance {@code epfd} of this process ({@code tfd:} in its fdinfo) */
    static List<Integer> epollTargets(int epfd) throws IOException {
        List<Integer> fds = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + epfd))) {
            String[] words = line.trim().split("\\s+");
            if (words.length > 1 && words[0].equals("tfd:")) {
                fds.add(Integer.parseInt(words[1]));
            }
        }
        return fds;
    }

    static byte[] read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) ch.size());
        while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
            // positional reads until full
        }
        return b.array();
    }
}

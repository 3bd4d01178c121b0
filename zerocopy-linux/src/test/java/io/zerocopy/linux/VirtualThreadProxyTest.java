package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.ZeroCopy;

/**
 * Issue "virtual threads": a thread-per-connection proxy on virtual threads with two carriers,
 * in a child JVM. Connections that send nothing leave their proxy threads waiting for the
 * source (splice says EAGAIN); they must not hold the carriers, or a new connection is never
 * served. JDK 21+ only.
 */
class VirtualThreadProxyTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void idleConnectionsLeaveTheCarriersFree() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+; running " + Runtime.version());
        Path log = dir.resolve("child.log");
        Process p = Fixtures.childJvm(List.of("-Djdk.virtualThreadScheduler.parallelism=2",
                "-Djdk.virtualThreadScheduler.maxPoolSize=2"), Child.class)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(log);
        assertTrue(finished, "child JVM still running after 60 s, killed:\n" + output);
        assertEquals(0, p.exitValue(), output);
    }

    /**
     * The child: a loopback proxy serving each connection on a new virtual thread with
     * {@code ZeroCopy.transfer(client, upstream)}; {@value #IDLE} idle connections, then one
     * that sends {@value #SIZE} bytes, which must reach the upstream sink intact within
     * {@value #SECONDS} s. Then the idle connections end, and the poller must hold no
     * registration. Exits 0 on success, 1 otherwise.
     */
    public static final class Child {
        static final int IDLE = 4;
        static final int SIZE = 8 << 20;
        static final int SECONDS = 20;

        private Child() { }

        public static void main(String[] args) throws Exception {
            Linux.ensureAvailability();
            ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            byte[] data = Fixtures.payload(SIZE);
            CompletableFuture<String> verdict = new CompletableFuture<>();
            CountDownLatch served = new CountDownLatch(IDLE + 1);
            InetAddress lo = InetAddress.getLoopbackAddress();
            ServerSocketChannel upstream = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0), 16);
            ServerSocketChannel proxy = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0), 16);
            SocketAddress to = upstream.getLocalAddress();
            daemon("sink-acceptor", () -> {
                while (true) {
                    SocketChannel c = upstream.accept();
                    daemon("sink", () -> sink(c, data, verdict));
                }
            });
            daemon("proxy-acceptor", () -> {
                while (true) {
                    SocketChannel client = proxy.accept();
                    virtual.execute(() -> serve(client, to, served));
                }
            });
            List<SocketChannel> idle = new ArrayList<>();
            for (int i = 0; i < IDLE; i++) {
                idle.add(SocketChannel.open(proxy.getLocalAddress()));
            }
            PipePool pool = Linux.sharedPipePool();
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pool.openPipes() - pool.idlePipes() < IDLE && System.nanoTime() < settle) {
                Thread.sleep(10); // until every idle connection's transfer waits in splice (at best)
            }
            Thread.sleep(200);
            SocketChannel active = SocketChannel.open(proxy.getLocalAddress());
            daemon("client", () -> {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    active.write(b);
                }
                active.shutdownOutput();
            });
            String result;
            try {
                result = verdict.get(SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                result = "no verdict in " + SECONDS + " s; transfers leasing pipes: " + (pool.openPipes() - pool.idlePipes());
            }
            if (result.equals("ok")) {
                for (SocketChannel c : idle) {
                    c.close();
                }
                if (!served.await(SECONDS, TimeUnit.SECONDS)) {
                    result = served.getCount() + " proxy threads still running after their clients closed";
                } else if (!Fixtures.epollTargets(EpollPoller.shared().epollFd()).isEmpty()) {
                    result = "descriptors left in the poller: " + Fixtures.epollTargets(EpollPoller.shared().epollFd());
                }
            }
            System.err.println("virtual-thread proxy: " + result);
            System.exit(result.equals("ok") ? 0 : 1);
        }

        private static void serve(SocketChannel client, SocketAddress to, CountDownLatch served) {
            try (SocketChannel c = client; SocketChannel up = SocketChannel.open(to)) {
                ZeroCopy.transfer(c, up);
                up.shutdownOutput();
            } catch (IOException e) {
                e.printStackTrace();
            } finally {
                served.countDown();
            }
        }

        /** Reads one upstream connection to its end; a connection that sent bytes gives the verdict. */
        private static void sink(SocketChannel c, byte[] expected, CompletableFuture<String> verdict) throws IOException {
            try (c) {
                ByteBuffer b = ByteBuffer.allocate(1 << 16);
                int n = 0;
                for (int r; (r = c.read(b)) >= 0; b.clear()) {
                    if (n + r > expected.length || Arrays.mismatch(b.array(), 0, r, expected, n, n + r) >= 0) {
                        verdict.complete("bytes differ at or after offset " + n);
                        return;
                    }
                    n += r;
                }
                if (n > 0) {
                    verdict.complete(n == expected.length ? "ok" : "received " + n + " of " + expected.length + " bytes");
                }
            }
        }

        private interface Body {
            void run() throws Exception;
        }

        private static void daemon(String name, Body body) {
            Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, name);
            t.setDaemon(true);
            t.start();
        }
    }
}

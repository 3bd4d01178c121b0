package io.zerocopy.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.linux.BenchBinding;
import org.junit.jupiter.api.Test;

/**
 * The binding benchmarks' states and methods, called directly with jnr-ffi (every JDK) as JMH
 * would call them once: set-up checks that the one strategy served; each call moves every byte.
 */
class BindingBenchmarksTest {

    @Test
    void downcalls() {
        DowncallBenchmark d = new DowncallBenchmark();
        d.binding = BenchBinding.JNR;
        d.setUp();
        try {
            assertEquals(ProcessHandle.current().pid(), d.getpid());
            assertTrue(d.sysconfPagesize() >= 4096);
            assertTrue(d.fcntlGetfl() >= 0);
            assertTrue(d.closeEbadf() < 0);
        } finally {
            d.tearDown();
        }
    }

    @Test
    void fileToSocketAndSocketToSocket() throws Exception {
        SmallTransferBenchmark bench = new SmallTransferBenchmark();
        SmallTransferBenchmark.FileToSocket fs = new SmallTransferBenchmark.FileToSocket();
        fs.binding = BenchBinding.JNR;
        fs.size = 4096;
        fs.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                assertEquals(4096, bench.fileToSocket(fs));
            }
        } finally {
            fs.tearDown();
        }
        SmallTransferBenchmark.SocketToSocket ss = new SmallTransferBenchmark.SocketToSocket();
        ss.binding = BenchBinding.JNR;
        ss.size = 256;
        ss.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                ss.queueSource();
                assertEquals(256, bench.socketToSocket(ss));
                ss.closeSource();
            }
        } finally {
            ss.tearDown();
        }
    }
}

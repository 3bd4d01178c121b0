package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The binding that serves is the one the JDK and {@value Native#BINDING_PROPERTY} ask for, and
 * the two bindings (both loadable on JDK 22+) return the same results for the same calls.
 */
class BindingTest {

    @BeforeAll
    static void linux() {
        Fixtures.requireLinux();
    }

    @Test
    void theJdkAndThePropertyChooseTheBinding() {
        String requested = System.getProperty(Native.BINDING_PROPERTY, "");
        String expected = requested.equals("jnr") || requested.isEmpty() && Runtime.version().feature() < 22
                ? "jnr-ffi" : "java.lang.foreign";
        assertEquals(expected, Native.binding());
        assertEquals(expected, Linux.binding());
    }

    @Test
    void eachBindingAnswersLikeTheKernel() throws Exception {
        for (Syscalls sys : bindings()) {
            assertEquals(ProcessHandle.current().pid(), sys.getpid(), sys.toString());
            assertEquals("Broken pipe", sys.strerror(Errno.EPIPE), sys.toString());
            assertTrue(sys.sysconf(Native.SC_PAGESIZE) >= 4096, sys.toString());
            assertEquals(-Errno.EBADF, sys.close(-1), sys.toString());
            assertEquals(-Errno.EBADF, sys.fcntl(-1, Native.F_GETFL, 0), sys.toString());
            int[] fds = new int[2];
            assertEquals(0, sys.pipe2(fds, Native.O_CLOEXEC | Native.O_NONBLOCK), sys.toString());
            try {
                assertTrue(fds[0] > 2 && fds[1] > 2 && fds[0] != fds[1], sys.toString());
                ByteBuffer count = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
                assertEquals(0, sys.ioctl(fds[0], Native.FIONREAD, sys.address(count)));
                assertEquals(0, count.getInt(0), "an empty pipe");
                assertEquals(-Errno.EAGAIN, sys.read(fds[0], sys.address(count), 1), "empty and non-blocking");
            } finally {
                sys.close(fds[0]);
                sys.close(fds[1]);
            }
        }
    }

    @Test
    void bothBindingsReadTheSameBufferAddress() throws Exception {
        List<Syscalls> bindings = bindings();
        assumeTrue(bindings.size() == 2, "only one binding on JDK " + Runtime.version().feature());
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        b.position(17);
        long a = bindings.get(0).address(b);
        assertEquals(a, bindings.get(1).address(b), "element 0, whatever the position");
        assertEquals(a + 8, bindings.get(1).address(b.slice(8, 8)));
        assertEquals(a + 8, bindings.get(0).address(b.slice(8, 8)));
    }

    /** @return jnr-ffi, and on JDK 22+ java.lang.foreign */
    static List<Syscalls> bindings() throws Exception {
        List<Syscalls> all = new ArrayList<>();
        all.add(JnrSyscalls.load());
        if (Runtime.version().feature() >= 22) {
            all.add((Syscalls) Class.forName("io.zerocopy.linux.ForeignSyscalls").getDeclaredMethod("load").invoke(null));
        }
        return all;
    }
}

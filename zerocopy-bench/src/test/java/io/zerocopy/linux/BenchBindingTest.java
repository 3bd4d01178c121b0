package io.zerocopy.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The bench's bindings: jnr-ffi loads everywhere zerocopy-linux is available; the foreign one
 * loads on JDK 22+ from a jar built on JDK 22+, and otherwise says why. No timing.
 */
class BenchBindingTest {

    @Test
    void jnrLoadsAndItsCallsGiveTheKernelsAnswers() {
        Linux.ensureAvailability();
        try (BenchBinding b = BenchBinding.load(BenchBinding.JNR)) {
            assertEquals("jnr-ffi", b.toString());
            assertEquals(ProcessHandle.current().pid(), b.getpid());
            assertEquals(Native.pageSize(), b.pageSize());
            assertEquals(0, b.getfl() & Native.O_NONBLOCK, "the pipe is blocking");
            assertEquals(-Errno.EBADF, b.closeInvalid());
            BenchBinding counting = b.counting();
            counting.getpid();
            counting.closeInvalid();
            assertEquals(2, counting.calls());
            assertEquals(0, b.calls(), "only a counting view counts");
        }
    }

    @Test
    void foreignLoadsOnJdk22OrSaysWhyNot() {
        Linux.ensureAvailability();
        if (Runtime.version().feature() < 22) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> BenchBinding.load(BenchBinding.FOREIGN));
            assertTrue(e.getMessage().contains("needs JDK 22+"), e.getMessage());
            assertEquals(e.getMessage(), BenchBinding.unavailability(BenchBinding.FOREIGN));
            return;
        }
        String why = BenchBinding.unavailability(BenchBinding.FOREIGN);
        if (why != null) {
            assertTrue(why.contains("META-INF/versions/22 absent"), why);
            return;
        }
        try (BenchBinding b = BenchBinding.load(BenchBinding.FOREIGN)) {
            assertEquals("java.lang.foreign", b.toString());
            assertEquals(ProcessHandle.current().pid(), b.getpid());
            assertEquals(-Errno.EBADF, b.closeInvalid());
        }
    }

    @Test
    void unknownNameIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchBinding.load("jni"));
        assertTrue(e.getMessage().contains("jni"), e.getMessage());
    }
}

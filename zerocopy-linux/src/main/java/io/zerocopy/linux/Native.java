package io.zerocopy.linux;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The production {@link Syscalls}, chosen once, and the constants the calls take. Internal:
 * not API.
 *
 * <p>The binding is {@code java.lang.foreign} ({@code ForeignSyscalls}, in the jar's
 * {@code META-INF/versions/22}) on JDK 22 and newer, jnr-ffi ({@link JnrSyscalls}) before, or
 * where the foreign one cannot be made; {@value #BINDING_PROPERTY} forces either. It is created
 * once, lazily, by {@link Holder}, probed with calls that must fail harmlessly, and never throws
 * at class-load time: on another OS or architecture, with the kill switch
 * {@value #ENABLED_PROPERTY} {@code =false}, if no binding loads, or if a call is missing,
 * {@link #syscalls()} is null and {@link #unavailabilityCause()} says why (logged once).
 */
final class Native {

    /** System property: {@code false} disables the module (its provider offers no strategies). */
    static final String ENABLED_PROPERTY = "io.zerocopy.linux.enabled";
    /** System property: {@code foreign} or {@code jnr} forces that binding; unset, the JDK decides. */
    static final String BINDING_PROPERTY = "io.zerocopy.linux.binding";
    private static final String FOREIGN = "foreign";
    private static final String JNR = "jnr";

    static final int O_NONBLOCK = 0x800;
    static final int O_APPEND = 0x400;
    static final int O_CLOEXEC = 0x80000;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_SETPIPE_SZ = 1031;
    static final int F_GETPIPE_SZ = 1032;

    static final int SPLICE_F_MOVE = 1;
    static final int SPLICE_F_NONBLOCK = 2;

    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    /** Bytes of a {@code struct pollfd}: {@code int fd} at 0, {@code short events} at 4, {@code short revents} at 6. */
    static final int POLLFD_SIZE = 8;

    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    /** epoll events: the bits of {@link #POLLIN} and {@link #POLLOUT} mean the same. */
    static final int EPOLLIN = POLLIN;
    static final int EPOLLOUT = POLLOUT;
    static final int EPOLLONESHOT = 1 << 30;
    /**
     * Bytes of a {@code struct epoll_event} ({@code uint32_t events} at 0, then
     * {@code uint64_t data}): packed on x86_64, naturally aligned on aarch64 and riscv64.
     */
    static final int EPOLL_EVENT_SIZE;
    /** Offset of {@code data} in a {@code struct epoll_event}. */
    static final int EPOLL_DATA_OFFSET;

    static {
        String arch = System.getProperty("os.arch", "");
        boolean packed = arch.equals("amd64") || arch.equals("x86_64");
        EPOLL_EVENT_SIZE = packed ? 12 : 16;
        EPOLL_DATA_OFFSET = packed ? 4 : 8;
    }

    /** ioctl: bytes not yet acknowledged by the peer in a TCP socket's send queue ({@code SIOCOUTQ}, {@code TIOCOUTQ}). */
    static final long SIOCOUTQ = 0x5411;
    /** ioctl: bytes waiting to be read from a pipe ({@code FIONREAD}). */
    static final long FIONREAD = 0x541B;
    /**
     * ioctl: share a range of another file's extents ({@code FICLONERANGE}, uapi linux/fs.h:
     * {@code _IOW(0x94, 13, struct file_clone_range)}, the same on x86_64, aarch64 and riscv64).
     */
    static final long FICLONERANGE = 0x4020_940DL;
    /**
     * Bytes of a {@code struct file_clone_range}: {@code s64 src_fd} at 0, {@code u64 src_offset}
     * at 8, {@code u64 src_length} at 16 (0 means "to the end": never passed), {@code u64 dest_offset} at 24.
     */
    static final int FILE_CLONE_RANGE_SIZE = 32;
    /** Room for a {@code struct stat}: 144 bytes on x86_64, 128 on aarch64 and riscv64. */
    static final int STAT_SIZE = 256;
    /** Offset of the 8-byte {@code st_dev} in a {@code struct stat} on x86_64, aarch64 and riscv64. */
    static final int ST_DEV_OFFSET = 0;
    /** Room for a {@code struct statfs}: 120 bytes on x86_64, aarch64 and riscv64; {@code f_type} is its first long. */
    static final int STATFS_SIZE = 128;

    /** {@code sysconf} name of the page size ({@code _SC_PAGESIZE}). */
    static final int SC_PAGESIZE = 30;

    private Native() { }

    /** @return the binding, or null if unavailable */
    static Syscalls syscalls() {
        return Holder.SYSCALLS;
    }

    /** @return why the binding is unavailable, or null if it is available */
    static Throwable unavailabilityCause() {
        return Holder.CAUSE;
    }

    /** @return whether copy_file_range exists in this kernel (ENOSYS on the probe means no) */
    static boolean hasCopyFileRange() {
        return Holder.COPY_FILE_RANGE;
    }

    /** @return why epoll cannot be used (the binding's cause if it is unavailable), or null if it can */
    static Throwable epollUnavailabilityCause() {
        return Holder.CAUSE != null ? Holder.CAUSE : Holder.EPOLL_CAUSE;
    }

    /** @return the size of a memory page, in bytes (4096 if the binding is unavailable) */
    static int pageSize() {
        return Holder.PAGE_SIZE;
    }

    /** @return a description of an errno value, such as {@code "Broken pipe"} */
    static String describe(int errno) {
        Syscalls sys = Holder.SYSCALLS;
        String s = sys != null ? sys.strerror(errno) : null;
        return s != null ? s : "errno " + errno;
    }

    /**
     * @param direct a direct buffer
     * @return its native address, or 0 if the binding is unavailable
     */
    static long address(ByteBuffer direct) {
        Syscalls sys = Holder.SYSCALLS;
        return sys != null ? sys.address(direct) : 0;
    }

    /**
     * @return the binding that serves ({@code "java.lang.foreign"} or {@code "jnr-ffi"}), or
     *     {@code "none"}
     */
    static String binding() {
        Syscalls sys = Holder.SYSCALLS;
        return sys != null ? sys.toString() : "none";
    }

    /**
     * Chooses the binding: {@code java.lang.foreign} on JDK 22+ (when this jar has it), else
     * jnr-ffi; {@value #BINDING_PROPERTY} {@code =foreign} or {@code =jnr} forces one.
     *
     * @return the binding, not yet probed
     * @throws Throwable why no binding could be made (other attempts suppressed)
     */
    private static Syscalls bind() throws Throwable {
        String requested = System.getProperty(BINDING_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (!requested.isEmpty() && !requested.equals(FOREIGN) && !requested.equals(JNR)) {
            throw new IllegalArgumentException(BINDING_PROPERTY + " must be " + FOREIGN + " or " + JNR + ": " + requested);
        }
        Throwable foreignFailure = null;
        if (requested.equals(FOREIGN) || requested.isEmpty() && Runtime.version().feature() >= 22) {
            try {
                return (Syscalls) Class.forName(Native.class.getPackageName() + ".ForeignSyscalls")
                        .getDeclaredMethod("load").invoke(null);
            } catch (InvocationTargetException e) {
                Throwable t = e.getCause();
                foreignFailure = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
            } catch (ClassNotFoundException e) {
                foreignFailure = new UnsupportedOperationException("this jar has no java.lang.foreign binding "
                        + "(META-INF/versions/22 absent: it was built on a JDK before 22)", e);
            } catch (ReflectiveOperationException | LinkageError e) {
                foreignFailure = e;
            }
            if (requested.equals(FOREIGN)) {
                throw foreignFailure;
            }
            Throwable why = foreignFailure;
            System.getLogger(Native.class.getPackageName()).log(Level.DEBUG,
                    () -> "zerocopy-linux: java.lang.foreign binding unavailable, trying jnr-ffi: " + why);
        }
        try {
            return JnrSyscalls.load();
        } catch (Throwable t) {
            if (foreignFailure != null) {
                t.addSuppressed(foreignFailure);
            }
            throw t;
        }
    }

    private static final class Holder {

        static final Syscalls SYSCALLS;
        static final Throwable CAUSE;
        static final boolean COPY_FILE_RANGE;
        static final Throwable EPOLL_CAUSE;
        static final int PAGE_SIZE;

        static {
            Syscalls sys = null;
            Throwable cause = null;
            Probed probed = new Probed(false, null);
            try {
                String os = System.getProperty("os.name", "");
                String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
                if ("false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY))) {
                    cause = new UnsupportedOperationException("disabled by -D" + ENABLED_PROPERTY + "=false");
                } else if (!os.startsWith("Linux")) {
                    cause = new UnsupportedOperationException("not Linux: os.name=" + os);
                } else if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")
                        || arch.equals("riscv64"))) {
                    cause = new UnsupportedOperationException("errno values not verified for os.arch=" + arch);
                } else {
                    sys = bind();
                    probed = probe(sys);
                }
            } catch (Throwable t) {
                // LinkageError from a native library, a missing symbol, a denied restricted
                // method, or a failed probe.
                if (t instanceof VirtualMachineError) {
                    throw (VirtualMachineError) t;
                }
                sys = null;
                cause = t;
            }
            SYSCALLS = cause == null ? sys : null;
            CAUSE = cause;
            COPY_FILE_RANGE = probed.copyFileRange;
            EPOLL_CAUSE = probed.epollCause;
            long page = SYSCALLS != null ? SYSCALLS.sysconf(SC_PAGESIZE) : -1;
            PAGE_SIZE = page > 0 ? (int) page : 4096;
            Throwable why = cause;
            // Expected absences (kill switch, another OS) at DEBUG; a binding broken on Linux at WARNING.
            Level level = cause == null || cause instanceof UnsupportedOperationException ? Level.DEBUG : Level.WARNING;
            System.getLogger(Native.class.getPackageName()).log(level, () -> why == null
                    ? "zerocopy-linux: available through " + SYSCALLS + " (copy_file_range "
                            + (COPY_FILE_RANGE ? "present" : "absent")
                            + (EPOLL_CAUSE == null ? ", epoll present)" : ", epoll unusable: " + EPOLL_CAUSE + ")")
                    : "zerocopy-linux: unavailable: " + why);
        }

        /** What the probe found besides a working binding. */
        private record Probed(boolean copyFileRange, Throwable epollCause) { }

        private static IllegalStateException failed(String what, long r) {
            return new IllegalStateException(what + ": expected EBADF, got " + (r < 0 ? "errno " + -r : "result " + r));
        }

        /**
         * Calls every binding with arguments that must fail harmlessly, or on a pipe of its
         * own; the fstat binding is checked apart ({@code -ENOSYS} without the symbol).
         */
        private static Probed probe(Syscalls sys) {
            int[] fds = new int[2];
            int r0 = sys.pipe2(fds, O_CLOEXEC | O_NONBLOCK);
            if (r0 != 0) {
                throw new IllegalStateException("pipe2 failed: errno " + -r0);
            }
            try {
                int size = sys.fcntl(fds[0], F_GETPIPE_SZ, 0);
                if (size <= 0) {
                    throw new IllegalStateException("fcntl(F_GETPIPE_SZ) failed: errno " + -size);
                }
                long r = sys.splice(-1, null, fds[1], null, 1, SPLICE_F_NONBLOCK);
                if (r != -Errno.EBADF) {
                    throw failed("splice probe", r);
                }
                r = sys.sendfile(fds[1], -1, null, 1);
                if (r != -Errno.EBADF) {
                    throw failed("sendfile probe", r);
                }
                ByteBuffer scratch = ByteBuffer.allocateDirect(Math.max(STAT_SIZE, EPOLL_EVENT_SIZE))
                        .order(ByteOrder.nativeOrder());
                long address = sys.address(scratch);
                if (address == 0) {
                    throw new IllegalStateException("a direct buffer's address reads as 0 through " + sys);
                }
                r = sys.read(fds[0], address, 0);
                if (r != 0) {
                    throw new IllegalStateException("read probe failed: " + r);
                }
                scratch.putInt(0, fds[0]).putShort(4, POLLIN).putShort(6, (short) 0);
                r = sys.poll(address, 1, 0);
                if (r != 0) {
                    throw new IllegalStateException("poll probe: expected 0, got " + r);
                }
                r = sys.tee(-1, fds[1], 1, SPLICE_F_NONBLOCK);
                if (r != -Errno.EBADF) {
                    throw failed("tee probe", r);
                }
                r = sys.vmsplice(-1, 0, 0, 0);
                if (r != -Errno.EBADF) {
                    throw failed("vmsplice probe", r);
                }
                scratch.putInt(0, -1);
                r = sys.ioctl(fds[0], FIONREAD, address);
                if (r != 0 || scratch.getInt(0) != 0) {
                    throw new IllegalStateException("ioctl(FIONREAD) probe failed: " + r + ", count " + scratch.getInt(0));
                }
                r = sys.fstat(-1, address);
                if (r != -Errno.EBADF && r != -Errno.ENOSYS) {
                    throw failed("fstat probe", r);
                }
                String text = sys.strerror(Errno.EBADF);
                if (text == null || text.isEmpty()) {
                    throw new IllegalStateException("strerror probe: no text for EBADF");
                }
                r = sys.copyFileRange(-1, null, -1, null, 1, 0);
                if (r != -Errno.EBADF && r != -Errno.ENOSYS) {
                    throw failed("copy_file_range probe", r);
                }
                return new Probed(Errno.action(Errno.Syscall.COPY_FILE_RANGE, (int) -r, true) != Errno.Action.FALLBACK_ENGINE,
                        probeEpoll(sys, fds[1], scratch, address));
            } finally {
                sys.close(fds[0]);
                sys.close(fds[1]);
            }
        }

        /**
         * Watches an empty pipe's write end (so writable) with a new epoll instance and reads
         * the event back, which also checks the {@code struct epoll_event} layout.
         *
         * @return null, or why epoll cannot be used (the rest of the binding still can)
         */
        private static Throwable probeEpoll(Syscalls sys, int writable, ByteBuffer ev, long address) {
            int ep = sys.epollCreate1(O_CLOEXEC);
            if (ep < 0) {
                return new IllegalStateException("epoll_create1 probe failed: errno " + -ep);
            }
            try {
                long marker = 0x0123_4567_89AB_CDEFL;
                ev.putInt(0, EPOLLOUT).putLong(EPOLL_DATA_OFFSET, marker);
                int r = sys.epollCtl(ep, EPOLL_CTL_ADD, writable, address);
                if (r != 0) {
                    return new IllegalStateException("epoll_ctl probe failed: errno " + -r);
                }
                ev.putInt(0, 0).putLong(EPOLL_DATA_OFFSET, 0);
                r = sys.epollWait(ep, address, 1, 0);
                if (r != 1 || ev.getInt(0) != EPOLLOUT || ev.getLong(EPOLL_DATA_OFFSET) != marker) {
                    return new IllegalStateException("epoll_wait probe: expected 1 event EPOLLOUT with data " + marker
                            + ", got " + r + " events " + ev.getInt(0) + " data " + ev.getLong(EPOLL_DATA_OFFSET));
                }
                r = sys.epollCtl(ep, EPOLL_CTL_DEL, writable, 0);
                if (r != 0) {
                    return new IllegalStateException("epoll_ctl(DEL) probe failed: errno " + -r);
                }
                return null;
            } finally {
                sys.close(ep);
            }
        }
    }
}

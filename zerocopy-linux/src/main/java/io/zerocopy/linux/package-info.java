/**
 * Linux strategies for zerocopy: {@code reflink} (extent sharing, {@code FICLONERANGE}) for
 * file to file, {@code splice} through pooled pipes and {@code copy_file_range}, the broadcast
 * strategy {@code tee}, bound with jnr-ffi. Adding the
 * jar to the class path is enough: {@link io.zerocopy.linux.LinuxStrategyProvider} registers
 * them with every engine. The memory-send strategy {@code vmsplice} is opt-in
 * ({@link io.zerocopy.linux.Linux#vmsplice(boolean)}).
 *
 * <p>Design. {@code Syscalls} is the one binding interface the strategies call (results or
 * {@code -errno}, native memory as addresses); {@code Native}, its jnr-ffi implementation, is
 * the only class that touches jnr-ffi, and tests wrap it to inject faults. {@code Errno} is the
 * only place where an errno gets a meaning: retry, wait, fall back for this transfer or for the
 * engine, or throw a {@link io.zerocopy.linux.NativeIOException}. {@code NativeSession} holds
 * what every native transfer needs, once: duplicated descriptors (taken while the channel is
 * provably open, so a concurrent close can never make a transfer touch a reused descriptor
 * number, and non-blocking meanwhile), the kernel-facing file positions, the leased pipes and
 * the core's one {@code Waiter}: every system call is non-blocking, and waiting is poll(2) or a
 * back-off in slices, so interrupts and asynchronous closes are honoured as NIO does.
 *
 * <p>No native call blocks a virtual thread's carrier. A platform thread waits in poll(2); a
 * virtual thread ({@code Readiness}) polls without waiting, then registers its descriptors with
 * the one {@code EpollPoller} (an epoll instance and a platform thread in {@code epoll_wait})
 * and parks until that thread unparks it, as the JDK's own poller does. A session removes what
 * it registered from epoll before it closes its descriptors: a closed duplicate stays
 * registered while the channel keeps the file open.
 *
 * <p>io_uring (JDK 22+, {@code java.lang.foreign} only): {@code IoUring} is one ring, whose
 * shared memory is read and written through {@code NativeMemory} with the kernel's acquire and
 * release rules; {@code IoUringProbe} decides once whether io_uring serves; the opt-in
 * {@code sendZc} ({@link io.zerocopy.linux.Linux#sendZc()}) leases a ring from a
 * {@code RingPool} per send and waits for its completions on the ring's descriptor through the
 * session as above. One exception to the rule above: after a failure with a zerocopy send in
 * flight, it waits for the cancelled send and its notifications in {@code io_uring_enter}, at
 * most 2 s in 100 ms slices, which holds a virtual thread's carrier meanwhile.
 *
 * <p>Invariant: a strategy reports bytes with {@code Transfer.advance} only once they reached
 * the target; at most one pipe-full is in flight (per target, for {@code tee}), and a pipe
 * returns to its pool only empty. A buffer handed to vmsplice
 * may be reused when {@code send} returns only in safe mode; see {@code VmspliceStrategy}.
 */
package io.zerocopy.linux;

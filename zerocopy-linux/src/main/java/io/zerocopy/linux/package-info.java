/**
 * Linux strategies for zerocopy: {@code splice} through pooled pipes and
 * {@code copy_file_range}, the broadcast strategy {@code tee}, bound with jnr-ffi. Adding the
 * jar to the class path is enough: {@link io.zerocopy.linux.LinuxStrategyProvider} registers
 * them with every engine. The memory-send strategy {@code vmsplice} is opt-in
 * ({@link io.zerocopy.linux.Linux#vmsplice(boolean)}).
 *
 * <p>Design. {@code Native} is the only class that touches jnr-ffi; {@code Errors} the only
 * place where errno values get a meaning (retry, wait with poll(2), fall back, or throw a
 * {@link io.zerocopy.linux.NativeIOException}). Descriptors of JDK channels are read with
 * {@code sun.misc.Unsafe} and always used through a duplicate taken while the channel is
 * provably open, so a concurrent close can never make a transfer touch a reused descriptor
 * number. Every system call is non-blocking; waiting is poll(2) with a bounded timeout, so
 * interrupts and asynchronous closes are noticed within 100 ms and honoured as NIO does.
 *
 * <p>Invariant: a strategy reports bytes with {@code Transfer.advance} only once they reached
 * the target; at most one pipe-full is in flight (per target, for {@code tee}), and a pipe
 * returns to its {@link io.zerocopy.linux.PipePool} only empty. A buffer handed to vmsplice
 * may be reused when {@code send} returns only in safe mode; see {@code VmspliceStrategy}.
 */
package io.zerocopy.linux;

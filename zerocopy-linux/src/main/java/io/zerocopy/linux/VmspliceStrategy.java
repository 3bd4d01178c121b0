package io.zerocopy.linux;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;
import jnr.ffi.Pointer;

/**
 * {@code vmsplice}: a memory send ({@link io.zerocopy.TransferEngine#send}) of direct buffers
 * without copying them: vmsplice(2) maps the caller's pages into a pooled pipe, and splice(2)
 * moves them on to the target. At most one pipe-full is in flight; each buffer's position
 * advances only by bytes that reached the target.
 *
 * <p><b>When the caller may reuse its buffers.</b> After vmsplice and splice the kernel may
 * still read the caller's pages: a TCP socket keeps them until the peer acknowledges the bytes
 * and, on this host (loopback or a local address), the receiving socket's queue shares them
 * until the receiver reads; a pipe keeps them until its reader consumes them, and a reader that
 * splices them on keeps them longer. {@code send} promises that the buffers may be reused on
 * return, so the default (safe) mode serves only targets where that can be ensured:
 * <ul>
 *   <li>a file: splice copies the bytes into the page cache before it returns;</li>
 *   <li>a TCP socket to a peer on another host: before returning (or falling back, or throwing
 *       after bytes moved) the strategy waits until {@code SIOCOUTQ} reports nothing
 *       unacknowledged, with poll-free back-off (50 µs doubling to 10 ms, never spinning).</li>
 * </ul>
 * Every other target (a pipe, a socket to a local peer, a UNIX socket) falls back to the
 * gathering write before any byte moves. {@link Linux#vmsplice(boolean) vmsplice(true)}
 * (unsafe reuse) serves them all and returns as soon as the bytes are in the target: the
 * caller must then not modify the buffers until the receiver has consumed the bytes.
 * {@code VmspliceReuseTest} shows what a receiver sees otherwise on this kernel.
 *
 * <p>Falls back ({@link Outcome#unsupported}) before sending anything: heap buffers, a target
 * without a readable descriptor, a file opened with {@code APPEND}, no pooled pipe, a target
 * not safe (above), and the errno values {@link Errors} maps to "this path cannot serve".
 * If the target refuses with bytes mapped into the pipe, the pipe is discarded: their buffer
 * positions were not advanced, so the next strategy sends them. Thread-safe; the per-chunk
 * path allocates nothing.
 */
final class VmspliceStrategy implements TransferStrategy {

    static final String NAME = "vmsplice";
    /** iovec entries per vmsplice call. */
    static final int IOV_ENTRIES = 64;
    private static final int IOVEC = 16;
    private static final int FLAGS = Native.SPLICE_F_MOVE | Native.SPLICE_F_NONBLOCK;
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Decides whether a TCP peer's address is on this host. */
    interface HostCheck {
        /** @return true if {@code peer} is an address of this host */
        boolean onThisHost(InetAddress peer) throws IOException;
    }

    private final PipePool pool;
    private final boolean unsafeReuse;
    private final HostCheck hosts;

    VmspliceStrategy(PipePool pool, boolean unsafeReuse) {
        this(pool, unsafeReuse, VmspliceStrategy::isThisHost);
    }

    /** @param hosts tests substitute it to take the remote-peer path over loopback */
    VmspliceStrategy(PipePool pool, boolean unsafeReuse, HostCheck hosts) {
        this.pool = pool;
        this.unsafeReuse = unsafeReuse;
        this.hosts = hosts;
    }

    private static boolean isThisHost(InetAddress a) throws IOException {
        return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return source == ChannelKind.MEMORY
                && (target == ChannelKind.FILE || target == ChannelKind.SOCKET || target == ChannelKind.PIPE);
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        Outcome unavailable = Endpoints.unavailable();
        if (unavailable != null) {
            return unavailable;
        }
        for (ByteBuffer b : t.sourceBuffers()) {
            if (b.hasRemaining() && (!b.isDirect() || ChannelDescriptors.address(b) == 0)) {
                return Outcome.unsupported(Outcome.Scope.TRANSFER, "heap buffer: the gathering write serves it");
            }
        }
        if (!ChannelDescriptors.readable(t.target().getClass())) {
            return Endpoints.noDescriptor(t.target());
        }
        String unsafeTarget = unsafeReuse ? null : unsafeTarget(t);
        if (unsafeTarget != null) {
            return Outcome.unsupported(Outcome.Scope.TRANSFER, unsafeTarget + ": buffers could not be reused on return");
        }
        return new Run(t).execute();
    }

    /** @return why the caller's pages may outlive the call at this target, or null if they cannot */
    private String unsafeTarget(Transfer t) throws IOException {
        switch (t.targetKind()) {
            case FILE:
                return null;
            case SOCKET:
                SocketAddress peer = ((SocketChannel) t.target()).getRemoteAddress();
                if (!(peer instanceof InetSocketAddress) || ((InetSocketAddress) peer).getAddress() == null) {
                    return "socket peer " + peer + " is not a TCP address";
                }
                InetAddress a = ((InetSocketAddress) peer).getAddress();
                if (hosts.onThisHost(a)) {
                    return "socket peer " + a + " is on this host (its receive queue shares the pages)";
                }
                return null;
            default:
                return "a pipe (its reader holds or splices on the pages)";
        }
    }

    @Override
    public String toString() {
        return NAME + "(" + (unsafeReuse ? "unsafeReuse, " : "") + pool + ")";
    }

    /** One send: the target descriptor, the leased pipe, the buffer reached, bytes in the pipe. */
    private final class Run {

        private final Transfer t;
        private final ByteBuffer[] buffers;
        private final boolean fileTarget;
        private final boolean awaitAcks;
        private int dst = -1;
        private PooledPipe pipe;
        private Pointer iov;
        private Pointer dstOff;
        /** First buffer with bytes not yet delivered. */
        private int current;
        private long inPipe;

        Run(Transfer t) {
            this.t = t;
            this.buffers = t.sourceBuffers();
            this.fileTarget = t.targetKind() == ChannelKind.FILE;
            this.awaitAcks = !unsafeReuse && t.targetKind() == ChannelKind.SOCKET;
        }

        Outcome execute() throws IOException {
            Throwable failure = null;
            try {
                dst = Endpoints.open(t.target());
                if (dst < 0) {
                    return Endpoints.noDescriptor(t.target());
                }
                if (fileTarget && Endpoints.isAppend(dst)) {
                    return Outcome.unsupported(Outcome.Scope.TRANSFER, "target file opened with APPEND");
                }
                pipe = pool.acquire();
                if (pipe == null) {
                    return Outcome.unsupported(Outcome.Scope.TRANSFER, "pipe pool exhausted or closed: " + pool);
                }
                if (fileTarget) {
                    long at = Endpoints.targetPosition(t.targetFile());
                    if (at < 0) {
                        return Outcome.unsupported(Outcome.Scope.TRANSFER, "target file has no position (not seekable)");
                    }
                    dstOff = pipe.scratch.slice(PooledPipe.TARGET_OFFSET);
                    dstOff.putLong(0, at);
                }
                iov = Native.runtime().getMemoryManager().allocateDirect((long) IOVEC * IOV_ENTRIES);
                return send();
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
                throw e;
            } finally {
                finish(failure);
            }
        }

        private Outcome send() throws IOException {
            Native.LibC c = Native.libc();
            Pointer pollfd = pipe.scratch.slice(PooledPipe.POLLFD);
            boolean first = true;
            int spins = 0;
            while (t.remaining() > 0) {
                Endpoints.checkLive(t);
                int segments = fill();
                long n = c.vmsplice(pipe.writeFd, iov, segments, Native.SPLICE_F_NONBLOCK);
                if (n <= 0) {
                    int errno = n == 0 ? Native.EIO : Native.errno();
                    switch (Errors.classify(Errors.VMSPLICE, errno, first)) {
                        case RETRY:
                            continue;
                        case FALLBACK:
                            return Errors.unsupported(Errors.VMSPLICE, errno);
                        default:
                            throw Errors.exception(Errors.VMSPLICE, errno); // EAGAIN too: the pipe is empty
                    }
                }
                inPipe = n;
                spins = 0;
                while (inPipe > 0) {
                    long m = c.splice(pipe.readFd, null, dst, dstOff, inPipe, FLAGS);
                    if (m > 0) {
                        inPipe -= m;
                        delivered(m);
                        first = false;
                        spins = 0;
                        continue;
                    }
                    int errno = m == 0 ? Native.EINVAL : Native.errno();
                    switch (Errors.classify(Errors.SPLICE, errno, first)) {
                        case RETRY:
                            break;
                        case WAIT:
                            Endpoints.await(pollfd, dst, Native.POLLOUT, spins++, t);
                            break;
                        case FALLBACK:
                            // The pipe is discarded; those bytes' buffer positions were not advanced.
                            return Errors.unsupported(Errors.SPLICE, errno);
                        default:
                            throw Errors.exception(Errors.SPLICE, errno);
                    }
                }
            }
            return Outcome.COMPLETE;
        }

        /** Writes iovecs for the undelivered bytes, at most a pipe-full; @return the entries written. */
        private int fill() {
            long room = pipe.size;
            int k = 0;
            for (int i = current; i < buffers.length && k < IOV_ENTRIES && room > 0; i++) {
                ByteBuffer b = buffers[i];
                long len = Math.min(b.remaining(), room);
                if (len == 0) {
                    continue;
                }
                iov.putLong((long) IOVEC * k, ChannelDescriptors.address(b) + b.position());
                iov.putLong((long) IOVEC * k + 8, len);
                room -= len;
                k++;
            }
            return k;
        }

        /** Advances the buffers' positions and the transfer by bytes that reached the target. */
        private void delivered(long bytes) {
            long left = bytes;
            while (left > 0) {
                ByteBuffer b = buffers[current];
                int take = (int) Math.min(left, b.remaining());
                b.position(b.position() + take);
                left -= take;
                if (!b.hasRemaining()) {
                    current++;
                }
            }
            while (current < buffers.length && !buffers[current].hasRemaining()) {
                current++;
            }
            t.advance(bytes);
        }

        /**
         * Safe mode, socket target: waits until the peer has acknowledged every byte, so that no
         * kernel reference to the caller's pages remains (a peer on another host has copied them).
         */
        private void awaitAcknowledged(Throwable failure) throws IOException {
            Native.LibC c = Native.libc();
            Pointer out = pipe.scratch.slice(PooledPipe.SOURCE_OFFSET);
            long park = TimeUnit.MICROSECONDS.toNanos(50);
            while (true) {
                if (c.ioctl(dst, Native.SIOCOUTQ, out) != 0) {
                    NativeIOException e = Errors.exception("ioctl(SIOCOUTQ)", Native.errno());
                    if (failure == null) {
                        throw e;
                    }
                    failure.addSuppressed(e);
                    return;
                }
                if (out.getInt(0) == 0 || !t.target().isOpen()) {
                    return;
                }
                if (failure == null) {
                    Endpoints.checkLive(t);
                } else if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                LockSupport.parkNanos(park);
                park = Math.min(park * 2, MAX_BACKOFF_NANOS);
            }
        }

        private void finish(Throwable failure) throws IOException {
            try {
                if (awaitAcks && pipe != null && t.delivered() > 0 && dst >= 0) {
                    awaitAcknowledged(failure);
                }
                if (dstOff != null) {
                    Endpoints.restorePosition(t.target(), dstOff.getLong(0), failure);
                }
            } finally {
                if (pipe != null) {
                    if (inPipe == 0) {
                        pool.release(pipe);
                    } else {
                        pool.discard(pipe);
                    }
                }
                Endpoints.release(t.target(), dst, failure);
            }
        }
    }
}

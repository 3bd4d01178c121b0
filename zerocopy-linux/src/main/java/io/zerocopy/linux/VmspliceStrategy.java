package io.zerocopy.linux;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongConsumer;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

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
 *   <li>a TCP socket to a peer on another host, sent through a physical interface: before
 *       returning (or falling back, or throwing after bytes moved) the strategy waits until
 *       {@code SIOCOUTQ} reports nothing unacknowledged, with the waiter's back-off (parking,
 *       never spinning).</li>
 * </ul>
 * Every other target falls back to the gathering write before any byte moves: a pipe, a UNIX
 * socket, a socket to a peer on this host, and a socket whose local address is on a virtual
 * interface (no {@code /sys/class/net/<name>/device}: veth, a bridge, tun, loopback), since a
 * peer behind it may be in another network namespace of this host, whose receive queue then
 * holds the caller's pages after it has acknowledged them (seen over a veth pair: the receiver
 * read the overwritten bytes). {@link Linux#vmsplice(boolean) vmsplice(true)}
 * (unsafe reuse) serves them all and returns as soon as the bytes are in the target: the
 * caller must then not modify the buffers until the receiver has consumed the bytes; it says so
 * through {@link #readsBuffersAfterReturn()}, so that the engine keeps it out of sends whose
 * caller cannot wait (a {@code BufferCoalescer}'s). {@code VmspliceReuseTest} shows what a
 * receiver sees otherwise on this kernel.
 *
 * <p>Falls back ({@link Outcome#unsupported}) before sending anything: heap buffers, a target
 * without a readable descriptor, a file opened with {@code APPEND}, no pooled pipe, a target
 * not safe (above), and the errno values {@link Errno} maps to a fallback.
 * If the target refuses with bytes mapped into the pipe, the pipe is discarded: their buffer
 * positions were not advanced, so the next strategy sends them. Thread-safe; the per-chunk
 * path allocates nothing.
 */
final class VmspliceStrategy implements TransferStrategy {

    static final String NAME = "vmsplice";
    /** iovec entries per vmsplice call. */
    static final int IOV_ENTRIES = 64;
    private static final int IOVEC = 16;

    /** Decides whether a TCP peer may hold the sent pages in its receive queue once it has acknowledged them. */
    interface HostCheck {
        /**
         * @param local the socket's local address
         * @param peer the peer's address
         * @return true if the peer is on this host, or may be (the local interface is virtual)
         */
        boolean mayShareReceivedPages(InetAddress local, InetAddress peer) throws IOException;
    }

    private final PipePool pool;
    private final boolean unsafeReuse;
    private final HostCheck hosts;
    private final Syscalls sys;

    VmspliceStrategy(PipePool pool, boolean unsafeReuse, Syscalls sys) {
        this(pool, unsafeReuse, VmspliceStrategy::mayShare, sys);
    }

    /** @param hosts tests substitute it to take the remote-peer path over loopback */
    VmspliceStrategy(PipePool pool, boolean unsafeReuse, HostCheck hosts, Syscalls sys) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.unsafeReuse = unsafeReuse;
        this.hosts = Objects.requireNonNull(hosts, "hosts");
        this.sys = Objects.requireNonNull(sys, "sys");
    }

    static boolean mayShare(InetAddress local, InetAddress peer) throws IOException {
        if (peer.isLoopbackAddress() || peer.isAnyLocalAddress() || ADDRESSES.check(peer, true)) {
            return true;
        }
        return local == null || ADDRESSES.check(local, false);
    }

    /** How long an answer about an address is kept: interfaces and their addresses change rarely. */
    private static final long ADDRESS_TTL_NANOS = 1_000_000_000L;
    private static final AddressAnswers ADDRESSES = new AddressAnswers();

    /**
     * Answers about addresses, each kept for {@link #ADDRESS_TTL_NANOS}: whether a peer address
     * is one of this host's, and whether a local address is on a virtual interface (a
     * {@link NetworkInterface} lookup costs tens of microseconds, every send would pay it).
     */
    private static final class AddressAnswers {
        private final java.util.concurrent.ConcurrentHashMap<String, long[]> answers = new java.util.concurrent.ConcurrentHashMap<>();

        /**
         * @param peer true: is {@code a} an address of this host; false: is the local address
         *     {@code a} on a virtual interface (or on none)
         */
        boolean check(InetAddress a, boolean peer) throws IOException {
            String key = (peer ? "p" : "l") + a.getHostAddress();
            long now = System.nanoTime();
            long[] known = answers.get(key);
            if (known != null && now - known[0] < ADDRESS_TTL_NANOS) {
                return known[1] != 0;
            }
            NetworkInterface n = NetworkInterface.getByInetAddress(a);
            boolean answer = peer ? n != null : n == null || !Files.exists(Path.of("/sys/class/net", n.getName(), "device"));
            if (answers.size() > 4096) {
                answers.clear();
            }
            answers.put(key, new long[] {now, answer ? 1 : 0});
            return answer;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @return true with unsafe reuse: the kernel may read the caller's pages after the send returns */
    @Override
    public boolean readsBuffersAfterReturn() {
        return unsafeReuse;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return source == ChannelKind.MEMORY
                && (target == ChannelKind.FILE || target == ChannelKind.SOCKET || target == ChannelKind.PIPE);
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        for (ByteBuffer b : t.sourceBuffers()) {
            if (b.hasRemaining() && (!b.isDirect() || ChannelDescriptors.address(b) == 0)) {
                return Outcome.unsupported(Outcome.Scope.TRANSFER, "heap buffer: the gathering write serves it");
            }
        }
        if (!ChannelDescriptors.readable(t.target().getClass())) {
            return Outcome.unsupported(Outcome.Scope.TRANSFER, "no descriptor for " + t.target().getClass().getName());
        }
        String unsafeTarget = unsafeReuse ? null : unsafeTarget(t);
        if (unsafeTarget != null) {
            return Outcome.unsupported(Outcome.Scope.TRANSFER, unsafeTarget + ": buffers could not be reused on return");
        }
        try (NativeSession s = NativeSession.of(sys, t)) {
            Outcome refused = s.open(pool, 1);
            if (refused != null) {
                return refused;
            }
            Outcome outcome;
            try {
                outcome = new Send(t, s).run();
            } catch (IOException | RuntimeException | Error e) {
                if (awaitsAcks(t)) {
                    try {
                        awaitAcknowledged(t, s);
                    } catch (IOException | RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
            if (awaitsAcks(t)) {
                awaitAcknowledged(t, s);
            }
            return outcome;
        }
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
                SocketAddress local = ((SocketChannel) t.target()).getLocalAddress();
                InetAddress l = local instanceof InetSocketAddress ? ((InetSocketAddress) local).getAddress() : null;
                if (hosts.mayShareReceivedPages(l, a)) {
                    return "socket peer " + a + " is or may be on this host (local " + l
                            + " on this host or on a virtual interface): its receive queue would share the pages";
                }
                return null;
            default:
                return "a pipe (its reader holds or splices on the pages)";
        }
    }

    /** @return true in safe mode to a socket once bytes moved: the pages may still be referenced */
    private boolean awaitsAcks(Transfer t) {
        return !unsafeReuse && t.targetKind() == ChannelKind.SOCKET && t.delivered() > 0;
    }

    /**
     * Safe mode, socket target: waits until the peer has acknowledged every byte, so that no
     * kernel reference to the caller's pages remains (a peer on another host has copied them).
     * Ends early if the target was closed.
     */
    private static void awaitAcknowledged(Transfer t, NativeSession s) throws IOException {
        s.progressed();
        int unacknowledged;
        while ((unacknowledged = s.ioctl(s.targetFd(0), Native.SIOCOUTQ)) != 0 && t.target().isOpen()) {
            try {
                s.backOff();
            } catch (InterruptedByTimeoutException e) {
                throw new PagesStillReferenced(unacknowledged);
            }
        }
    }

    /**
     * The idle timeout ended the acknowledgement wait: the send returns its buffers while the
     * kernel may still read them. The message says so, for the caller who sees it as the cause
     * of a {@code TransferTimeoutException}.
     */
    static final class PagesStillReferenced extends InterruptedByTimeoutException {

        private static final long serialVersionUID = 1L;

        /** @serial bytes the peer had not acknowledged */
        private final int unacknowledged;

        PagesStillReferenced(int unacknowledged) {
            this.unacknowledged = unacknowledged;
        }

        @Override
        public String getMessage() {
            return unacknowledged + " bytes sent but not acknowledged by the peer: the kernel may still read the"
                    + " caller's buffers, do not reuse them";
        }
    }

    @Override
    public String toString() {
        return NAME + "(" + (unsafeReuse ? "unsafeReuse, " : "") + pool + ")";
    }

    /** One send: the buffer reached and the iovec memory. */
    private final class Send {

        private final Transfer t;
        private final NativeSession s;
        private final ByteBuffer[] buffers;
        /** Native address of each buffer's element 0, read once per send (the foreign binding's read allocates). */
        private final long[] addresses;
        private final ByteBuffer iov = ChannelDescriptors.scratch(IOVEC * IOV_ENTRIES);
        private final long iovAddress = ChannelDescriptors.address(iov);
        /** First buffer with bytes not yet delivered. */
        private int current;

        Send(Transfer t, NativeSession s) {
            this.t = t;
            this.s = s;
            this.buffers = t.sourceBuffers();
            this.addresses = new long[buffers.length];
            for (int i = 0; i < buffers.length; i++) {
                addresses[i] = buffers[i].isDirect() ? ChannelDescriptors.address(buffers[i]) : 0;
            }
        }

        Outcome run() throws IOException {
            PooledPipe pipe = s.pipe(0);
            LongConsumer delivered = this::delivered;
            boolean first = true;
            while (t.remaining() > 0) {
                s.checkLive();
                long n = sys.vmsplice(pipe.writeFd, iovAddress, fill(pipe.size), Native.SPLICE_F_NONBLOCK);
                if (n <= 0) {
                    int errno = n == 0 ? Errno.EIO : (int) -n;
                    Errno.Action action = Errno.action(Errno.Syscall.VMSPLICE, errno, first);
                    if (action == Errno.Action.RETRY) {
                        continue;
                    }
                    if (action.isFallback()) {
                        return Errno.unsupported(Errno.Syscall.VMSPLICE, errno);
                    }
                    throw Errno.exception(Errno.Syscall.VMSPLICE, errno);
                }
                s.filled(0, n);
                s.progressed();
                Outcome refused = s.drain(delivered);
                if (refused != null) {
                    return refused; // the session discards the pipe; those bytes' buffers were not advanced
                }
                first = false;
            }
            return Outcome.COMPLETE;
        }

        /** Writes iovecs for the undelivered bytes, at most a pipe-full; @return the entries written. */
        private int fill(long room) {
            int k = 0;
            for (int i = current; i < buffers.length && k < IOV_ENTRIES && room > 0; i++) {
                ByteBuffer b = buffers[i];
                long len = Math.min(b.remaining(), room);
                if (len == 0) {
                    continue;
                }
                iov.putLong(IOVEC * k, addresses[i] + b.position());
                iov.putLong(IOVEC * k + 8, len);
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
    }
}

package io.zerocopy.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/**
 * {@code sendZc}: a memory send ({@link io.zerocopy.TransferEngine#send}) of direct buffers to
 * a TCP socket with io_uring's {@code IORING_OP_SEND_ZC} (JDK 22+, kernel 6.0+; see
 * {@link Linux#ioUringAvailable()}). The kernel sends from the caller's pages without copying
 * them into the socket, and says with a notification when it no longer reads them.
 *
 * <p><b>When the caller may reuse its buffers: on return</b>, always
 * ({@link #readsBuffersAfterReturn()} is false). The strategy returns (or falls back, or
 * throws after bytes moved) only after the notification of every send it made, whatever the
 * peer: on this host, in another network namespace, or on another host. Over loopback and veth
 * the kernel copies the pages when it delivers them to the local receiver, so the notification
 * comes when the bytes reach the receiving socket; to another host, when the peer has
 * acknowledged them.
 *
 * <p>How: one SEND_ZC per buffer (at most {@value #MAX_SQE_BYTES} bytes each, the SQE length
 * being 32 bits) with {@code MSG_WAITALL}, one in flight at a time so that the bytes stay in
 * order; its first completion gives the bytes sent (exact, also after a cancel), by which the
 * buffer's position and the transfer advance. The ring is leased from a {@link RingPool} for the
 * call; the target descriptor is duplicated by a {@link NativeSession}, and every wait (for a
 * completion, which makes the ring's descriptor readable) goes through the session's
 * {@link io.zerocopy.internal.Waiter}: interrupt, close by another thread and the idle timeout
 * end it within 100 ms, and a virtual thread waits on the shared epoll poller without holding
 * its carrier.
 *
 * <p>On such an end, or any failure while a send is in flight: an {@code ASYNC_CANCEL}, then the
 * send's result (the bytes sent before the cancel) is counted, then, after the session has
 * released its duplicate descriptor, the strategy waits up to {@value #GRACE_MILLIS} ms for the
 * notifications. If they do not come (a peer that reads nothing keeps the pages in the send
 * queue), the ring is closed instead of pooled, and the exception says the kernel may still
 * read the buffers: an idle timeout is then a {@link BuffersStillReferenced}. These last waits
 * block the thread in io_uring_enter (a virtual thread's carrier too), in 100 ms slices.
 *
 * <p>Falls back ({@link Outcome#unsupported}) before sending anything: heap buffers, a target
 * without a readable descriptor, no idle ring in the pool or none that can be set up now, and the completion errors
 * {@link Errno} maps to a fallback (a socket that cannot send zerocopy). Not in the default
 * order of {@link LinuxStrategyProvider}: over loopback and veth it is not faster than the
 * gathering write (docs/linux.md, "io_uring (JDK 22+)"). Thread-safe.
 */
final class SendZcStrategy implements TransferStrategy {

    static final String NAME = "sendZc";
    /** Largest SEND_ZC: its SQE length is a u32; 1 GiB keeps it a positive int. */
    static final int MAX_SQE_BYTES = 1 << 30;
    /** Sends whose notification has not come, at most: their completions and the cancel's fit the CQ. */
    static final int MAX_UNNOTIFIED = RingPool.ENTRIES;
    /** After a failure: the longest wait for a cancelled send's result, then for the notifications. */
    static final int GRACE_MILLIS = 2000;
    private static final long CANCEL = -1L;

    private final RingPool rings;
    private final Syscalls sys;

    SendZcStrategy(RingPool rings, Syscalls sys) {
        this.rings = Objects.requireNonNull(rings, "rings");
        this.sys = Objects.requireNonNull(sys, "sys");
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @return false: the strategy returns only after the kernel's notification that it no longer reads the buffers */
    @Override
    public boolean readsBuffersAfterReturn() {
        return false;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return source == ChannelKind.MEMORY && target == ChannelKind.SOCKET;
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
        IoUring ring;
        try {
            ring = rings.acquire();
        } catch (NativeIOException e) {
            return Outcome.unsupported(Outcome.Scope.TRANSFER, "no io_uring now: " + e.getMessage());
        }
        if (ring == null) {
            return Outcome.unsupported(Outcome.Scope.TRANSFER, "no idle io_uring: " + rings);
        }
        Send send = new Send(t, ring);
        try {
            try (NativeSession s = NativeSession.of(sys, t)) {
                Outcome refused = s.open(null, 0);
                if (refused != null) {
                    return refused;
                }
                Outcome outcome = send.run(s);
                send.await(s, () -> send.unnotified == 0);
                return outcome;
            }
        } catch (IOException | RuntimeException | Error e) {
            Throwable thrown = send.settle(e);
            if (thrown instanceof IOException) {
                throw (IOException) thrown;
            }
            if (thrown instanceof RuntimeException) {
                throw (RuntimeException) thrown;
            }
            throw (Error) thrown;
        } finally {
            if (send.quiet()) {
                rings.release(ring);
            } else {
                rings.discard(ring);
            }
        }
    }

    /**
     * The idle timeout ended the send while the kernel may still read the caller's buffers (no
     * notification came within the grace period). The message says so, for the caller who
     * sees it as the cause of a {@code TransferTimeoutException}.
     */
    static final class BuffersStillReferenced extends InterruptedByTimeoutException {

        private static final long serialVersionUID = 1L;

        /** @serial sends without their notification */
        private final int unnotified;

        BuffersStillReferenced(int unnotified) {
            this.unnotified = unnotified;
        }

        @Override
        public String getMessage() {
            return unnotified + " zerocopy send(s) not yet released by the kernel: it may still read the caller's"
                    + " buffers, do not reuse them";
        }
    }

    @Override
    public String toString() {
        return NAME + "(" + rings + ")";
    }

    /** One send on a leased ring; the completions of its operations. */
    private static final class Send implements IoUring.Completion {

        private final Transfer t;
        private final IoUring ring;
        private final ByteBuffer[] buffers;
        /** Native address of each buffer's element 0. */
        private final long[] addresses;
        /** user_data of the last send submitted (1, 2, ...); {@link #CANCEL} is the cancel's. */
        private long sequence;
        private boolean inFlight;
        private boolean resultSeen;
        private int result;
        private int unnotified;
        /** A send's result or a cancel's completion is still to come. */
        private boolean unsettled;

        Send(Transfer t, IoUring ring) {
            this.t = t;
            this.ring = ring;
            this.buffers = t.sourceBuffers();
            this.addresses = new long[buffers.length];
            for (int i = 0; i < buffers.length; i++) {
                addresses[i] = buffers[i].isDirect() ? ChannelDescriptors.address(buffers[i]) : 0;
            }
        }

        @Override
        public void completed(long userData, int res, int flags) {
            if ((flags & IoUring.CQE_F_NOTIF) != 0) {
                unnotified--;
            } else if (userData == CANCEL) {
                unsettled = false; // the cancel's own result: found, not found or already running
            } else if (userData == sequence) {
                resultSeen = true;
                result = res;
                if ((flags & IoUring.CQE_F_MORE) != 0) {
                    unnotified++; // a notification follows, even after a failure
                }
            }
        }

        Outcome run(NativeSession s) throws IOException {
            int fd = s.targetFd(0);
            for (int i = 0; i < buffers.length; i++) {
                ByteBuffer b = buffers[i];
                while (b.hasRemaining()) {
                    s.checkLive();
                    if (unnotified >= MAX_UNNOTIFIED) {
                        await(s, () -> unnotified < MAX_UNNOTIFIED);
                    }
                    int length = Math.min(b.remaining(), MAX_SQE_BYTES);
                    resultSeen = false;
                    boolean prepared = ring.sendZc(fd, addresses[i] + b.position(), length, ++sequence);
                    assert prepared : "one operation in flight at a time: the SQ has room";
                    inFlight = true;
                    try {
                        ring.submit();
                        await(s, () -> resultSeen);
                    } catch (IOException | RuntimeException | Error e) {
                        cancel(e);
                        throw e;
                    }
                    inFlight = false;
                    int res = result;
                    if (res > 0) {
                        advance(b, res);
                        s.progressed();
                        continue;
                    }
                    int errno = res == 0 ? Errno.EIO : -res;
                    Errno.Action action = Errno.action(Errno.Syscall.SEND_ZC, errno, t.delivered() == 0);
                    if (action == Errno.Action.WAIT) {
                        s.await(fd, Native.POLLOUT);
                    } else if (action.isFallback()) {
                        return Errno.unsupported(Errno.Syscall.SEND_ZC, errno); // nothing of this SQE moved
                    } else if (action != Errno.Action.RETRY) {
                        throw Errno.exception(Errno.Syscall.SEND_ZC, errno);
                    }
                }
            }
            return Outcome.COMPLETE;
        }

        private void advance(ByteBuffer b, int bytes) {
            b.position(b.position() + bytes);
            t.advance(bytes);
        }

        /** Reaps, and waits through the session's waiter for the ring's descriptor, until {@code done}. */
        void await(NativeSession s, BooleanSupplier done) throws IOException {
            ring.reap(this);
            while (!done.getAsBoolean()) {
                if (ring.unsubmitted() > 0 && ring.submit() == 0) {
                    s.backOff(); // the kernel took nothing (no memory for a request now): nothing to wait for yet
                } else {
                    s.await(ring.fd(), Native.POLLIN);
                }
                ring.reap(this);
            }
        }

        /**
         * The wait for the send in flight ended with {@code failure}: cancels it and counts the
         * bytes it sent before the cancel (F4 in docs/linux.md: the result of a cancelled
         * SEND_ZC with {@code MSG_WAITALL} is the bytes sent so far).
         */
        private void cancel(Throwable failure) {
            if (!inFlight) {
                return;
            }
            try {
                unsettled = true;
                if (!resultSeen && ring.cancel(sequence, CANCEL)) {
                    ring.submit();
                } else {
                    unsettled = false;
                }
                long deadline = System.nanoTime() + GRACE_MILLIS * 1_000_000L;
                while ((!resultSeen || unsettled) && System.nanoTime() - deadline < 0) {
                    ring.await(100);
                    ring.reap(this);
                }
            } catch (NativeIOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
            if (!resultSeen) {
                failure.addSuppressed(new IOException("io_uring: no result for the cancelled SEND_ZC within " + GRACE_MILLIS
                        + " ms: the bytes it sent are not counted"));
                return;
            }
            inFlight = false;
            if (result > 0) {
                advance(buffers[current()], result);
            } else if (result < 0 && !Errno.cancelled(-result)) {
                failure.addSuppressed(Errno.exception(Errno.Syscall.SEND_ZC, -result));
            }
        }

        /** @return the buffer the send in flight came from: the first with bytes left */
        private int current() {
            int i = 0;
            while (!buffers[i].hasRemaining()) {
                i++;
            }
            return i;
        }

        /**
         * After a failure, once the session has released its duplicate descriptor (a closed
         * socket then frees what it queued): waits up to the grace period for the notifications.
         *
         * @return the exception to throw: {@code failure}, or a {@link BuffersStillReferenced} for an idle timeout
         *     whose notifications did not come
         */
        Throwable settle(Throwable failure) {
            long deadline = System.nanoTime() + GRACE_MILLIS * 1_000_000L;
            try {
                while ((unnotified > 0 || unsettled) && System.nanoTime() - deadline < 0) {
                    ring.await(100);
                    ring.reap(this);
                }
            } catch (NativeIOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
            if (unnotified == 0) {
                return failure;
            }
            if (failure instanceof InterruptedByTimeoutException) {
                BuffersStillReferenced e = new BuffersStillReferenced(unnotified);
                e.initCause(failure);
                return e;
            }
            failure.addSuppressed(new IOException(new BuffersStillReferenced(unnotified).getMessage()));
            return failure;
        }

        /** @return true if nothing is in flight and every completion was reaped: the ring can be pooled */
        boolean quiet() {
            return !inFlight && !unsettled && unnotified == 0 && ring.unsubmitted() == 0 && ring.ready() == 0;
        }
    }
}

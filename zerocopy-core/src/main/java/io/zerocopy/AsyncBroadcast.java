package io.zerocopy;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An asynchronous broadcast of a file region: one asynchronous transfer of the region per
 * target, each at its own pace (a slow target holds back no other, unlike the lock-step
 * blocking broadcast, which reads each byte once), each ended by the stall timeout when it
 * accepts nothing for that long. Completes its {@link BroadcastFuture} once every target's
 * transfer has stopped. Under all-or-nothing the first failure cancels the others.
 */
final class AsyncBroadcast {

    /** Starts the transfer of the region to one target. */
    @FunctionalInterface
    interface Starter {
        TransferFuture start(WritableByteChannel target) throws IOException;
    }

    private final BroadcastFuture future = new BroadcastFuture();
    private final long regionBytes;
    private final boolean allOrNothing;
    private final TransferFuture[] transfers;
    private final BroadcastResult.Target[] ends;
    private final String[] strategies;
    private final AtomicInteger running;
    /** Index of the first failed target, or -1. */
    private final AtomicInteger firstFailure = new AtomicInteger(-1);

    private AsyncBroadcast(int targets, long regionBytes, boolean allOrNothing) {
        this.regionBytes = regionBytes;
        this.allOrNothing = allOrNothing;
        this.transfers = new TransferFuture[targets];
        this.ends = new BroadcastResult.Target[targets];
        this.strategies = new String[targets];
        this.running = new AtomicInteger(targets);
    }

    /**
     * Starts one transfer per target.
     *
     * @param regionBytes the bytes of the region that exist when the broadcast starts: what each
     *     target must receive for {@link BroadcastResult#allDelivered()}
     * @return the broadcast's future
     * @throws IOException if a target's transfer cannot be started; those already started are
     *     cancelled first
     */
    static BroadcastFuture start(List<? extends WritableByteChannel> targets, long regionBytes, boolean allOrNothing,
            Starter starter) throws IOException {
        AsyncBroadcast b = new AsyncBroadcast(targets.size(), regionBytes, allOrNothing);
        b.future.canceller(b::cancelAll);
        for (int i = 0; i < targets.size(); i++) {
            try {
                b.transfers[i] = starter.start(targets.get(i));
            } catch (IOException | RuntimeException e) {
                for (int j = 0; j < i; j++) {
                    b.transfers[j].cancel(true);
                }
                throw e;
            }
        }
        for (int i = 0; i < targets.size(); i++) {
            int index = i;
            b.transfers[i].stopped().whenComplete((r, e) -> b.ended(index, r, e));
        }
        return b.future;
    }

    private void cancelAll() {
        for (TransferFuture f : transfers) {
            if (f != null) {
                f.cancel(true);
            }
        }
    }

    /** One target's transfer stopped: from a library thread. */
    private void ended(int index, TransferResult result, Throwable failure) {
        if (failure == null) {
            ends[index] = new BroadcastResult.Target(index, result.bytes(), null);
            strategies[index] = result.strategy();
        } else {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            long bytes = cause instanceof TransferException ? ((TransferException) cause).bytesDelivered() : 0;
            ends[index] = new BroadcastResult.Target(index, bytes, cause);
            strategies[index] = cause instanceof TransferException ? ((TransferException) cause).strategy() : null;
            if (firstFailure.compareAndSet(-1, index) && allOrNothing) {
                cancelAll();
            }
        }
        if (running.decrementAndGet() == 0) {
            finish();
        }
    }

    /** Every target's transfer stopped: the ends written by other threads are visible through {@link #running}. */
    private void finish() {
        Set<String> names = new LinkedHashSet<>();
        for (String s : strategies) {
            if (s != null) {
                names.add(s);
            }
        }
        String strategy = names.isEmpty() ? "none" : String.join("+", names);
        List<BroadcastResult.Target> list = new ArrayList<>(ends.length);
        for (int i = 0; i < ends.length; i++) {
            BroadcastResult.Target t = ends[i];
            String own = names.size() > 1 ? strategies[i] : null;
            list.add(new BroadcastResult.Target(i, t.bytes(), t.failure(), own));
        }
        BroadcastResult result = new BroadcastResult(regionBytes, strategy, list);
        int first = firstFailure.get();
        boolean allFailed = list.stream().allMatch(t -> t.failure() != null);
        if (first >= 0 && (allOrNothing || allFailed)) {
            String why = future.isDone() ? "broadcast stopped by its caller"
                    : allOrNothing ? "target #" + first + " failed (all-or-nothing)" : "every target failed";
            future.fail(new BroadcastException(why, result, ends[first].failure()));
        } else {
            future.succeed(result);
        }
    }
}

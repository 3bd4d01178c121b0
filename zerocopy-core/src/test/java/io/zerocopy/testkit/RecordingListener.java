package io.zerocopy.testkit;

import io.zerocopy.TransferException;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records results, failures and fallbacks, for assertions. Thread-safe. */
public final class RecordingListener implements TransferListener {

    /** Completed transfers, in order. */
    public final List<TransferResult> results = new CopyOnWriteArrayList<>();
    /** Failed transfers, in order. */
    public final List<TransferException> failures = new CopyOnWriteArrayList<>();
    /** Fallbacks as "strategy@delivered: reason". */
    public final List<String> fallbacks = new CopyOnWriteArrayList<>();
    /** The names of the threads progress was reported on. */
    public final Set<String> progressThreads = ConcurrentHashMap.newKeySet();
    private volatile long lastProgress = -1;

    @Override
    public void onProgress(String strategy, long delivered) {
        progressThreads.add(Thread.currentThread().getName());
        if (delivered <= lastProgress && lastProgress >= 0 && delivered != 0) {
            throw new AssertionError("progress went backwards: " + lastProgress + " -> " + delivered);
        }
        lastProgress = delivered;
    }

    @Override
    public void onFallback(String strategy, long delivered, String reason) {
        fallbacks.add(strategy + "@" + delivered + ": " + reason);
    }

    @Override
    public void onComplete(TransferResult result) {
        lastProgress = -1;
        results.add(result);
    }

    @Override
    public void onFailure(TransferException failure) {
        lastProgress = -1;
        failures.add(failure);
    }

    /** @return the last completed result */
    public TransferResult last() {
        if (results.isEmpty()) {
            throw new AssertionError("no transfer completed; failures: " + failures);
        }
        return results.get(results.size() - 1);
    }
}

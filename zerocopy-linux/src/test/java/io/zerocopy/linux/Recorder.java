package io.zerocopy.linux;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.zerocopy.TransferException;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;

/** Records completed and failed transfers. */
final class Recorder implements TransferListener {

    final List<TransferResult> results = new CopyOnWriteArrayList<>();
    final List<TransferException> failures = new CopyOnWriteArrayList<>();

    @Override
    public void onComplete(TransferResult result) {
        results.add(result);
    }

    @Override
    public void onFailure(TransferException failure) {
        failures.add(failure);
    }

    TransferResult last() {
        if (results.isEmpty()) {
            throw new AssertionError("no transfer completed; failures " + failures);
        }
        return results.get(results.size() - 1);
    }
}

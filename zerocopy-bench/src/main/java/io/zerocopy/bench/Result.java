package io.zerocopy.bench;

import java.util.ArrayList;
import java.util.List;

/** A row's samples and status in one run. */
final class Result {

    static final String OK = "ok";
    static final String SKIPPED = "skipped";
    static final String FAILED = "failed";

    final Row row;
    final List<Sample> samples = new ArrayList<>();
    String status = OK;
    String note = "";
    Stats stats;
    /** Measured runs that failed; a row is dropped after {@link #MAX_FAILURES}. */
    int failures;
    static final int MAX_FAILURES = 2;

    Result(Row row) {
        this.row = row;
    }

    boolean active() {
        return status.equals(OK);
    }

    void skip(String why) {
        status = SKIPPED;
        note = why;
    }

    void fail(Throwable t) {
        status = FAILED;
        note = String.valueOf(t);
    }

    /** @return true if the row may go on after this failed run */
    boolean failedRun(Throwable t) {
        failures++;
        if (failures > MAX_FAILURES) {
            fail(t);
            return false;
        }
        note = failures + " failed run(s), excluded: " + t;
        return true;
    }

    String ran() {
        return row.ran();
    }

    Stats stats() {
        if (stats == null && !samples.isEmpty()) {
            stats = new Stats(samples);
        }
        return stats;
    }
}

package io.zerocopy.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the new-file copies on one file system: the time of every measured copy and the
 * new space each took, or why the row was skipped or failed.
 */
final class NewFileResult {

    final NewFileCopies.Place place;
    final NewFileCopier copier;
    final long size;
    /** Nanoseconds per measured copy. */
    final List<Long> nanos = new ArrayList<>();
    /** Bytes of free space each measured copy took; empty if space is not measured here. */
    final List<Long> space = new ArrayList<>();
    String status = Result.OK;
    String note = "";

    NewFileResult(NewFileCopies.Place place, NewFileCopier copier, long size) {
        this.place = place;
        this.copier = copier;
        this.size = size;
    }

    boolean active() {
        return status.equals(Result.OK);
    }

    /** @return whether there is at least one measured copy */
    boolean measured() {
        return active() && !nanos.isEmpty();
    }

    void skip(String why) {
        status = Result.SKIPPED;
        note = why;
    }

    void fail(Throwable t) {
        status = Result.FAILED;
        note = String.valueOf(t);
    }

    double medianMs() {
        return quantile(nanos, 0.5) / 1e6;
    }

    double minMs() {
        return quantile(nanos, 0) / 1e6;
    }

    double maxMs() {
        return quantile(nanos, 1) / 1e6;
    }

    /** @return 10^6 bytes per second at the median time */
    double mbps() {
        return Stats.mbps(size, medianMs() * 1e6);
    }

    /** @return the median new space per copy in bytes, or NaN if not measured */
    double spaceMedian() {
        return space.isEmpty() ? Double.NaN : quantile(space, 0.5);
    }

    /** @return the median new space per copy as a percentage of the file's size, or NaN */
    double spacePercent() {
        return spaceMedian() * 100.0 / size;
    }

    private static double quantile(List<Long> values, double q) {
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return v.length == 0 ? Double.NaN : Stats.quantile(v, q);
    }
}

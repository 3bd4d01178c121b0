package io.zerocopy.bench.timing.proxy;

import java.util.ArrayList;
import java.util.List;

import io.zerocopy.TransferEngine;

/** One configuration: thread kind, engine, N; with the results of its reps. */
final class Config {
    final Kind kind;
    final String engineName;
    final TransferEngine engine;
    final int conns;
    final List<Result> results = new ArrayList<>();

    Config(Kind kind, String engineName, TransferEngine engine, int conns) {
        this.kind = kind;
        this.engineName = engineName;
        this.engine = engine;
        this.conns = conns;
    }

    String label() {
        return kind.name + " / " + engineName + " / " + conns;
    }

    /** @return the reps whose bulk bytes all arrived in time */
    List<Result> finished() {
        List<Result> fin = new ArrayList<>();
        for (Result r : results) {
            if (r.finished) {
                fin.add(r);
            }
        }
        return fin;
    }

    /** @return "ok", or which reps did not finish (with their bytes) and which were short */
    String status() {
        int dnf = 0;
        int shortRows = 0;
        List<Long> got = new ArrayList<>();
        long expected = 0;
        for (Result r : results) {
            expected = r.expected;
            if (!r.finished) {
                dnf++;
                got.add(r.bytes);
            } else if (r.shortConnections > 0) {
                shortRows++;
            }
        }
        StringBuilder sb = new StringBuilder();
        if (dnf > 0) {
            sb.append("DID NOT FINISH in ").append(dnf).append(" of ").append(results.size()).append(" reps (");
            for (int i = 0; i < got.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(got.get(i));
            }
            sb.append(" of ").append(expected).append(" bytes)");
        }
        if (shortRows > 0) {
            sb.append(sb.length() == 0 ? "" : "; ").append("SHORT in ").append(shortRows).append(" reps");
        }
        return sb.length() == 0 ? "ok" : sb.toString();
    }
}

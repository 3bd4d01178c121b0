package io.zerocopy.bench.timing.proxy;

import java.util.ArrayList;
import java.util.List;

import io.zerocopy.TransferEngine;

/**
 * One configuration: thread kind, engine ({@link Engines}), N, with the settings of its rows
 * (bytes per connection, socket buffers, timeout, proxy processes); and the results of its reps.
 */
final class Config {
    final Kind kind;
    final String engineName;
    final int conns;
    final long size;
    final int sockBuf;
    final int timeoutSeconds;
    /** The proxy processes that serve its rows: 1 on loopback (the run's own process). */
    final int processes;
    final List<Result> results = new ArrayList<>();

    Config(Kind kind, String engineName, int conns, long size, int sockBuf, int timeoutSeconds, int processes) {
        this.kind = kind;
        this.engineName = engineName;
        this.conns = conns;
        this.size = size;
        this.sockBuf = sockBuf;
        this.timeoutSeconds = timeoutSeconds;
        this.processes = processes;
    }

    /** @return this process's engine of {@link #engineName} */
    TransferEngine engine() {
        return Engines.get(engineName);
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

package io.zerocopy.bench;

import io.zerocopy.BroadcastResult;
import io.zerocopy.TransferEngine;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The broadcast scenario's rows: one cached file to {@link Fanout#TARGETS} loopback sockets,
 * by {@code ZeroCopy.broadcast} with the default engine ({@code tee} with zerocopy-linux), by
 * an engine without providers (the portable {@code copy} broadcast: read once, write to every
 * target), and by {@link Fanout#TARGETS} separate {@code ZeroCopy.transfer} calls.
 */
final class BroadcastRows {

    /** The row every broadcast row's CPU is compared with. */
    static final String SEPARATE = "zc:" + Fanout.TARGETS + "-transfers";
    static final String TEE = "zc:tee";
    static final String COPY = "zc:copy-broadcast";

    private BroadcastRows() { }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new BroadcastRow(TEE, ZeroCopy.defaultEngine(), "tee", true));
        rows.add(new BroadcastRow(COPY, ZeroCopy.builder().providers(false).build(), "copy", false));
        rows.add(new SeparateRow());
        return rows;
    }

    /** Rows of this scenario run through the harness's {@link Fanout}. */
    abstract static class FanoutRow extends Row implements Fanout.Body {
        FanoutRow(String name) {
            super(Scenario.BROADCAST, name, Row.ZEROCOPY);
        }

        @Override
        Sample run(Harness h, long size) throws Exception {
            return h.fanout().run(size, this).sample();
        }
    }

    /**
     * {@code engine.broadcast(file, 0, n, targets)}; every run must be served by
     * {@code strategy} and deliver every byte to every target, else the run fails.
     */
    static final class BroadcastRow extends FanoutRow {
        private final TransferEngine engine;
        private final String strategy;
        private final boolean defaultEngine;

        BroadcastRow(String name, TransferEngine engine, String strategy, boolean defaultEngine) {
            super(name);
            this.engine = engine;
            this.strategy = strategy;
            this.defaultEngine = defaultEngine;
        }

        @Override
        public String move(FileChannel src, long n, List<SocketChannel> targets) throws IOException {
            BroadcastResult r = defaultEngine ? ZeroCopy.broadcast(src, 0, n, targets)
                    : engine.broadcast(src, 0, n, targets);
            if (!r.allDelivered() || r.sourceBytes() != n) {
                StringBuilder sb = new StringBuilder("broadcast did not deliver everything: source " + r.sourceBytes()
                        + " of " + n + " bytes;");
                for (BroadcastResult.Target t : r.targets()) {
                    sb.append(' ').append(t.index()).append(": ").append(t.bytes())
                            .append(t.failure() == null ? "" : " (" + t.failure() + ")");
                }
                throw new IOException(sb.toString());
            }
            if (!r.strategy().equals(strategy)) {
                throw new IOException(name + ": broadcast served by \"" + r.strategy() + "\", expected \"" + strategy
                        + "\"");
            }
            return r.strategy();
        }

        @Override
        void verify(Harness h, long size) throws Exception {
            if (!engine.broadcastStrategies().contains(strategy)) {
                throw new Unavailable("broadcast strategy " + strategy + " not in " + engine.broadcastStrategies());
            }
            ran = h.fanout().run(size, this).ran();
        }

        @Override
        String describe() {
            return (defaultEngine ? "ZeroCopy.broadcast, default engine " : "engine.broadcast, providers(false) ")
                    + engine.broadcastStrategies() + ", strategy asserted \"" + strategy + "\"";
        }
    }

    /** {@link Fanout#TARGETS} separate {@code ZeroCopy.transfer(file, 0, n, socket_i)} calls, one after the other. */
    static final class SeparateRow extends FanoutRow {
        SeparateRow() {
            super(SEPARATE);
        }

        @Override
        public String move(FileChannel src, long n, List<SocketChannel> targets) throws IOException {
            for (SocketChannel t : targets) {
                Harness.checkBytes(n, ZeroCopy.transfer(src, 0, n, t));
            }
            return "";
        }

        @Override
        void verify(Harness h, long size) throws Exception {
            Set<String> seen = new LinkedHashSet<>();
            TransferEngine observed = ZeroCopy.defaultEngine().withListener(new TransferListener() {
                @Override
                public void onComplete(TransferResult r) {
                    StringBuilder sb = new StringBuilder();
                    for (TransferResult.Attempt a : r.attempts()) {
                        sb.append(sb.length() == 0 ? "" : ">").append(a.strategy());
                    }
                    seen.add(sb.toString());
                }
            });
            h.fanout().run(size, (src, n, targets) -> {
                for (SocketChannel t : targets) {
                    Harness.checkBytes(n, observed.transfer(src, 0, n, t));
                }
                return "";
            });
            ran = Fanout.TARGETS + "\u00d7 " + (seen.isEmpty() ? "?" : String.join("/", seen));
        }

        @Override
        String describe() {
            return Fanout.TARGETS + " separate ZeroCopy.transfer calls, default engine";
        }
    }
}

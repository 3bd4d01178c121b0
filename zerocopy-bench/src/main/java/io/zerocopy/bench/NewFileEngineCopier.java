package io.zerocopy.bench;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.TransferListener;
import io.zerocopy.TransferResult;
import io.zerocopy.ZeroCopy;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code TransferEngine.transfer(Path, Path)}: the default engine ({@code zc:auto}, as
 * {@code ZeroCopy.transfer(Path, Path)}), or an engine with one strategy and threshold 0
 * ({@code zc:<name>}). The strategies each copy tried are recorded for {@link #ran()}.
 */
final class NewFileEngineCopier extends NewFileCopier {

    private final TransferEngine engine;
    /** The one strategy, or null for the default engine. */
    private final String only;
    /** Every distinct sequence of strategies a copy tried, such as {@code reflink>copyFileRange}. */
    private final Set<String> tried = new LinkedHashSet<>();

    private NewFileEngineCopier(String name, TransferEngine engine, String only) {
        super(name, Row.ZEROCOPY);
        this.only = only;
        this.engine = engine.withListener(new TransferListener() {
            @Override
            public void onComplete(TransferResult r) {
                StringBuilder sb = new StringBuilder();
                for (TransferResult.Attempt a : r.attempts()) {
                    sb.append(sb.length() > 0 ? ">" : "").append(a.strategy());
                }
                tried.add(sb.toString());
            }
        });
    }

    /** @return the default engine's row, {@code zc:auto} */
    static NewFileEngineCopier auto() {
        return new NewFileEngineCopier("zc:auto", ZeroCopy.defaultEngine(), null);
    }

    /**
     * @param strategy a strategy of the default engine
     * @return the row {@code zc:<strategy>}: an engine with only that strategy, threshold 0
     */
    static NewFileEngineCopier only(String strategy) {
        return new NewFileEngineCopier("zc:" + strategy, ZeroCopy.builder().strategies(strategy).threshold(0).build(),
                strategy);
    }

    @Override
    long copy(Path source, Path target) throws Exception {
        long t0 = System.nanoTime();
        engine.transfer(source, target);
        return System.nanoTime() - t0;
    }

    /** @throws Row.Unavailable if the one strategy refuses these files before moving a byte */
    @Override
    void verify(Path source, Path target) throws Exception {
        try {
            copy(source, target);
        } catch (TransferException e) {
            if (only != null && e.bytesDelivered() == 0 && e.getCause() == null) {
                throw new Row.Unavailable(only + " does not copy to a new file here: " + e.getMessage());
            }
            throw e;
        }
    }

    @Override
    String ran() {
        return tried.isEmpty() ? "?" : String.join(" / ", tried);
    }

    @Override
    String describe() {
        return only == null ? "ZeroCopy.transfer(Path, Path), default engine " + engine.strategies()
                : "an engine with only \"" + only + "\", threshold 0, transfer(Path, Path)";
    }
}

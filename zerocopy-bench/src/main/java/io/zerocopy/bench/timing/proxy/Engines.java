package io.zerocopy.bench.timing.proxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.zerocopy.TransferEngine;
import io.zerocopy.ZeroCopy;
import io.zerocopy.linux.Linux;

/**
 * The engines a row can name ({@code --engines}), in report order: one entry per engine, the
 * only place that knows how each is built. The coordinator and the proxy processes of a veth
 * run both build an engine from its name here, so a new engine is one {@link #TABLE} entry.
 */
final class Engines {

    /** Name to how the engine is built, in the order rows are reported. */
    private static final Map<String, Supplier<TransferEngine>> TABLE = new LinkedHashMap<>();

    static {
        TABLE.put("default", ZeroCopy::defaultEngine);
        TABLE.put("copy", () -> ZeroCopy.builder().strategies("copy").build());
        TABLE.put("uring", Engines::uring);
    }

    /**
     * @return the default engine's strategies on zerocopy-linux's io_uring event loops
     * @throws IllegalStateException with the cause if io_uring does not serve here (JDK 17-21,
     *     the jnr-ffi binding, a denied setup): a row must not report the selector loops as io_uring
     */
    private static TransferEngine uring() {
        Throwable cause = Linux.ioUringEventLoopsCause();
        if (cause != null) {
            throw new IllegalStateException("engine uring: io_uring event loops unavailable: " + cause, cause);
        }
        return ZeroCopy.builder().eventLoops(Linux.ioUringEventLoops()).build();
    }

    /** One engine per name for this process: rows with the same name share it, as a server would. */
    private static final Map<String, TransferEngine> BUILT = new ConcurrentHashMap<>();

    private Engines() { }

    /** @return every name of the table, in report order */
    static List<String> names() {
        return new ArrayList<>(TABLE.keySet());
    }

    /**
     * @param name one of {@link #names()}
     * @return this process's engine of that name, built on first use
     * @throws IllegalArgumentException if {@code name} is not in the table
     */
    static TransferEngine get(String name) {
        Supplier<TransferEngine> build = TABLE.get(name);
        if (build == null) {
            throw new IllegalArgumentException("unknown engine " + name + ": not one of " + names());
        }
        return BUILT.computeIfAbsent(name, n -> build.get());
    }
}

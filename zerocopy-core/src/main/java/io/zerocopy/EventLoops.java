package io.zerocopy;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.zerocopy.spi.EventLoop;
import io.zerocopy.spi.EventLoopProvider;

/**
 * A group of {@link EventLoop} threads that an engine's asynchronous transfers run on
 * ({@link TransferEngine.Builder#eventLoops}); each new transfer takes the next loop in turn.
 * The default is the {@linkplain #selector() selector loops}, unless the system property
 * {@value #PROPERTY} names another group offered by an {@link EventLoopProvider} (zerocopy-linux
 * offers {@code io_uring}). A transfer whose channel the group's loop cannot wait on
 * ({@link EventLoop#canWatch}) runs on the selector loops instead. Immutable, thread-safe.
 */
public final class EventLoops {

    /**
     * System property: the name of the default group, {@code selector} (the default) or a
     * provider's (zerocopy-linux: {@code io_uring}); read once, when the first engine without
     * {@link TransferEngine.Builder#eventLoops} is built. An unknown name logs a warning and
     * gives the selector loops.
     */
    public static final String PROPERTY = "io.zerocopy.eventLoops";

    private final String name;
    private final Supplier<List<? extends EventLoop>> factory;
    private volatile EventLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    private EventLoops(String name, Supplier<List<? extends EventLoop>> factory) {
        this.name = name;
        this.factory = factory;
    }

    /**
     * The core's loops: {@code zerocopy-reactor-N} daemon threads, one JDK
     * {@link java.nio.channels.Selector} each (epoll on Linux), as many as processors from 1 to
     * 4 (or the system property {@code io.zerocopy.reactors}), started on first use.
     *
     * @return the selector loops, the same group on every call
     */
    public static EventLoops selector() {
        return Selector.INSTANCE;
    }

    /**
     * A group of a provider's loops.
     *
     * @param name the group's name, such as {@code "io_uring"}; not empty
     * @param loops the loops, at least one, running
     * @return the group
     */
    public static EventLoops of(String name, List<? extends EventLoop> loops) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name is empty");
        }
        List<EventLoop> copy = List.copyOf(loops);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no loops in group " + name);
        }
        return new EventLoops(name, () -> copy);
    }

    /** @return the group's name: {@code "selector"}, {@code "io_uring"}, ... */
    public String name() {
        return name;
    }

    /** @return the loops of the group (starting them if they were not) */
    public List<EventLoop> loops() {
        return List.of(started());
    }

    /** @return the loop for a new transfer, in turn */
    EventLoop next() {
        EventLoop[] all = started();
        return all[Math.floorMod(next.getAndIncrement(), all.length)];
    }

    private EventLoop[] started() {
        EventLoop[] l = loops;
        if (l == null) {
            synchronized (this) {
                l = loops;
                if (l == null) {
                    l = factory.get().toArray(new EventLoop[0]);
                    loops = l;
                }
            }
        }
        return l;
    }

    /** @return the group the system property {@value #PROPERTY} names, resolved once */
    static EventLoops defaults() {
        return Default.INSTANCE;
    }

    @Override
    public String toString() {
        EventLoop[] l = loops;
        return "EventLoops[" + name + ", " + (l == null ? "not started" : l.length + " loops") + "]";
    }

    private static final class Selector {
        static final EventLoops INSTANCE = new EventLoops("selector", Reactor::startAll);
    }

    private static final class Default {
        static final EventLoops INSTANCE = resolve(System.getProperty(PROPERTY));
    }

    /**
     * @param property a value of {@value #PROPERTY}, or null
     * @return the group it names: the selector loops for null, empty, {@code selector}, or a
     *     name no provider offers (logged)
     */
    static EventLoops resolve(String property) {
        String wanted = property == null ? "" : property.trim();
        if (wanted.isEmpty() || wanted.equals("selector")) {
            return selector();
        }
        try {
            for (EventLoopProvider p : ServiceLoader.load(EventLoopProvider.class, EventLoops.class.getClassLoader())) {
                if (p.name().equals(wanted)) {
                    return p.eventLoops();
                }
            }
        } catch (RuntimeException | java.util.ServiceConfigurationError e) {
            System.getLogger(TransferEngine.class.getName()).log(Level.WARNING,
                    "zerocopy: event loop providers failed; " + PROPERTY + "=" + property + " gives the selector loops", e);
            return selector();
        }
        System.getLogger(TransferEngine.class.getName()).log(Level.WARNING,
                "zerocopy: no event loops named " + wanted + " (-D" + PROPERTY + "); using the selector loops");
        return selector();
    }
}

package io.zerocopy.bench.timing.proxy;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/**
 * How the proxy serves a connection: on a thread of its own ({@link #factory}), or with an
 * asynchronous transfer and no thread of its own ({@link #async()}, factory null).
 */
final class Kind {
    final String name;
    /** Starts a connection's thread; null for {@link #async()}. */
    final ThreadFactory factory;

    private Kind(String name, ThreadFactory factory) {
        this.name = name;
        this.factory = factory;
    }

    /** @return daemon platform threads */
    static Kind platform() {
        return new Kind("platform", r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
    }

    /** @return {@code engine.transferAsync} per connection, closing both sockets when the transfer has stopped */
    static Kind async() {
        return new Kind("async", null);
    }

    /**
     * @param name {@code virtual}, {@code platform} or {@code async}
     * @return that kind, or null for {@code virtual} before JDK 21
     * @throws IllegalArgumentException for another name
     */
    static Kind named(String name) {
        switch (name) {
            case "virtual":
                return virtual();
            case "platform":
                return platform();
            case "async":
                return async();
            default:
                throw new IllegalArgumentException("unknown thread kind " + name + " (virtual, platform, async)");
        }
    }

    boolean isAsync() {
        return factory == null;
    }

    /** @return virtual threads, or null before JDK 21 */
    static Kind virtual() {
        ThreadFactory factory = virtualThreadFactory();
        return factory == null ? null : new Kind("virtual", factory);
    }

    /** @return a factory of virtual threads, or null before JDK 21 */
    private static ThreadFactory virtualThreadFactory() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle create = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            return (ThreadFactory) factory.invoke(create.invoke());
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.ofVirtual() failed", e);
        }
    }
}

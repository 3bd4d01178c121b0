package io.zerocopy.bench.timing.proxy;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/** One thread kind: how the proxy starts a connection's thread. */
final class Kind {
    final String name;
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

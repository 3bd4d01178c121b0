package io.zerocopy.bench.timing.peers;

import java.util.ArrayList;
import java.util.List;

/**
 * What the run must undo, in one order: the newest action first, so that what was made inside
 * something else goes before it (a server in a namespace before the namespace, the namespace's
 * devices before the namespace). {@link #close()} runs them at the end of the run; a shutdown
 * hook runs them if the JVM exits first (Ctrl-C, an uncaught error). Each action runs at most
 * once; an action registered after the undo began runs at once, so that a process started
 * while the hook runs is not left behind. Actions must not throw; one that does is reported
 * on stderr and the next runs.
 */
final class Undo implements AutoCloseable {

    private final List<String> names = new ArrayList<>();
    private final List<Runnable> actions = new ArrayList<>();
    private final Thread hook = new Thread(this::exit, "zcp-undo");
    private volatile boolean exiting;
    private boolean done;

    Undo() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * @param what what the action undoes, for its error message
     * @param action the cleanup
     */
    void add(String what, Runnable action) {
        synchronized (this) {
            if (!done) {
                names.add(what);
                actions.add(action);
                return;
            }
        }
        run(what, action);
    }

    private void exit() {
        exiting = true;
        runAll();
    }

    /** @return whether the JVM is exiting and the hook has begun to undo (the run's failure is then its own doing) */
    boolean exiting() {
        return exiting;
    }

    private void runAll() {
        List<String> n;
        List<Runnable> a;
        synchronized (this) {
            done = true;
            n = new ArrayList<>(names);
            a = new ArrayList<>(actions);
            names.clear();
            actions.clear();
        }
        for (int i = a.size() - 1; i >= 0; i--) {
            run(n.get(i), a.get(i));
        }
    }

    private static void run(String what, Runnable action) {
        try {
            action.run();
        } catch (Throwable t) {
            System.err.println("real-peers: cleanup failed (" + what + "): " + t);
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs the actions
            return;
        }
        runAll();
    }
}

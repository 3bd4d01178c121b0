package io.zerocopy.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What the bench must undo if the JVM exits before it does (Ctrl-C), in one order: a single
 * shutdown hook runs the registered actions one at a time, the last registered first, so that
 * what was made inside something else goes before it (an image mounted inside the run's
 * temporary directory is unmounted before the directory is deleted). The JVM starts its own
 * hooks all at once in no set order, which is why the actions that depend on each other share
 * this one.
 *
 * <p>An action runs at most once from here, and only if it is still registered when the JVM
 * begins to exit; its owner cancels it when it has cleaned up itself. An owner that cleans up
 * while the hook runs may do so at the same time as its action: actions must tolerate that
 * (deleting what is already gone, unmounting what is no longer mounted).
 */
final class ExitCleanup {

    /** The registered actions, oldest first. */
    private static final List<Registration> ACTIONS = new ArrayList<>();
    private static boolean hooked;

    private ExitCleanup() { }

    /** One registered action; {@link #cancel()} when its owner has cleaned up. */
    static final class Registration {
        private final String what;
        private final Runnable action;

        private Registration(String what, Runnable action) {
            this.what = what;
            this.action = action;
        }

        /** Leaves the action out of the exit's cleanup; idempotent, and harmless once the JVM is exiting. */
        void cancel() {
            synchronized (ExitCleanup.class) {
                ACTIONS.remove(this);
            }
        }

        @Override
        public String toString() {
            return what;
        }
    }

    /**
     * Registers an action to run if the JVM exits before it is cancelled, before every action
     * registered earlier.
     *
     * @param what what the action undoes, for its error message
     * @param action the cleanup; must not throw (a throwable is printed and the next action runs)
     * @return the registration, to cancel
     */
    static synchronized Registration register(String what, Runnable action) {
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::runAll, "zc-bench-exit-cleanup"));
            hooked = true;
        }
        Registration r = new Registration(what, action);
        ACTIONS.add(r);
        return r;
    }

    /** The hook: every action still registered, newest first. */
    private static void runAll() {
        List<Registration> due;
        synchronized (ExitCleanup.class) {
            due = new ArrayList<>(ACTIONS);
            ACTIONS.clear();
        }
        for (int i = due.size() - 1; i >= 0; i--) {
            try {
                due.get(i).action.run();
            } catch (Throwable t) {
                System.err.println("zerocopy-bench: cleanup failed (" + due.get(i) + "): " + t);
            }
        }
    }
}

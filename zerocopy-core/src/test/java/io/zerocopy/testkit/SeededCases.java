package io.zerocopy.testkit;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * Runs the cases of a randomized suite, reproducibly: one seed for the run, printed first and
 * named in every failure with the failing case's own seed. System properties:
 * {@code zerocopy.seed} reruns a seed; {@code zerocopy.soak.seconds} runs cases for that long
 * instead of counting them; {@code casesProperty} (per suite) sets the count.
 */
public final class SeededCases {

    /** One case, drawn from its own random source. */
    @FunctionalInterface
    public interface Case {
        /**
         * @param random the case's random source, seeded from the run's
         * @throws Exception when the case fails
         */
        void run(SplittableRandom random) throws Exception;
    }

    private SeededCases() { }

    /**
     * @param suite the suite's name, for the printed lines
     * @param casesProperty the system property that sets the number of cases
     * @param defaultCases the number of cases without it
     * @param oneCase the case
     * @throws AssertionError naming the seed, the case and its seed, the failure as its cause
     */
    public static void run(String suite, String casesProperty, int defaultCases, Case oneCase) {
        long seed = Long.getLong("zerocopy.seed", new Random().nextLong());
        long soakSeconds = Long.getLong("zerocopy.soak.seconds", 0);
        int cases = Integer.getInteger(casesProperty, defaultCases);
        System.out.println(suite + ": seed=" + seed + " (rerun with -Dzerocopy.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        long deadline = System.nanoTime() + soakSeconds * 1_000_000_000L;
        int done = 0;
        while (soakSeconds > 0 ? System.nanoTime() < deadline : done < cases) {
            long caseSeed = random.nextLong();
            try {
                oneCase.run(new SplittableRandom(caseSeed));
            } catch (Throwable e) {
                throw new AssertionError(suite + ": case " + done + " failed; seed=" + seed + " case seed=" + caseSeed, e);
            }
            done++;
        }
        System.out.println(suite + ": " + done + " cases passed, seed=" + seed);
    }
}

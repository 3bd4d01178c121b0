package io.zerocopy.bench;

/**
 * One line of the report: a way of moving bytes in one scenario. {@link #run} performs one
 * complete, measured transfer; rows are stateless between runs apart from reused buffers.
 */
abstract class Row {

    /** Families, in table order. */
    static final String TRADITIONAL = "traditional";
    static final String JDK = "jdk";
    static final String ZEROCOPY = "zerocopy";
    static final String NETTY = "netty";
    static final String C = "c";

    final Scenario scenario;
    final String name;
    final String family;
    /** What actually served the transfers, e.g. the strategy the engine reported; set by warm-up. */
    String ran = "";

    Row(Scenario scenario, String name, String family) {
        this.scenario = scenario;
        this.name = name;
        this.family = family;
    }

    /**
     * Moves {@code size} bytes once and measures it.
     *
     * @param h the shared files and the peers of every network path
     * @param size bytes to move
     * @return the measurement
     * @throws Exception if the transfer fails or moves the wrong number of bytes
     */
    abstract Sample run(Harness h, long size) throws Exception;

    /** Called once before measurements; may set {@link #ran} or throw {@link Unavailable}. */
    void verify(Harness h, long size) throws Exception {
        run(h, size);
    }

    /** @return what served the transfers, as far as known */
    String ran() {
        return ran;
    }

    /** @return a short description of what the row does, for the report */
    abstract String describe();

    @Override
    public String toString() {
        return scenario.code + "/" + name;
    }

    /** The row cannot run here (no compiler, no Netty native, strategy not applicable). */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }
}

package io.zerocopy.bench;

import java.util.List;

/**
 * {@code java -jar zerocopy-bench.jar [options]}: the default report, {@code --calibrate},
 * or {@code --jmh ...} (JMH's own main). See {@link Options#USAGE}.
 */
public final class Main {

    private Main() { }

    /**
     * @param args see {@code --help}
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (o.help) {
            System.out.println(Options.USAGE);
            return;
        }
        if (o.jmhArgs != null) {
            org.openjdk.jmh.Main.main(o.jmhArgs.toArray(new String[0]));
            return;
        }
        if (o.calibrate) {
            new Calibration(o, System.out, System.err).run();
            return;
        }
        new Report(o, System.out, System.err).run();
    }

    /** For tests: runs the report with these arguments. */
    static Report report(List<String> args) throws Exception {
        Options o = Options.parse(args.toArray(new String[0]));
        Report r = new Report(o, System.out, System.err);
        r.run();
        return r;
    }
}

package io.zerocopy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.zerocopy.testkit.LyingStrategy;
import io.zerocopy.testkit.Payloads;

/**
 * The program {@link JfrAbsenceTest} runs in a JVM of its own: copies a file through an
 * engine whose first strategy gives up after 1000 bytes, and prints one line, {@code strategy=
 * fallbacks= bytes= same= jfrModule= jfrInitialized=}. Uses {@code java.base} only, so it runs
 * with {@code --limit-modules java.base}. Exit status 0 when the copy is byte-exact, 1 otherwise.
 */
public final class TransferInChildJvm {

    private TransferInChildJvm() { }

    /**
     * @param args the directory to work in
     * @throws Exception if the copy fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        byte[] payload = Payloads.generate((1 << 20) + 3, 15);
        Path source = Files.write(dir.resolve("source"), payload);
        Path target = dir.resolve("target");
        TransferResult[] result = new TransferResult[1];
        TransferEngine engine = ZeroCopy.builder().providers(false).threshold(0)
                .addFirst(new LyingStrategy("givesUp", LyingStrategy.Lie.GIVES_UP, 1000))
                .listener(new TransferListener() {
                    @Override
                    public void onComplete(TransferInfo transfer, TransferResult r) {
                        result[0] = r;
                    }
                }).build();
        long n = engine.transfer(source, target);
        boolean same = Arrays.equals(payload, Files.readAllBytes(target));
        boolean jfrModule = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
        Object jfrInitialized = jfrModule
                ? Class.forName("jdk.jfr.FlightRecorder").getMethod("isInitialized").invoke(null) : "absent";
        System.out.println("strategy=" + result[0].strategy() + " fallbacks=" + (result[0].attempts().size() - 1)
                + " bytes=" + n + " same=" + same + " jfrModule=" + jfrModule + " jfrInitialized=" + jfrInitialized);
        System.exit(same && n == payload.length ? 0 : 1);
    }
}

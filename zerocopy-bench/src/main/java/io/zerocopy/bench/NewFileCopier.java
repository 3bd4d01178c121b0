package io.zerocopy.bench;

import io.zerocopy.ZeroCopy;
import io.zerocopy.spi.ChannelKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One way of copying a file to a new file, a row of the new-file copies: the library, the JDK, a
 * {@code cp} process or the Go peer. A copier is used on one file system; {@link #verify} runs
 * once there before any measured {@link #copy}.
 */
abstract class NewFileCopier {

    /** The family of {@code cp}, beside {@link Row#ZEROCOPY}, {@link Row#JDK} and {@link GoPeer#FAMILY}. */
    static final String PROCESS = "process";

    final String name;
    final String family;

    NewFileCopier(String name, String family) {
        this.name = name;
        this.family = family;
    }

    /**
     * Copies all of {@code source} to {@code target}, which does not exist, and times it.
     *
     * @param source a regular file
     * @param target a path that does not exist, on the same file system
     * @return nanoseconds from before the source is opened until the target is closed (a process:
     *     from its start until it has exited, start-up included; the Go peer: its own window)
     * @throws Exception if the copy fails
     */
    abstract long copy(Path source, Path target) throws Exception;

    /**
     * Called once on each file system before measurements: a copy that may find out what serves
     * the copies here ({@link #ran()}).
     *
     * @throws Row.Unavailable with the reason if this way of copying does not work here
     * @throws Exception if the copy fails
     */
    void verify(Path source, Path target) throws Exception {
        copy(source, target);
    }

    /** @return what served the copies, as far as known */
    abstract String ran();

    /** @return a short description of the row, for the report */
    abstract String describe();

    @Override
    public String toString() {
        return name;
    }

    /**
     * The rows of one file system, in table order: the default engine, each of its strategies
     * that may copy file to file, the JDK's {@code Files.copy} and {@code transferTo},
     * {@code cp --reflink=auto}, Go's {@code io.Copy}.
     *
     * @param go the Go peer, or null to leave its row out
     * @return new copiers (each engine has its own memory of refusals, apart from the default)
     */
    static List<NewFileCopier> all(GoPeer go) {
        List<NewFileCopier> all = new ArrayList<>();
        all.add(NewFileEngineCopier.auto());
        for (String s : ZeroCopy.defaultEngine().strategies(ChannelKind.FILE, ChannelKind.FILE)) {
            all.add(NewFileEngineCopier.only(s));
        }
        all.add(NewFileJdkCopier.filesCopy());
        all.add(NewFileJdkCopier.transferTo());
        all.add(new NewFileCpCopier());
        if (go != null) {
            all.add(new NewFileGoCopier(go));
        }
        return all;
    }
}

package io.zerocopy.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The running JDK's own ways to copy a file to a new one, without the library:
 * {@code Files.copy(Path, Path)}, whose system calls depend on the JDK's version, and a
 * {@code FileChannel.transferTo} loop between channels opened for the copy.
 */
final class NewFileJdkCopier extends NewFileCopier {

    private final boolean filesCopy;

    private NewFileJdkCopier(String name, boolean filesCopy) {
        super(name, Row.JDK);
        this.filesCopy = filesCopy;
    }

    /** @return the row {@code jdk:Files.copy} */
    static NewFileJdkCopier filesCopy() {
        return new NewFileJdkCopier("jdk:Files.copy", true);
    }

    /** @return the row {@code jdk:transferTo} */
    static NewFileJdkCopier transferTo() {
        return new NewFileJdkCopier("jdk:transferTo", false);
    }

    @Override
    long copy(Path source, Path target) throws IOException {
        long t0 = System.nanoTime();
        if (filesCopy) {
            Files.copy(source, target);
        } else {
            transfer(source, target);
        }
        return System.nanoTime() - t0;
    }

    private static void transfer(Path source, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long pos = 0;
            while (pos < size) {
                long n = in.transferTo(pos, size - pos, out);
                if (n <= 0) {
                    throw new IOException("transferTo moved nothing at " + pos + " of " + size + " bytes");
                }
                pos += n;
            }
        }
    }

    @Override
    String ran() {
        return (filesCopy ? "Files.copy" : "FileChannel.transferTo") + ", JDK " + Runtime.version().feature();
    }

    @Override
    String describe() {
        return filesCopy ? "Files.copy(Path, Path) of the running JDK"
                : "FileChannel.transferTo loop to a channel opened with CREATE_NEW, no library";
    }
}

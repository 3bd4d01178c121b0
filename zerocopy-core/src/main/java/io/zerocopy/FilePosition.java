package io.zerocopy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.function.ToLongFunction;

/**
 * The stream forms' contract for a {@link FileChannel} source: read from its position to the
 * size it has at the call, and leave its position after the bytes read, also on failure.
 */
final class FilePosition {

    /** A transfer or broadcast of a file region. */
    @FunctionalInterface
    interface Region<R> {
        R run(FileChannel file, long start, long count) throws IOException;
    }

    private FilePosition() { }

    /**
     * @param file a file with a size above 0
     * @param region runs the region from the file's position to its size
     * @param moved the source bytes read, from the result
     * @param movedOnFailure the source bytes read, from the exception
     * @return the region's result
     */
    static <R> R advance(FileChannel file, Region<R> region, ToLongFunction<R> moved,
            ToLongFunction<TransferException> movedOnFailure) throws IOException {
        long start = file.position();
        long count = Math.max(0, file.size() - start);
        long read = 0;
        try {
            R result = region.run(file, start, count);
            read = moved.applyAsLong(result);
            return result;
        } catch (TransferException e) {
            read = movedOnFailure.applyAsLong(e);
            throw e;
        } finally {
            if (file.isOpen()) {
                file.position(start + read);
            }
        }
    }

    /** Sets an open file's position after an asynchronous transfer; a failure to do so leaves it unchanged. */
    static void setQuietly(FileChannel file, long position) {
        try {
            if (file.isOpen()) {
                file.position(position);
            }
        } catch (IOException e) {
            // the transfer's outcome stands; the position stays where it was
        }
    }
}

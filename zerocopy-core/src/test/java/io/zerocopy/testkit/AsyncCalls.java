package io.zerocopy.testkit;

import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferFuture;

/** The asynchronous calls as the matrices use them: wait for the future, rethrow its failure as the blocking call would. */
public final class AsyncCalls {

    private AsyncCalls() { }

    public static long transfer(TransferEngine engine, FileChannel source, long position, long count,
            WritableByteChannel target) throws Exception {
        return bytes(engine.transferAsync(source, position, count, target));
    }

    public static long transfer(TransferEngine engine, ReadableByteChannel source, WritableByteChannel target)
            throws Exception {
        return bytes(engine.transferAsync(source, target));
    }

    private static long bytes(TransferFuture f) throws Exception {
        try {
            return f.get(60, TimeUnit.SECONDS).bytes();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }
}

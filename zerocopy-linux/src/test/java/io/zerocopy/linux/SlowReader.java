package io.zerocopy.linux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;

/** A slow peer for the stepper tests. */
final class SlowReader {

    private SlowReader() { }

    /** Reads to the end of stream, 16 KiB at a time, pausing 1 ms after every 256 KiB. */
    static CompletableFuture<byte[]> slow(SocketChannel ch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(16 * 1024);
                long sincePause = 0;
                int n;
                while ((n = ch.read(b)) >= 0) {
                    got.write(b.array(), 0, b.position());
                    b.clear();
                    sincePause += n;
                    if (sincePause >= 256 * 1024) {
                        sincePause = 0;
                        Thread.sleep(1);
                    }
                }
                return got.toByteArray();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

}

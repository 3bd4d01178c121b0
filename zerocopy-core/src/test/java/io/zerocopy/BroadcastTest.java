package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.testkit.BroadcastSuite;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

import io.zerocopy.spi.ChannelKind;

/** The portable broadcast through the shared suite, plus argument checks. */
class BroadcastTest extends BroadcastSuite {

    @Override
    protected TransferEngine engine(TransferEngine.Builder builder) {
        return builder.providers(false).build();
    }

    @Override
    protected String expectedStrategy(ChannelKind source) {
        return "copy";
    }

    @Test
    void badTargetsAreRejectedBeforeAnyByteMoves() throws Exception {
        Path file = dir.resolve("f");
        Files.write(file, new byte[100]);
        WritableByteChannel a = Channels.newChannel(new ByteArrayOutputStream());
        try (FileChannel in = FileChannel.open(file)) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.broadcast(in, List.of())), "targets is empty");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.broadcast(in, Arrays.asList(a, null))), "targets[1]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.broadcast(in, List.of(a, a))), "repeats");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.broadcast(in, -1, 5, List.of(a))), "position < 0");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.broadcast(in, null)), "targets");
            a.close();
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> ZeroCopy.broadcast(in, List.of(a)));
        }
    }

    private static void assertMessage(Exception e, String part) {
        assertTrue(String.valueOf(e.getMessage()).contains(part), e.getMessage());
    }
}

package io.zerocopy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.TransferEngine;
import io.zerocopy.TransferException;
import io.zerocopy.spi.ChannelKind;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A socket target whose output is shut down: every strategy reports it alike, as
 * {@link java.nio.channels.SocketChannel#shutdownOutput()} specifies for a write, a
 * {@code TransferException} whose cause is a {@link ClosedChannelException} (exactly that class,
 * not the {@code AsynchronousCloseException} of a close by another thread) with the strategy's
 * own error as its cause, and the count the peer received.
 *
 * <p>Each strategy runs alone, for every source kind it serves, into a blocking and a
 * non-blocking target (blocking only where it serves one): shut down before the transfer, and
 * by another thread while the transfer waits on a full socket.
 */
public abstract class ShutDownTargetSuite {

    /** Bytes to move: more than loopback socket buffers hold, so that the transfer waits on the peer. */
    private static final int SIZE = 16 << 20;
    /** How long the transfer runs before another thread shuts the target down. */
    private static final long WAIT_MILLIS = 200;

    @TempDir
    Path dir;

    /** @return the strategies to check, each alone */
    protected abstract List<String> strategyNames();

    /** @return a builder with providers set as the suite needs */
    protected abstract TransferEngine.Builder builder();

    /**
     * @param strategy a strategy's name
     * @return whether it serves blocking socket targets (transferTo leaves them to the next)
     */
    protected boolean servesBlockingTargets(String strategy) {
        return !strategy.equals("transferTo");
    }

    @TestFactory
    List<DynamicTest> aShutDownTargetFailsAlikeForEveryStrategy() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String strategy : strategyNames()) {
            TransferEngine engine = builder().threshold(0).strategies(strategy).build();
            for (ChannelKind source : List.of(ChannelKind.FILE, ChannelKind.SOCKET, ChannelKind.PIPE, ChannelKind.CHANNEL)) {
                if (!engine.strategies(source, ChannelKind.SOCKET, SIZE).contains(strategy)) {
                    continue;
                }
                for (boolean blocking : new boolean[] {false, true}) {
                    if (blocking && !servesBlockingTargets(strategy)) {
                        continue;
                    }
                    for (boolean during : new boolean[] {false, true}) {
                        String name = strategy + ": " + source + " -> " + (blocking ? "blocking" : "non-blocking")
                                + " socket, shut down " + (during ? "during the transfer" : "before");
                        tests.add(DynamicTest.dynamicTest(name, () -> check(engine, strategy, source, blocking, during)));
                    }
                }
            }
        }
        return tests;
    }

    private void check(TransferEngine engine, String strategy, ChannelKind sourceKind, boolean blocking, boolean during)
            throws Exception {
        byte[] payload = Payloads.of(SIZE, 41);
        try (Endpoints.Source source = Endpoints.source(sourceKind, payload, 0, dir); Loopback.Connection c = Loopback.connect()) {
            c.client.configureBlocking(blocking);
            if (!during) {
                c.client.shutdownOutput();
            }
            Future<byte[]> peer = Endpoints.peer(() -> {
                if (during) {
                    Thread.sleep(WAIT_MILLIS); // nobody reads: by now the transfer has filled the socket and waits
                    c.client.shutdownOutput();
                }
                return Endpoints.drain(c.accepted);
            });
            TransferException e = assertThrows(TransferException.class, () -> {
                if (sourceKind == ChannelKind.FILE) {
                    engine.transfer(source.file(), 0, SIZE, c.client);
                } else {
                    engine.transfer(source.channel(), c.client);
                }
            });
            byte[] received = Endpoints.await(peer);
            assertEquals(strategy, e.strategy(), e.toString());
            assertEquals(ClosedChannelException.class, e.getCause().getClass(), e.toString());
            assertTrue(e.getCause().getCause() != null, "the strategy's own error is kept: " + e);
            assertTrue(e.getMessage().contains("output is shut down"), e.getMessage());
            assertEquals(e.bytesDelivered(), received.length, "the count is what the peer received: " + e);
            Payloads.assertSameBytes(Arrays.copyOf(payload, received.length), received, strategy);
            if (!during) {
                assertEquals(0, e.bytesDelivered());
            }
        }
    }
}

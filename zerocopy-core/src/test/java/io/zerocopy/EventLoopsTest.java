package io.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.zerocopy.spi.EventLoop;

/** Groups of event loops: the selector default, what the system property resolves to, a group's turn-taking. */
class EventLoopsTest {

    @Test
    void theDefaultIsTheSelectorLoops() {
        assertSame(EventLoops.selector(), ZeroCopy.builder().build().eventLoops());
        assertSame(EventLoops.selector(), EventLoops.defaults());
        assertEquals("selector", EventLoops.selector().name());
        List<EventLoop> loops = EventLoops.selector().loops();
        assertEquals(Math.max(1, Reactor.COUNT), loops.size());
    }

    @Test
    void thePropertyResolvesByNameAndAnUnknownNameGivesTheSelectorLoops() {
        assertSame(EventLoops.selector(), EventLoops.resolve(null));
        assertSame(EventLoops.selector(), EventLoops.resolve(" selector "));
        assertSame(EventLoops.selector(), EventLoops.resolve("io_uring"), "no provider on the core's class path");
        assertSame(EventLoops.selector(), EventLoops.resolve("no-such-loops"));
    }

    @Test
    void aGroupHandsOutItsLoopsInTurnAndTheEngineKeepsIt() {
        EventLoop a = EventLoops.selector().next();
        EventLoop b = EventLoops.selector().next();
        EventLoops two = EventLoops.of("pair", List.of(a, b));
        EventLoop first = two.next();
        assertTrue(first == a || first == b);
        assertSame(first == a ? b : a, two.next());
        assertSame(first, two.next());
        TransferEngine engine = ZeroCopy.builder().eventLoops(two).build();
        assertSame(two, engine.eventLoops());
        assertSame(two, engine.withIdleTimeout(java.time.Duration.ofSeconds(1)).eventLoops());
        assertSame(two, engine.withListener(TransferListener.NONE).eventLoops());
    }

    @Test
    void aGroupNeedsANameAndALoop() {
        assertThrows(IllegalArgumentException.class, () -> EventLoops.of("", List.of(EventLoops.selector().next())));
        assertThrows(IllegalArgumentException.class, () -> EventLoops.of("none", List.of()));
        assertThrows(NullPointerException.class, () -> ZeroCopy.builder().eventLoops(null));
    }
}

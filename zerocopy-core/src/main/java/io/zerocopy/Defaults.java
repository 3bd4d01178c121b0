package io.zerocopy;

import static io.zerocopy.spi.Preference.COPY_LOOP;
import static io.zerocopy.spi.Preference.MEASURED_BEST;
import static io.zerocopy.spi.Preference.ON_REQUEST;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Preference;

/**
 * Every default of an engine in one table: sizes, timeouts, and where the core strategies
 * stand per endpoint pair and size. The figures behind each choice, and the commands that
 * measured them, are in docs/benchmarks.md ("Conclusions: how the defaults were chosen").
 */
final class Defaults {

    /** Known sizes below this use the copy loop alone. */
    static final long THRESHOLD = 8 * 1024;
    /** The copy loop's pooled direct buffer. */
    static final int CHUNK_SIZE = 64 * 1024;
    /** The largest region {@code mmap} maps at once. */
    static final long MMAP_WINDOW = 4L << 20;
    /** Direct buffers kept per engine. */
    static final int POOLED_BUFFERS = 16;
    /** How long a broadcast target may accept nothing before it is failed as stalled. */
    static final long BROADCAST_STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** System property: {@code false} stops engines from loading providers. */
    static final String PROVIDERS_PROPERTY = "io.zerocopy.providers";

    /** Size from which the large-transfer preferences apply. */
    static final long LARGE = 256 * 1024;

    /**
     * The core strategies' ranks. Unlisted: {@link Preference#DEFAULT_RANK}, so at equal rank
     * provider strategies (registered first) come before {@code transferTo} and {@code mmap}.
     * <ul>
     *   <li>{@code transferTo} (sendfile or copy_file_range) first for file to file below
     *       {@link #LARGE};</li>
     *   <li>{@code mmap} first for file to socket and file to pipe at every size:
     *       {@code transferTo} declines blocking sockets and pipes (an interrupt would lose its
     *       count; see {@link TransferToStrategy}), the usual kind, so it comes next, for
     *       non-blocking ones;</li>
     *   <li>{@code copy} after every zero-copy path; {@code transferFrom} only when named.</li>
     * </ul>
     */
    static final List<Preference> PREFERENCES = List.of(
            Preference.forPair(TransferToStrategy.NAME, ChannelKind.FILE, ChannelKind.FILE, 0, MEASURED_BEST),
            Preference.forPair(TransferToStrategy.NAME, ChannelKind.FILE, ChannelKind.FILE, LARGE, Preference.DEFAULT_RANK),
            Preference.forPair(MmapStrategy.NAME, ChannelKind.FILE, ChannelKind.SOCKET, 0, MEASURED_BEST),
            Preference.forPair(MmapStrategy.NAME, ChannelKind.FILE, ChannelKind.PIPE, 0, MEASURED_BEST),
            Preference.everywhere(CopyStrategy.NAME, COPY_LOOP),
            Preference.everywhere(TransferFromStrategy.NAME, ON_REQUEST));

    private Defaults() { }
}

package io.zerocopy.linux;

import java.util.List;

import io.zerocopy.spi.BroadcastStrategy;
import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Preference;
import io.zerocopy.spi.TransferStrategy;
import io.zerocopy.spi.TransferStrategyProvider;

/**
 * Offers the Linux strategies to {@link io.zerocopy.TransferEngine}s through
 * {@link java.util.ServiceLoader}, with their ranks (see docs/strategies.md for the reasoning):
 * <ul>
 *   <li>{@code reflink}, file to file, ahead of every other strategy for that pair at every
 *       size: sharing extents moves no data (a file system that refuses costs one ioctl, then,
 *       remembered, two fstat calls);</li>
 *   <li>{@code sendfile}, file to socket, {@link Preference#MEASURED_BEST} at every size: one
 *       copy-free call per socket buffer of room, and, unlike the JDK's {@code transferTo},
 *       within reach of timeouts, close and interrupt;</li>
 *   <li>{@code splice}, {@link Preference#MEASURED_BEST} for file to pipe (one direct call,
 *       nothing in flight), {@link Preference#DEFAULT_RANK} for every other pair of files,
 *       sockets and pipes: socket to socket, socket or pipe to file, and file to file from
 *       256 KiB where reflink declined (below, the core's {@code transferTo} comes first),
 *       through a pooled pipe (256 KiB by default), which outruns {@code copy_file_range}'s
 *       16-page in-kernel splice on local file systems;</li>
 *   <li>{@code copyFileRange}, file to file, {@link Preference#DEFAULT_RANK}, after
 *       {@code splice}, which leaves it the files of a network file system (NFS, SMB, Ceph),
 *       where the call copies on the server;</li>
 *   <li>the broadcast strategy {@code tee}, unless the system property
 *       {@value Linux#TEE_PROPERTY} is {@code false}.</li>
 * </ul>
 * Offers nothing, without throwing, when {@link Linux#isAvailable()} is false.
 */
public final class LinuxStrategyProvider implements TransferStrategyProvider {

    /** Rank of {@code reflink} for file to file at every size, ahead of the measured best: sharing extents moves no data. */
    static final int REFLINK_RANK = Preference.MEASURED_BEST - 5;

    /** For {@link java.util.ServiceLoader}. */
    public LinuxStrategyProvider() { }

    @Override
    public List<TransferStrategy> strategies() {
        if (!Linux.isAvailable()) {
            return List.of();
        }
        try {
            return List.of(Linux.reflink(), Linux.sendfile(), Linux.splice(), Linux.copyFileRange());
        } catch (RuntimeException | LinkageError e) {
            // Contract: a provider never throws. Not expected once Linux.isAvailable() is true.
            System.getLogger(LinuxStrategyProvider.class.getName()).log(System.Logger.Level.WARNING,
                    "zerocopy-linux: strategies unavailable", e);
            return List.of();
        }
    }

    @Override
    public List<Preference> preferences() {
        if (!Linux.isAvailable()) {
            return List.of();
        }
        return List.of(Preference.forPair(ReflinkStrategy.NAME, ChannelKind.FILE, ChannelKind.FILE, 0, REFLINK_RANK),
                Preference.forPair(SendfileStrategy.NAME, ChannelKind.FILE, ChannelKind.SOCKET, 0, Preference.MEASURED_BEST),
                Preference.forPair(SpliceStrategy.NAME, ChannelKind.FILE, ChannelKind.PIPE, 0, Preference.MEASURED_BEST),
                Preference.everywhere(SpliceStrategy.NAME, Preference.DEFAULT_RANK),
                Preference.everywhere(CopyFileRangeStrategy.NAME, Preference.DEFAULT_RANK));
    }

    @Override
    public List<BroadcastStrategy> broadcastStrategies() {
        if (!Linux.isAvailable() || "false".equalsIgnoreCase(System.getProperty(Linux.TEE_PROPERTY))) {
            return List.of();
        }
        try {
            return List.of(Linux.tee());
        } catch (RuntimeException | LinkageError e) {
            System.getLogger(LinuxStrategyProvider.class.getName()).log(System.Logger.Level.WARNING,
                    "zerocopy-linux: broadcast strategies unavailable", e);
            return List.of();
        }
    }
}

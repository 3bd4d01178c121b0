package io.zerocopy.linux;

import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;

/** Leases every pipe of the shared pool, then reports the capacity of a new pipe of this user. */
public final class PoolStarve {
    public static void main(String[] args) throws Exception {
        Pipe before = Pipe.open();
        int sizeBefore = Native.syscalls().fcntl(ChannelDescriptors.raw(before.sink()), Native.F_GETPIPE_SZ, 0);
        PipePool pool = Linux.sharedPipePool();
        List<PooledPipe> leased = new ArrayList<>();
        long bytes = 0;
        for (PooledPipe p; (p = pool.acquire()) != null; ) {
            leased.add(p);
            bytes += p.size;
        }
        Pipe after = Pipe.open();
        int sizeAfter = Native.syscalls().fcntl(ChannelDescriptors.raw(after.sink()), Native.F_GETPIPE_SZ, 0);
        System.out.printf("pool %s: leased %d pipes, %d KiB; a new pipe got %d KiB before, %d KiB after%n",
                pool, leased.size(), bytes >> 10, sizeBefore >> 10, sizeAfter >> 10);
    }
}

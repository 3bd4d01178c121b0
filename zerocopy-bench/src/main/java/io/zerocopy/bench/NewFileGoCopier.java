package io.zerocopy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Go's {@code io.Copy} from an {@code os.File} to a new {@code os.File}, by the Go peer: Go's
 * runtime picks {@code copy_file_range} itself. The time is the peer's own window (open, create,
 * copy, close), so the process's start-up is outside it.
 */
final class NewFileGoCopier extends NewFileCopier {

    private final GoPeer go;

    NewFileGoCopier(GoPeer go) {
        super(GoPeer.ROW, GoPeer.FAMILY);
        this.go = go;
    }

    @Override
    long copy(Path source, Path target) throws Exception {
        PeerReport t = go.copyToNewFile(source, target);
        long size = Files.size(source);
        if (t.bytes() != size) {
            throw new IOException("io.Copy copied " + t.bytes() + " of " + size + " bytes");
        }
        return t.t1() - t.t0();
    }

    @Override
    String ran() {
        return "io.Copy(os.File, os.File), " + go.version;
    }

    @Override
    String describe() {
        return "Go: open, create, io.Copy, close in the Go peer (zcpeer.go), timed inside the process";
    }
}

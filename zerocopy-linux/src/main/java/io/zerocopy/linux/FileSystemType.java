package io.zerocopy.linux;

/**
 * What a file system does with {@code copy_file_range(2)}, by the {@code f_type} that
 * {@code fstatfs(2)} reports (the kernel's {@code *_SUPER_MAGIC} values). Internal: not API.
 *
 * <p>On a network file system the call asks the server to copy (NFS 4.2 COPY, SMB server-side
 * copy, Ceph object copy): no byte crosses the network, where a splice or a read and write
 * moves every byte to this host and back. On a local file system without extent sharing (ext4,
 * tmpfs) it is an in-kernel splice through an internal pipe of 16 pages, which the
 * {@code splice} strategy's pooled pipe (256 KiB by default) outruns (see docs/strategies.md).
 */
final class FileSystemType {

    static final long NFS = 0x6969L;
    static final long SMB2 = 0xFE534D42L;
    static final long CIFS = 0xFF534D42L;
    static final long CEPH = 0x00C36400L;
    static final long EXT4 = 0xEF53L;

    private FileSystemType() { }

    /**
     * @param type an {@code f_type}, or -1 if unknown
     * @return true if {@code copy_file_range} between two files of this file system copies on its server
     */
    static boolean copiesOnServer(long type) {
        return type == NFS || type == SMB2 || type == CIFS || type == CEPH;
    }

    /** @return a name for messages, such as {@code "NFS"}, or the number in hex */
    static String name(long type) {
        if (type == NFS) {
            return "NFS";
        }
        if (type == SMB2 || type == CIFS) {
            return "SMB";
        }
        if (type == CEPH) {
            return "Ceph";
        }
        return "file system 0x" + Long.toHexString(type);
    }
}

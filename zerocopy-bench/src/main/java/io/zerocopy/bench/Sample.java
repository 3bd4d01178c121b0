package io.zerocopy.bench;

/**
 * One measured transfer.
 *
 * @param bytes bytes that reached the target (for sockets: counted by the sink); for a
 *     broadcast, the bytes each target received
 * @param wallNs from just before the first byte moved until the target had the last one (for
 *     a broadcast: until the last target had its last byte)
 * @param moverCpuNs user + system CPU of the moving thread (or C process, or Netty event loop)
 * @param moverUserNs the user part of {@code moverCpuNs}; -1 if not known
 * @param peerCpuNs CPU of the peers (sink reader, proxy feeder; the broadcast's reader
 *     threads) during the transfer
 * @param deliveredBytes bytes delivered over all targets, the denominator of CPU per GiB:
 *     {@code bytes} for a single target, {@code bytes} times the fan-out for a broadcast
 */
record Sample(long bytes, long wallNs, long moverCpuNs, long moverUserNs, long peerCpuNs, long deliveredBytes) {

    /** A transfer to one target: every byte counted once. */
    Sample(long bytes, long wallNs, long moverCpuNs, long moverUserNs, long peerCpuNs) {
        this(bytes, wallNs, moverCpuNs, moverUserNs, peerCpuNs, bytes);
    }
}

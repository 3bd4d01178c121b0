package io.zerocopy.bench;

/**
 * One measured transfer.
 *
 * @param bytes bytes that reached the target (for sockets: counted by the sink)
 * @param wallNs from just before the first byte moved until the target had the last one
 * @param moverCpuNs user + system CPU of the moving thread (or C process, or Netty event loop)
 * @param moverUserNs the user part of {@code moverCpuNs}; -1 if not known
 * @param peerCpuNs CPU of the loopback peers (sink reader, proxy feeder) during the transfer
 */
record Sample(long bytes, long wallNs, long moverCpuNs, long moverUserNs, long peerCpuNs) { }

/**
 * Real peers over a real-MTU link, {@link io.zerocopy.bench.timing.peers.RealPeers}: a file
 * server and a TCP proxy built on the library, run as child JVMs
 * ({@link io.zerocopy.bench.timing.peers.FileServerMain},
 * {@link io.zerocopy.bench.timing.peers.ProxyMain}), against nginx with {@code sendfile} and
 * HAProxy with {@code splice}, over veth pairs of MTU 1500 between network namespaces; the
 * clients are curl or a small C client compiled at run time. Not API.
 */
package io.zerocopy.bench.timing.peers;

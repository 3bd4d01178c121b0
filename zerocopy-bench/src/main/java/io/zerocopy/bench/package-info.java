/**
 * The benchmark report, calibration and peers of zerocopy; not API.
 *
 * <p>Design: a {@link io.zerocopy.bench.Harness} owns the data files and, per network path, a
 * {@link io.zerocopy.bench.Link}: the peers (a sink that reads every socket row's output, a
 * feeder that writes every proxy row's input) for the whole run, so that rows differ only in how
 * the bytes are moved. The paths are loopback and, when the process may create network
 * namespaces, veth pairs of MTU 1500 into namespaces of their own
 * ({@link io.zerocopy.bench.VethNetwork}; the peers' listening sockets are opened inside them by
 * a thread that joins the namespace, {@link io.zerocopy.bench.NetNamespace}, while the mover and
 * every other thread stay in the root namespace). A
 * {@link io.zerocopy.bench.Row} performs one complete transfer and returns a
 * {@link io.zerocopy.bench.Sample}: the Java rows through the library or the JDK, the C and Go
 * rows through a subprocess ({@code zcpeer}, {@code zcpeer-go}, given the path's sink and
 * feeder as {@code address:port}), the Netty rows through an epoll event loop. The
 * {@link io.zerocopy.bench.Report} warms every row up, then measures rows in a new random order
 * each repetition, then runs the new-file copies ({@link io.zerocopy.bench.NewFileCopies}, on
 * the working file system and loop-mounted images); {@link io.zerocopy.bench.ReportWriter}
 * writes CSV, Markdown and hand-written SVG. What must be undone if the JVM exits early (the
 * run's directory, the images mounted inside it) is undone by one hook in reverse order of
 * making ({@link io.zerocopy.bench.ExitCleanup}). The broadcast scenario's rows
 * ({@link io.zerocopy.bench.BroadcastRows}) deliver one file to the 8 reader threads of a
 * {@link io.zerocopy.bench.Fanout}, started on first use; their samples carry the bytes per
 * target (throughput) and the bytes delivered over all targets (CPU per GiB).
 *
 * <p>Invariants: one transfer at a time (the peers serve one connection at a time, and a
 * session is registered before its connection is opened); every timed window opens after
 * channels are open and connected and closes when the target holds the last byte; measured
 * loops reuse their buffers.
 *
 * <p>The JMH benchmarks are in {@code io.zerocopy.bench.jmh}; the quick timing runs, each its
 * own {@code main}, in {@code io.zerocopy.bench.timing}.
 * The real-peer comparison (nginx and HAProxy over veth) is {@code io.zerocopy.bench.timing.peers.RealPeers}.
 */
package io.zerocopy.bench;

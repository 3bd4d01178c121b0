/**
 * The proxy-threads timing run, {@link io.zerocopy.bench.timing.proxy.ProxyThreads}: a TCP
 * proxy on virtual or platform threads or on asynchronous transfers, per engine of
 * {@link io.zerocopy.bench.timing.proxy.Engines}, over loopback in one process, or over loopback or
 * veth with its peers and proxy in child processes ({@link io.zerocopy.bench.timing.proxy.SplitRun}). Not API.
 */
package io.zerocopy.bench.timing.proxy;

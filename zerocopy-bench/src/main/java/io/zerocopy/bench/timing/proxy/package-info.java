/**
 * The proxy-threads timing run, {@link io.zerocopy.bench.timing.proxy.ProxyThreads}: a loopback
 * proxy on virtual or platform threads or on asynchronous transfers, default engine against
 * copy-only. Not API.
 */
package io.zerocopy.bench.timing.proxy;

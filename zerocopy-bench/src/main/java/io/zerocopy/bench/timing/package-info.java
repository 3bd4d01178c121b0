/**
 * Quick timing runs, each a {@code main} over the public API (not tests, not JMH), run from the
 * bench jar after {@code mvn -o -pl zerocopy-bench -am package -DskipTests}:
 * <pre>java -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.QuickTiming [dir]</pre>
 * {@link io.zerocopy.bench.timing.QuickTiming} times each strategy alone per endpoint pair,
 * {@link io.zerocopy.bench.timing.VmspliceTiming} times {@code send} through {@code vmsplice}
 * against the gathering write, {@link io.zerocopy.bench.timing.BroadcastTiming} times the
 * broadcast strategies, {@link io.zerocopy.bench.timing.proxy.ProxyThreads} times a loopback proxy
 * on virtual and platform threads and on asynchronous transfers while idle connections are held
 * ({@code io.zerocopy.bench.MemorySendVeth}, beside the report's veth network, times memory sends
 * over a veth link as root). On JDK 22 and later,
 * {@code --enable-native-access=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED} before
 * {@code -cp} silences the JDK's notices (the jar's manifest does so only for {@code java -jar}). Not API. docs/linux.md and
 * docs/broadcast.md quote their figures.
 */
package io.zerocopy.bench.timing;

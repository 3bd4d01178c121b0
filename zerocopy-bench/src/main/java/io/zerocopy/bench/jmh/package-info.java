/**
 * JMH benchmarks: throughput (and CPU per byte, as secondary results) by transfer size for each
 * strategy. Run with {@code java -cp zerocopy-bench.jar org.openjdk.jmh.Main} or
 * {@code java -jar zerocopy-bench.jar --jmh}; trim the matrix with {@code -p}.
 */
package io.zerocopy.bench.jmh;

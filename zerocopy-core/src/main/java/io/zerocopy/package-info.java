/**
 * Zero-copy transfers between channels: the user's API.
 *
 * <p>{@link io.zerocopy.ZeroCopy} is the entry point (static calls on a shared default engine);
 * {@link io.zerocopy.TransferEngine} a configured instance, built with
 * {@link io.zerocopy.TransferEngine.Builder}; {@link io.zerocopy.TransferResult},
 * {@link io.zerocopy.BroadcastResult} and {@link io.zerocopy.TransferListener} (with a
 * {@link io.zerocopy.TransferInfo} per transfer) report what happened, and JFR events
 * ({@code io.zerocopy.Transfer}, {@code io.zerocopy.Fallback}) record it while a recording
 * runs; {@link io.zerocopy.TransferException} and {@link io.zerocopy.BroadcastException} carry
 * the bytes delivered when a transfer fails; {@link io.zerocopy.BufferCoalescer} batches small
 * writes. Strategies are written against {@link io.zerocopy.spi}.
 *
 * <p>Design. The engine delegates: {@code Selection} yields the plan of a transfer (the
 * strategies to try for a pair of endpoint kinds and a size, with the threshold, the ranks of
 * {@code Defaults} and the providers, and the memory of refused strategies), used by every
 * transfer and by {@link io.zerocopy.TransferEngine#strategies(io.zerocopy.spi.ChannelKind,
 * io.zerocopy.spi.ChannelKind, long)} alike; {@code FallbackChain} runs a transfer down its
 * plan, each strategy continuing from the exact byte the last reached; {@code Broadcaster}
 * runs broadcasts; {@code Catalog} loads providers; {@code Checks} validates arguments.
 *
 * <p>No method accepts null; every argument is checked before any byte moves.
 */
package io.zerocopy;

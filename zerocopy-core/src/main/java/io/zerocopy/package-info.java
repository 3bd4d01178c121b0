/**
 * Zero-copy transfers between channels.
 *
 * <p>{@link io.zerocopy.ZeroCopy} is the entry point; {@link io.zerocopy.TransferEngine} a
 * configured instance; {@link io.zerocopy.TransferStrategy} and
 * {@link io.zerocopy.TransferStrategyProvider} the extension point; {@link io.zerocopy.BufferCoalescer}
 * batches small writes into gathering writes.
 *
 * <p>Design. An engine holds an ordered chain of strategies. For each transfer it skips the
 * strategies that do not support the pair of {@link io.zerocopy.ChannelKind}s or that it
 * remembers as refused, and runs the first that remains. A strategy reports bytes as they
 * reach the target ({@link io.zerocopy.Transfer#advance(long)}), so when it returns
 * {@link io.zerocopy.Outcome#unsupported} the next strategy starts at the exact byte reached;
 * when it throws, the engine wraps the error in a {@link io.zerocopy.TransferException}
 * carrying that count. Below the size threshold the copy loop is used directly.
 *
 * <p>No method accepts null; every argument is checked before any byte moves.
 */
package io.zerocopy;

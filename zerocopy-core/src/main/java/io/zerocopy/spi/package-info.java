/**
 * The strategy SPI: how a new way of moving bytes plugs into every engine.
 *
 * <p>A {@link io.zerocopy.spi.TransferStrategy} moves the bytes of one
 * {@link io.zerocopy.spi.Transfer}, reporting each write with
 * {@link io.zerocopy.spi.Transfer#advance(long)}; it returns
 * {@link io.zerocopy.spi.Outcome#COMPLETE} or
 * {@link io.zerocopy.spi.Outcome#unsupported unsupported}, after which the engine's next
 * strategy continues from the byte reached. A {@link io.zerocopy.spi.BroadcastStrategy} does
 * the same for one source and many targets ({@link io.zerocopy.spi.Broadcast}). A
 * {@link io.zerocopy.spi.TransferStrategyProvider}, found with {@link java.util.ServiceLoader},
 * offers strategies with their {@link io.zerocopy.spi.Preference ranks} per
 * {@link io.zerocopy.spi.ChannelKind} pair and size.
 *
 * <p>Invariant: every byte a strategy consumed from the source is either delivered (and
 * advanced) or reported undelivered before the strategy returns or throws; nothing in flight
 * is dropped silently.
 */
package io.zerocopy.spi;

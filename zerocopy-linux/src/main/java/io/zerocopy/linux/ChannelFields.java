package io.zerocopy.linux;

import java.nio.channels.Channel;

/**
 * Reads the descriptor fields of the JDK's own channel classes ({@code sun.nio.ch}). Two
 * implementations, chosen once by {@link ChannelDescriptors}: {@link MethodHandleFields} where
 * {@code java.base} opens {@code sun.nio.ch} to this module (supported, no warning), else
 * {@link UnsafeFields} through {@code sun.misc.Unsafe} while the JDK allows it. Internal: not API.
 */
interface ChannelFields {

    /**
     * @param channel a channel
     * @return its raw descriptor number, -1 if it is closed, -2 if this class has none readable
     */
    int raw(Channel channel);

    /**
     * @param channel a socket or pipe channel
     * @return true if the JDK has put its descriptor in non-blocking mode for good (virtual
     *     threads, JDK 19+)
     */
    boolean forcedNonBlocking(Channel channel);

    /** @return whether channels of this class have a readable descriptor */
    boolean readable(Class<?> type);
}

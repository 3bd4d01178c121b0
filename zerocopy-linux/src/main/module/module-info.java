/**
 * The Linux strategies of zerocopy (reflink, copy_file_range, sendfile, splice, tee, vmsplice),
 * provided to module {@code io.zerocopy} through {@link java.util.ServiceLoader}.
 *
 * <p>On JDK 22+ the system calls go through {@code java.lang.foreign}: grant
 * {@code --enable-native-access=io.zerocopy.linux}. Channel descriptors are read through
 * method handles where {@code --add-opens java.base/sun.nio.ch=io.zerocopy.linux} is given,
 * else through {@code sun.misc.Unsafe} where module {@code jdk.unsupported} is resolved. On JDK
 * 17 to 21 the calls go through jnr-ffi, an automatic module that must be resolved
 * ({@code --add-modules org.jnrproject.ffi} with its ASM modules, or
 * {@code --add-modules ALL-MODULE-PATH}). Without them the module reports itself unavailable,
 * with the cause, and the core's strategies serve. See docs/linux.md, "JDK options".
 */
module io.zerocopy.linux {
    requires io.zerocopy;
    // Optional at run time: the jnr-ffi binding (JDK 17-21) and the Unsafe descriptor route.
    requires static org.jnrproject.ffi;
    requires static org.jnrproject.jffi;
    requires static jdk.unsupported;

    exports io.zerocopy.linux;

    provides io.zerocopy.spi.TransferStrategyProvider with io.zerocopy.linux.LinuxStrategyProvider;
    provides io.zerocopy.spi.EventLoopProvider with io.zerocopy.linux.UringEventLoopProvider;
}

package io.zerocopy.linux;

import java.io.IOException;

import io.zerocopy.spi.Transfer;

/**
 * Opens a stepper over a {@link NativeSession} it will own: if making the stepper fails, the
 * session is closed before the failure propagates, so no descriptor or pipe is left behind.
 * Internal: not API.
 *
 * @param <S> the stepper
 */
@FunctionalInterface
interface SessionOpener<S> {

    /**
     * @param s a new session for the transfer, not yet opened; the stepper made owns it
     * @return the stepper
     * @throws IOException if a channel is closed or a descriptor cannot be prepared
     */
    S open(NativeSession s) throws IOException;

    /**
     * @param sys the binding
     * @param t the transfer
     * @param opener makes the stepper from the session
     * @return the stepper, owning the session
     * @throws IOException as the opener throws; the session is closed first (its failure suppressed)
     */
    static <S> S open(Syscalls sys, Transfer t, SessionOpener<S> opener) throws IOException {
        NativeSession s = NativeSession.of(sys, t);
        try {
            return opener.open(s);
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}

package dev.portoser.transport;

import org.jspecify.annotations.Nullable;

/** The machine's host key is unknown or changed, so the connection was refused (it could be an impostor). */
public class HostKeyVerificationException extends TransportException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param machine the machine's name
     * @param message what was expected and what happened
     * @param cause the underlying failure, or null
     */
    public HostKeyVerificationException(String machine, String message, @Nullable Throwable cause) {
        super(machine, message, cause);
    }
}

package dev.portoser.transport;

import org.jspecify.annotations.Nullable;

/** The connection broke while in use: the machine went away or the network failed. */
public class ConnectionLostException extends TransportException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param machine the machine's name
     * @param message what was expected and what happened
     * @param cause the underlying failure, or null
     */
    public ConnectionLostException(String machine, String message, @Nullable Throwable cause) {
        super(machine, message, cause);
    }
}

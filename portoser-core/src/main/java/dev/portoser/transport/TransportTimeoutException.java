package dev.portoser.transport;

import org.jspecify.annotations.Nullable;

/** An operation ran out of time: a connection that was not made, or a command that ran too long (it was killed). */
public class TransportTimeoutException extends TransportException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param machine the machine's name
     * @param message what was expected and what happened
     * @param cause the underlying failure, or null
     */
    public TransportTimeoutException(String machine, String message, @Nullable Throwable cause) {
        super(machine, message, cause);
    }
}

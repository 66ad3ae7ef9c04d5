package dev.portoser.transport;

import org.jspecify.annotations.Nullable;

/** A file to read does not exist on the machine. */
public class NoSuchRemoteFileException extends TransportException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param machine the machine's name
     * @param message what was expected and what happened
     * @param cause the underlying failure, or null
     */
    public NoSuchRemoteFileException(String machine, String message, @Nullable Throwable cause) {
        super(machine, message, cause);
    }
}

package dev.portoser.server;

import dev.portoser.PortoserException;
import org.jspecify.annotations.Nullable;

/** The server could not start, or a running server could not be reached or refused a request. */
public final class ServerException extends PortoserException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure.
     *
     * @param message what went wrong, in one sentence
     * @param cause the underlying failure, or null
     */
    public ServerException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * A failure.
     *
     * @param message what went wrong, in one sentence
     */
    public ServerException(String message) {
        super(message);
    }
}

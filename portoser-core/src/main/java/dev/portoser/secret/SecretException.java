package dev.portoser.secret;

import dev.portoser.PortoserException;
import org.jspecify.annotations.Nullable;

/** A secret could not be resolved. The message names the path and key, never a value. */
public class SecretException extends PortoserException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked and what went wrong
     * @param cause the underlying failure, or null
     */
    public SecretException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}

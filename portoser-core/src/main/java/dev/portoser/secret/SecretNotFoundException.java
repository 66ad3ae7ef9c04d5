package dev.portoser.secret;

import org.jspecify.annotations.Nullable;

/** The secret's path, or a key in it, does not exist. */
public final class SecretNotFoundException extends SecretException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which path and key
     * @param cause the underlying failure, or null
     */
    public SecretNotFoundException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}

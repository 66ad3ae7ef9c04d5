package dev.portoser.secret;

import org.jspecify.annotations.Nullable;

/** The machine's identity may not read the secret. */
public final class SecretAccessDeniedException extends SecretException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which path, for which machine
     * @param cause the underlying failure, or null
     */
    public SecretAccessDeniedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}

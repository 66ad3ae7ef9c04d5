package dev.portoser.transport;

import org.jspecify.annotations.Nullable;

/** The machine refused the login: wrong user, key or passphrase. */
public class AuthenticationException extends TransportException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param machine the machine's name
     * @param message what was expected and what happened
     * @param cause the underlying failure, or null
     */
    public AuthenticationException(String machine, String message, @Nullable Throwable cause) {
        super(machine, message, cause);
    }
}

package dev.portoser;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception that Portoser throws on purpose.
 *
 * <p>It is unchecked: callers catch the subtype for the area they care about
 * ({@link dev.portoser.registry.RegistryException} for a bad registry, for example).
 * Messages say what was expected and what was seen, and never contain a secret.
 */
public abstract class PortoserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what was expected and what was seen; must not be null
     */
    protected PortoserException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the cause it wraps.
     *
     * @param message what was expected and what was seen; must not be null
     * @param cause the underlying failure, or null
     */
    protected PortoserException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}

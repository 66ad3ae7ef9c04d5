package dev.portoser.transport;

import dev.portoser.PortoserException;
import org.jspecify.annotations.Nullable;

/** A machine could not be reached, or the connection to it failed. The message names the machine. */
public class TransportException extends PortoserException {
    private static final long serialVersionUID = 1L;
    /** The name of the machine concerned. */
    private final String machine;

    /**
     * Creates the exception.
     *
     * @param machine the machine's name
     * @param message what was expected and what happened
     * @param cause the underlying failure, or null
     */
    public TransportException(String machine, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.machine = machine;
    }

    /**
     * The name of the machine concerned.
     *
     * @return the name of the machine concerned
     */
    public String machine() {
        return machine;
    }
}

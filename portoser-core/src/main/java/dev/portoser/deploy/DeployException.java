package dev.portoser.deploy;

import dev.portoser.PortoserException;
import dev.portoser.transport.CommandResult;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A deployer could not do what it was asked; carries the command result that shows why, when there is one. */
public final class DeployException extends PortoserException {
    private static final long serialVersionUID = 1L;
    private final transient @Nullable CommandResult result;

    /**
     * Creates the exception.
     *
     * @param message what was being done and what went wrong
     * @param result the failed command's result, or null
     */
    public DeployException(String message, @Nullable CommandResult result) {
        super(message + (result == null ? "" : ": exit " + result.exitCode() + tail(result)));
        this.result = result;
    }

    /**
     * Creates the exception with a message that already says what went wrong, keeping the command's result (its
     * exit code and output) as evidence.
     *
     * @param message the whole message
     * @param cause the cause, or null
     * @param result the failed command's result, or null
     */
    public DeployException(String message, @Nullable Throwable cause, @Nullable CommandResult result) {
        super(message, cause);
        this.result = result;
    }

    /**
     * The failed command's result, if a command failed.
     *
     * @return the failed command's result, if a command failed
     */
    public Optional<CommandResult> result() {
        return Optional.ofNullable(result);
    }

    private static String tail(CommandResult r) {
        String tail = r.tail(5).strip();
        return tail.isEmpty() ? "" : ", last output: " + tail;
    }
}

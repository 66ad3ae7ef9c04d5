package dev.portoser.cli;

/** The command ran and found a failure that it already explained (exit code 1). */
final class FailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FailedException(String message) {
        super(message, null, false, false);
    }
}

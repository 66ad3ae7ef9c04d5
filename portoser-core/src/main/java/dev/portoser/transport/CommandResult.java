package dev.portoser.transport;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a command ended. A non-zero exit code is data, not an exception: the caller decides what failed.
 * Instances are immutable and thread-safe.
 *
 * @param exitCode the exit status; when a signal ended the command, 128 + the signal's number as shells report it
 * @param stdout standard output, decoded as UTF-8
 * @param stderr standard error, decoded as UTF-8
 * @param duration how long it ran
 * @param exitSignal the signal that ended it, such as {@code KILL}, or null when it exited
 */
public record CommandResult(int exitCode, String stdout, String stderr, Duration duration, @Nullable String exitSignal) {

    /**
     * Checks the components.
     *
     * @param stdout standard output
     * @param stderr standard error
     * @param duration the duration
     * @param exitCode the exit code
     * @param exitSignal the exit signal
     */
    public CommandResult {
        Objects.requireNonNull(stdout, "stdout == null");
        Objects.requireNonNull(stderr, "stderr == null");
        Objects.requireNonNull(duration, "duration == null");
    }

    /**
     * Whether the command exited with status 0.
     *
     * @return whether the command exited with status 0
     */
    public boolean succeeded() {
        return exitCode == 0 && exitSignal == null;
    }

    /**
     * The last {@code n} lines of standard error (or of standard output when standard error is empty).
     *
     * @param n how many lines
     * @return the last {@code n} lines of standard error (or of standard output when standard error is empty)
     */
    public String tail(int n) {
        String text = stderr.isBlank() ? stdout : stderr;
        String[] lines = text.strip().split("\n");
        int from = Math.max(0, lines.length - n);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    /** Shows the exit, the duration and the sizes of the output, not the output itself. */
    @Override
    public String toString() {
        return "CommandResult[exitCode=" + exitCode + (exitSignal == null ? "" : ", signal=" + exitSignal)
                + ", duration=" + duration + ", stdout=" + stdout.length() + " chars, stderr=" + stderr.length()
                + " chars]";
    }
}

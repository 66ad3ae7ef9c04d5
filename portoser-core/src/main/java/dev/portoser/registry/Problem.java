package dev.portoser.registry;

import dev.portoser.registry.internal.Texts;
import java.util.Comparator;
import java.util.Objects;

/**
 * One thing wrong with a registry, pinned to where it was found.
 *
 * <p>{@link #toString()} renders the compiler-style line that the CLI prints:
 * {@code registry.yml:12:11: error: services.web.port: expected a port number from 1 to 65535, found 70000}.
 * Messages never contain the value of an {@code env} entry or a secret id.
 *
 * @param severity whether loading fails because of it
 * @param source the file name (or another label for text parsed from memory)
 * @param line the 1-based line, or 0 when the problem concerns the whole source
 * @param column the 1-based column, or 0 when the problem concerns the whole source
 * @param path where in the registry, such as {@code services.web.port}; empty for the document itself
 * @param message what was expected and what was found
 */
public record Problem(Severity severity, String source, int line, int column, String path, String message) {

    /** Orders problems by source, line, column, then message, the order in which a reader meets them. */
    public static final Comparator<Problem> IN_SOURCE_ORDER = Comparator.comparing(Problem::source)
            .thenComparingInt(Problem::line)
            .thenComparingInt(Problem::column)
            .thenComparing(Problem::path)
            .thenComparing(Problem::message);

    private static final int MAX_PATH_SHOWN = 100;

    /**
     * Checks the components.
     *
     * @param severity the severity
     * @param source the source
     * @param path the path
     * @param message the message
     * @param line the line
     * @param column the column
     */
    public Problem {
        Objects.requireNonNull(severity, "severity == null");
        Objects.requireNonNull(source, "source == null");
        Objects.requireNonNull(path, "path == null");
        Objects.requireNonNull(message, "message == null");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must be >= 0, were " + line + ":" + column);
        }
    }

    /**
     * Whether this problem makes the registry unusable.
     *
     * @return whether this problem makes the registry unusable
     */
    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /**
     * {@code FILE:LINE:COL: error|warning: [path: ]message}; the position is left out when it is unknown, a path
     * longer than 100 characters is cut short. The line
     * is always one line: line breaks, controls and invisible characters (bidirectional overrides, zero-width
     * spaces) that a name or value in the registry may hold are shown escaped, as {@code \n} or a backslash,
     * {@code u} and four hex digits.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ").append(severity.label()).append(": ");
        if (!path.isEmpty()) {
            // A path holds names as written; a hostile one may be a megabyte long.
            sb.append(path.length() > MAX_PATH_SHOWN ? path.substring(0, MAX_PATH_SHOWN) + "..." : path).append(": ");
        }
        return Texts.escaped(sb.append(message).toString());
    }
}

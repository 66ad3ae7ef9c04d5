package dev.portoser.transport;

/**
 * Receives a command's output line by line while it runs (for live logs and progress). Called from a transport's
 * reader threads: it must be fast, thread-safe and must not throw.
 */
@FunctionalInterface
public interface OutputListener {
    /** A listener that ignores everything. */
    OutputListener NONE = (stream, line) -> { };

    /** Which stream a line came from. */
    enum Stream {
        /** Standard output. */
        STDOUT,
        /** Standard error. */
        STDERR
    }

    /**
     * One line of output, without its line terminator.
     *
     * @param stream where it came from
     * @param line the text
     */
    void line(Stream stream, String line);
}

package dev.portoser.registry.internal;

/** The text is not YAML that the composer accepts; carries the 1-based position (0 when unknown). */
public final class YamlSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;

    /**
     * Creates the exception.
     *
     * @param line 1-based line, or 0
     * @param column 1-based column, or 0
     * @param message what was expected and what was found
     */
    public YamlSyntaxException(int line, int column, String message) {
        super(message, null, false, false);
        this.line = line;
        this.column = column;
    }

    /** 1-based line, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column, or 0 when unknown. */
    public int column() {
        return column;
    }
}

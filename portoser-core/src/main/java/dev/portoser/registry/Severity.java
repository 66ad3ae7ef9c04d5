package dev.portoser.registry;

/** How serious a {@link Problem} is. */
public enum Severity {
    /** The registry cannot be used; loading fails. */
    ERROR,
    /** The registry loads, but something is probably not what the author meant (a secret stored inline, say). */
    WARNING;

    /**
     * The lower-case word used in rendered problems: {@code error} or {@code warning}.
     *
     * @return the lower-case word used in rendered problems: {@code error} or {@code warning}
     */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

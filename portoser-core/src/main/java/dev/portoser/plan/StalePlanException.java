package dev.portoser.plan;

import dev.portoser.PortoserException;
import java.util.List;

/**
 * A saved plan no longer matches the registry: something it acts on changed since it was made.
 * {@link #changes()} says what, by service or machine and field, without showing any value.
 */
public final class StalePlanException extends PortoserException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> changes;

    /**
     * Creates the exception.
     *
     * @param changes what changed, one entry per service or machine, such as {@code services.api: env, port changed}
     */
    public StalePlanException(List<String> changes) {
        super("The plan is stale: the registry changed since it was made: " + String.join("; ", changes)
                + ". Make a new plan.");
        this.changes = List.copyOf(changes);
    }

    /**
     * What changed, one entry per service or machine.
     *
     * @return what changed, one entry per service or machine
     */
    public List<String> changes() {
        return changes;
    }
}

package dev.portoser.health;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A service changed state. Instances are immutable and thread-safe.
 *
 * <p>When a service fails, it alone goes {@link HealthState#UNHEALTHY}; the services that depend on it and fail
 * with it go {@link HealthState#BLOCKED} with it named in {@link #rootCause()}. A listener that alerts only on
 * {@link #isRootCause()} transitions reports one failure once, not a storm.
 *
 * @param service the service's name
 * @param from its state before
 * @param to its state now
 * @param at when it changed (the monitor's clock)
 * @param result the check result that caused it, or null when a dependency's change caused it
 * @param rootCause for {@link HealthState#BLOCKED}, the unhealthy services at the root, else empty
 */
public record HealthTransition(String service, HealthState from, HealthState to, Instant at,
                               @Nullable HealthResult result, List<String> rootCause) {

    /**
     * Checks the components and copies the list.
     *
     * @param service the service
     * @param from the state before
     * @param to the state after
     * @param at when it happened
     * @param rootCause the root cause
     * @param result the result
     */
    public HealthTransition {
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(from, "from == null");
        Objects.requireNonNull(to, "to == null");
        Objects.requireNonNull(at, "at == null");
        rootCause = List.copyOf(rootCause);
    }

    /**
     * Whether this is a failure of the service itself ({@link HealthState#UNHEALTHY}), not one caused by another.
     *
     * @return whether this is a failure of the service itself ({@link HealthState#UNHEALTHY}), not one caused by another
     */
    public boolean isRootCause() {
        return to == HealthState.UNHEALTHY;
    }

    /**
     * One line for people: {@code api: HEALTHY -> BLOCKED (blocked by postgres)}.
     *
     * @return one line for people: {@code api: HEALTHY -> BLOCKED (blocked by postgres)}
     */
    public String describe() {
        String why = to == HealthState.BLOCKED ? " (blocked by " + String.join(", ", rootCause) + ")"
                : result != null ? " (" + result.detail() + ")" : "";
        return service + ": " + from + " -> " + to + why;
    }
}

package dev.portoser.health;

/**
 * One health check: looks once and says what it saw. Implementations are stateless and thread-safe, never throw
 * for an unhealthy service (that is a result), and bound their own time by the health spec's timeout.
 */
@FunctionalInterface
public interface HealthCheck {
    /**
     * Checks once.
     *
     * @param target what to check
     * @return the result
     */
    HealthResult check(HealthTarget target);
}

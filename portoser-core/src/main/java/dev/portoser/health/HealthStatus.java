package dev.portoser.health;

/** What a health check concluded. */
public enum HealthStatus {
    /** The service answered as expected. */
    HEALTHY,
    /** The service did not answer, or answered wrongly. */
    UNHEALTHY,
    /** The service has no health check, so nothing can be said. */
    UNKNOWN,
    /**
     * The service's own instance (process, container, unit) is not running: it exited, crashed or never started.
     * Waiting cannot help; only a new start can.
     */
    DOWN
}

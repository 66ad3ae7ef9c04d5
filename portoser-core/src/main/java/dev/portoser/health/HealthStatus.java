package dev.portoser.health;

/** What a health check concluded. */
public enum HealthStatus {
    /** The service answered as expected. */
    HEALTHY,
    /** The service did not answer, or answered wrongly. */
    UNHEALTHY,
    /** The service has no health check, so nothing can be said. */
    UNKNOWN
}

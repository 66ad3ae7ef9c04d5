package dev.portoser.health;

/** What the {@link HealthMonitor} says of a service, from its recent checks and those of its dependencies. */
public enum HealthState {
    /** Not checked yet, or it has no check at all. */
    UNKNOWN,
    /** Checked, but not yet healthy and not yet failed {@code retries} times in a row: coming up. */
    STARTING,
    /** Passing: its last checks succeeded (a single failure below {@code retries} does not end this). */
    HEALTHY,
    /** Failed {@code retries} checks in a row, or its own instance is gone. */
    UNHEALTHY,
    /**
     * Failing, but a service it depends on ({@code depends_on}) is unhealthy: the dependency is the root cause, and
     * this one is not reported as failing itself.
     */
    BLOCKED,
    /** Its results change too often to say: the share of changes among its recent results is above a threshold. */
    FLAPPING;

    /**
     * Whether this state counts against the services that depend on it ({@link #UNHEALTHY} or {@link #BLOCKED}).
     *
     * @return whether this state counts against the services that depend on it ({@link #UNHEALTHY} or {@link #BLOCKED})
     */
    public boolean blocksDependents() {
        return this == UNHEALTHY || this == BLOCKED;
    }
}

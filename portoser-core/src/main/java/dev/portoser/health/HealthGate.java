package dev.portoser.health;

import java.time.Duration;
import java.util.Objects;

/**
 * Waits for a new instance to become healthy: polls its check every {@link #pollInterval()} (250 ms by default, not
 * the spec's steady 30 s) until it passes or the deadline comes, so the wait ends within one poll of the service
 * becoming healthy. Stateless and thread-safe.
 */
public final class HealthGate {
    /** The default time between polls while waiting. */
    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);

    private final Duration pollInterval;

    /** A gate that polls every 250 ms. */
    public HealthGate() {
        this(DEFAULT_POLL);
    }

    /**
     * A gate with its own poll interval.
     *
     * @param pollInterval time between polls; positive
     */
    public HealthGate(Duration pollInterval) {
        Objects.requireNonNull(pollInterval, "pollInterval == null");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
        this.pollInterval = pollInterval;
    }

    /** The time between polls. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * Polls until healthy or the deadline.
     *
     * @param check the check
     * @param target what to check
     * @param timeout how long to wait at most
     * @return the first healthy result, the first {@link HealthStatus#DOWN} one (the instance is gone: waiting
     *     cannot help), or the last unhealthy one when time ran out
     * @throws InterruptedException when interrupted while waiting
     */
    public HealthResult await(HealthCheck check, HealthTarget target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HealthResult result = check.check(target);
            if (result.isHealthy() || result.isDown()) {
                return result;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return result;
            }
            HealthChecks.pause(Duration.ofNanos(Math.min(left, pollInterval.toNanos())));
        }
    }
}

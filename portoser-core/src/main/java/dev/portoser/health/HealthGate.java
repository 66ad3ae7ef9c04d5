package dev.portoser.health;

import java.time.Duration;
import java.util.Objects;

/**
 * Waits for a new instance to become healthy: polls its check fast at first (after 20 ms, then each pause a
 * quarter longer) up to {@link #pollInterval()} between polls (100 ms by default, not the spec's steady 30 s), until
 * it passes, its instance is {@link HealthStatus#DOWN gone}, or the deadline comes. So the wait ends within a few
 * tens of milliseconds of the service becoming healthy, or of its process dying. Stateless and thread-safe.
 */
public final class HealthGate {
    /** The default longest time between polls while waiting. */
    public static final Duration DEFAULT_POLL = Duration.ofMillis(100);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(20);

    private final Duration pollInterval;

    /** A gate that polls every 20 ms at first, growing to 100 ms. */
    public HealthGate() {
        this(DEFAULT_POLL);
    }

    /**
     * A gate with its own longest poll interval.
     *
     * @param pollInterval the longest time between polls; positive
     */
    public HealthGate(Duration pollInterval) {
        Objects.requireNonNull(pollInterval, "pollInterval == null");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
        this.pollInterval = pollInterval;
    }

    /**
     * The longest time between polls.
     *
     * @return the longest time between polls
     */
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
        return poll(check, target, timeout, false);
    }

    /**
     * Polls for a while to see that a check keeps passing: for a service without a health check of its own, whose
     * process must still run after a settle time.
     *
     * @param check the check
     * @param target what to check
     * @param duration how long it must keep passing
     * @return the first result that does not pass, else the last one
     * @throws InterruptedException when interrupted while waiting
     */
    public HealthResult holds(HealthCheck check, HealthTarget target, Duration duration) throws InterruptedException {
        return poll(check, target, duration, true);
    }

    private HealthResult poll(HealthCheck check, HealthTarget target, Duration timeout, boolean untilEnd)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = Math.min(FIRST_PAUSE.toNanos(), pollInterval.toNanos());
        while (true) {
            HealthResult result = check.check(target);
            if (result.isDown() || (result.isHealthy() != untilEnd)) {
                return result;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return result;
            }
            HealthChecks.pause(Duration.ofNanos(Math.min(left, pause)));
            pause = Math.min(pollInterval.toNanos(), pause + pause / 4);
        }
    }
}

package dev.portoser.heal;

import java.time.Duration;
import java.util.Objects;

/**
 * How hard to try to heal one service: restart back-off (first delay, multiplier, cap, jitter) whose counters reset
 * only once the service has been healthy for {@link #resetAfterHealthy()} (never on a reload, unlike Monit), and a
 * circuit breaker of at most {@link #maxAttempts()} attempts per {@link #window()}, after which healing stops and
 * reports until the window has room again or the service has been healthy long enough. The defaults follow
 * Kubernetes' CrashLoopBackOff (10 s doubling to 5 min, reset after 10 min healthy) with a breaker of 5 attempts per
 * 30 minutes. Immutable and thread-safe.
 *
 * @param initialBackoff the wait after the first attempt
 * @param multiplier how much each wait grows over the last (at least 1)
 * @param maxBackoff the longest wait
 * @param jitter the largest share added at random to each wait (0 to 1), so services do not retry in step
 * @param resetAfterHealthy how long the service must be healthy before its counters reset
 * @param maxAttempts attempts allowed per window (at least 1)
 * @param window the window of the circuit breaker
 */
public record HealingPolicy(Duration initialBackoff, double multiplier, Duration maxBackoff, double jitter,
                            Duration resetAfterHealthy, int maxAttempts, Duration window) {

    /** The defaults: 10 s ×2 up to 300 s, 10 % jitter, reset after 10 min healthy, 5 attempts per 30 min. */
    public static final HealingPolicy DEFAULT = new HealingPolicy(Duration.ofSeconds(10), 2.0, Duration.ofMinutes(5),
            0.1, Duration.ofMinutes(10), 5, Duration.ofMinutes(30));

    /**
     * Checks the components.
     *
     * @param initialBackoff the wait after the first attempt, not negative
     * @param multiplier how much each wait grows over the last, at least 1
     * @param maxBackoff the longest wait, at least {@code initialBackoff}
     * @param jitter the largest share added at random to each wait, from 0 to 1
     * @param resetAfterHealthy how long the service must be healthy before its counters reset, not negative
     * @param maxAttempts attempts allowed per window, at least 1
     * @param window the window of the circuit breaker, positive
     * @throws IllegalArgumentException when a component is out of its range
     */
    public HealingPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff == null");
        Objects.requireNonNull(maxBackoff, "maxBackoff == null");
        Objects.requireNonNull(resetAfterHealthy, "resetAfterHealthy == null");
        Objects.requireNonNull(window, "window == null");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("expected 0 <= initialBackoff <= maxBackoff, were " + initialBackoff
                    + " and " + maxBackoff);
        }
        if (!(multiplier >= 1.0) || !(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("expected multiplier >= 1 and jitter from 0 to 1, were " + multiplier
                    + " and " + jitter);
        }
        if (maxAttempts < 1 || window.isNegative() || window.isZero() || resetAfterHealthy.isNegative()) {
            throw new IllegalArgumentException("expected maxAttempts >= 1 and a positive window");
        }
    }

    /**
     * This policy with another back-off.
     *
     * @param initial the wait after the first attempt
     * @param factor how much each wait grows over the last, at least 1
     * @param cap the longest wait, at least {@code initial}
     * @param jitterShare the largest share added at random to each wait, from 0 to 1
     * @return a policy with this back-off and this policy's reset time and circuit breaker
     * @throws IllegalArgumentException when a value is out of its range
     */
    public HealingPolicy withBackoff(Duration initial, double factor, Duration cap, double jitterShare) {
        return new HealingPolicy(initial, factor, cap, jitterShare, resetAfterHealthy, maxAttempts, window);
    }

    /**
     * This policy with another circuit breaker.
     *
     * @param attempts attempts allowed per window, at least 1
     * @param per the window, positive
     * @return a policy with this breaker and this policy's back-off and reset time
     * @throws IllegalArgumentException when a value is out of its range
     */
    public HealingPolicy withCircuitBreaker(int attempts, Duration per) {
        return new HealingPolicy(initialBackoff, multiplier, maxBackoff, jitter, resetAfterHealthy, attempts, per);
    }

    /**
     * This policy with another reset time.
     *
     * @param healthyFor how long the service must be healthy before its counters reset, not negative
     * @return a policy with this reset time and this policy's back-off and circuit breaker
     * @throws IllegalArgumentException when the time is negative
     */
    public HealingPolicy withResetAfterHealthy(Duration healthyFor) {
        return new HealingPolicy(initialBackoff, multiplier, maxBackoff, jitter, healthyFor, maxAttempts, window);
    }

    /**
     * The wait after the n-th attempt in a row, before jitter.
     *
     * @param attempt 1 for the first
     * @return the wait
     */
    public Duration backoff(int attempt) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return millis >= maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis((long) millis);
    }
}

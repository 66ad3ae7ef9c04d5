package dev.portoser.health;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of one check, with the evidence. Instances are immutable and thread-safe.
 *
 * @param status what was concluded
 * @param detail what was seen, such as {@code GET http://10.200.0.11:8080/health -> 200}
 * @param latency how long the check took
 */
public record HealthResult(HealthStatus status, String detail, Duration latency) {

    /**
     * Checks the components.
     *
     * @param status the status
     * @param detail the detail
     * @param latency the latency
     */
    public HealthResult {
        Objects.requireNonNull(status, "status == null");
        Objects.requireNonNull(detail, "detail == null");
        Objects.requireNonNull(latency, "latency == null");
    }

    /**
     * Whether the status is {@link HealthStatus#HEALTHY}.
     *
     * @return whether the status is {@link HealthStatus#HEALTHY}
     */
    public boolean isHealthy() {
        return status == HealthStatus.HEALTHY;
    }

    /**
     * Whether the service's own instance is gone ({@link HealthStatus#DOWN}): waiting cannot help.
     *
     * @return whether the service's own instance is gone ({@link HealthStatus#DOWN}): waiting cannot help
     */
    public boolean isDown() {
        return status == HealthStatus.DOWN;
    }

    /**
     * A healthy result.
     *
     * @param detail what was seen
     * @param startNanos {@link System#nanoTime()} when the check began
     * @return the result
     */
    public static HealthResult healthy(String detail, long startNanos) {
        return new HealthResult(HealthStatus.HEALTHY, detail, Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /**
     * An unhealthy result.
     *
     * @param detail what was seen
     * @param startNanos {@link System#nanoTime()} when the check began
     * @return the result
     */
    public static HealthResult unhealthy(String detail, long startNanos) {
        return new HealthResult(HealthStatus.UNHEALTHY, detail, Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /**
     * The service's own instance is gone.
     *
     * @param detail what was seen (its exit status and log tail, say)
     * @param startNanos {@link System#nanoTime()} when the check began
     * @return the result
     */
    public static HealthResult down(String detail, long startNanos) {
        return new HealthResult(HealthStatus.DOWN, detail, Duration.ofNanos(System.nanoTime() - startNanos));
    }
}

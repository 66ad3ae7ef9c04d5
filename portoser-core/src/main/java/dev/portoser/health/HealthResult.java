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

    /** Checks the components. */
    public HealthResult {
        Objects.requireNonNull(status, "status == null");
        Objects.requireNonNull(detail, "detail == null");
        Objects.requireNonNull(latency, "latency == null");
    }

    /** Whether the status is {@link HealthStatus#HEALTHY}. */
    public boolean isHealthy() {
        return status == HealthStatus.HEALTHY;
    }

    static HealthResult healthy(String detail, long startNanos) {
        return new HealthResult(HealthStatus.HEALTHY, detail, Duration.ofNanos(System.nanoTime() - startNanos));
    }

    static HealthResult unhealthy(String detail, long startNanos) {
        return new HealthResult(HealthStatus.UNHEALTHY, detail, Duration.ofNanos(System.nanoTime() - startNanos));
    }
}

package dev.portoser.health;

import java.time.Instant;
import java.util.Objects;

/**
 * One past check of a service, for its recent history. Instances are immutable and thread-safe.
 *
 * @param at when the check ended (the monitor's clock)
 * @param result what it saw
 */
public record HealthSample(Instant at, HealthResult result) {

    /**
     * Checks the components.
     *
     * @param at when it happened
     * @param result the result
     */
    public HealthSample {
        Objects.requireNonNull(at, "at == null");
        Objects.requireNonNull(result, "result == null");
    }
}

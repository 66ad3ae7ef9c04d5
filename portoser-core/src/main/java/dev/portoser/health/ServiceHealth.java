package dev.portoser.health;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link HealthMonitor} knows of one service at one moment. Instances are immutable and thread-safe.
 *
 * @param service the service's name
 * @param machine the name of its machine
 * @param state its state
 * @param since when it entered this state (the monitor's clock)
 * @param lastResult the result of its last check, or null before the first
 * @param lastChecked when its last check ended, or null before the first
 * @param consecutiveFailures failed checks in a row (0 after a success)
 * @param consecutiveSuccesses passed checks in a row (0 after a failure)
 * @param blockedBy for {@link HealthState#BLOCKED}, the unhealthy services at the root of it, else empty
 * @param history its recent checks, oldest first
 */
public record ServiceHealth(String service, String machine, HealthState state, Instant since,
                            @Nullable HealthResult lastResult, @Nullable Instant lastChecked, int consecutiveFailures,
                            int consecutiveSuccesses, List<String> blockedBy, List<HealthSample> history) {

    /**
     * Checks the components and copies the lists.
     *
     * @param service the service
     * @param machine the machine
     * @param state the state
     * @param since since when it is in this state
     * @param blockedBy the services blocking it
     * @param history the history
     * @param consecutiveFailures the consecutive failures
     * @param consecutiveSuccesses the consecutive successes
     * @param lastChecked the last checked
     * @param lastResult the last result
     */
    public ServiceHealth {
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(state, "state == null");
        Objects.requireNonNull(since, "since == null");
        blockedBy = List.copyOf(blockedBy);
        history = List.copyOf(history);
    }

    /**
     * How long its last check took, or null before the first.
     *
     * @return how long its last check took, or null before the first
     */
    public @Nullable Duration latency() {
        return lastResult == null ? null : lastResult.latency();
    }
}

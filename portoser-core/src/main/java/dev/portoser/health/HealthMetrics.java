package dev.portoser.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters for a {@link HealthMonitor}: register it as a listener. Per service, the gauge
 * {@code portoser.health.state} (0 unknown, 1 starting, 2 healthy, 3 unhealthy, 4 blocked, 5 flapping — the
 * {@link HealthState} ordinal) and the gauge {@code portoser.health.healthy} (1 when healthy, else 0), both
 * tagged {@code service}; and the timer {@code portoser.health.check} of check latency, tagged {@code service} and
 * {@code outcome} ({@code healthy}, {@code unhealthy}, {@code down}, {@code unknown}).
 *
 * <pre>{@code
 * HealthMonitor.builder(registry).listener(new HealthMetrics(meterRegistry)).start();
 * }</pre>
 *
 * <p>Micrometer is an optional dependency of portoser-core: add {@code io.micrometer:micrometer-core} to use this
 * class. Thread-safe.
 */
public final class HealthMetrics implements HealthListener {
    private final MeterRegistry meters;
    private final Map<String, AtomicInteger> states = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /**
     * Meters in a registry.
     *
     * @param meters the meter registry
     */
    public HealthMetrics(MeterRegistry meters) {
        this.meters = Objects.requireNonNull(meters, "meters == null");
    }

    private AtomicInteger state(String service) {
        return states.computeIfAbsent(service, s -> {
            AtomicInteger value = new AtomicInteger(HealthState.UNKNOWN.ordinal());
            Gauge.builder("portoser.health.state", value, AtomicInteger::get).tags(Tags.of("service", s))
                    .description("The health monitor's state of the service (HealthState ordinal)").register(meters);
            Gauge.builder("portoser.health.healthy", value, v -> v.get() == HealthState.HEALTHY.ordinal() ? 1 : 0)
                    .tags(Tags.of("service", s)).description("1 when the service is healthy").register(meters);
            return value;
        });
    }

    @Override
    public void transition(HealthTransition transition) {
        state(transition.service()).set(transition.to().ordinal());
    }

    @Override
    public void checked(String service, HealthResult result, Duration lateness) {
        state(service);
        String outcome = result.status().name().toLowerCase(java.util.Locale.ROOT);
        timers.computeIfAbsent(service + '\u0000' + outcome, k -> Timer.builder("portoser.health.check")
                .tags(Tags.of("service", service, "outcome", outcome)).description("Health check latency")
                .register(meters)).record(result.latency());
    }
}

package dev.portoser.heal;

import dev.portoser.health.HealthListener;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthState;
import dev.portoser.health.HealthTransition;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heals what a {@link dev.portoser.health.HealthMonitor} finds failing, opt-in: register it as the monitor's listener
 * and each service of the selection (or every service) that turns {@link HealthState#UNHEALTHY} is healed by the
 * {@link Healer}, under its policy (back-off, circuit breaker). A {@link HealthState#BLOCKED} service is not healed
 * (its dependency is the root cause, and is healed when it turns unhealthy itself), nor a flapping one. Every check
 * also keeps the healer's healthy periods current. Healing runs on one daemon thread of its own
 * ({@code portoser-autoheal}), never on the monitor's event thread; a service is never healed twice at once.
 *
 * <pre>{@code
 * try (AutoHealer auto = AutoHealer.of(healer, Set.of("api"));
 *      HealthMonitor monitor = HealthMonitor.builder(registry).listener(auto).start()) { ... }
 * }</pre>
 *
 * Thread-safe; {@link #close()} is idempotent and waits briefly for a heal in progress.
 */
public final class AutoHealer implements HealthListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AutoHealer.class);
    private final Healer healer;
    private final HealthListener counters;
    private final @Nullable Set<String> selection;
    private final Consumer<HealReport> reports;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portoser-autoheal");
        t.setDaemon(true);
        return t;
    });

    private AutoHealer(Healer healer, @Nullable Collection<String> services, Consumer<HealReport> reports) {
        this.healer = Objects.requireNonNull(healer, "healer == null");
        this.counters = healer.healthListener();
        this.selection = services == null ? null : Set.copyOf(services);
        this.reports = Objects.requireNonNull(reports, "reports == null");
    }

    /**
     * Heals every service that turns unhealthy.
     *
     * @param healer the healer
     * @return the listener
     */
    public static AutoHealer of(Healer healer) {
        return new AutoHealer(healer, null, r -> { });
    }

    /**
     * Heals these services when they turn unhealthy, and hands each report on.
     *
     * @param healer the healer
     * @param services the services healed automatically
     * @param reports what is told of each heal (on the healing thread)
     * @return the listener
     */
    public static AutoHealer of(Healer healer, Collection<String> services, Consumer<HealReport> reports) {
        return new AutoHealer(healer, services, reports);
    }

    @Override
    public void transition(HealthTransition t) {
        counters.transition(t);
        if (t.to() != HealthState.UNHEALTHY || (selection != null && !selection.contains(t.service()))
                || !inFlight.add(t.service())) {
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    reports.accept(healer.heal(t.service()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.warn("healing {} failed: {}", t.service(), dev.portoser.ErrorMessages.describe(e));
                } finally {
                    inFlight.remove(t.service());
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(t.service());
        }
    }

    @Override
    public void checked(String service, HealthResult result, Duration lateness) {
        counters.checked(service, result, lateness);
    }

    /** Stops healing; waits up to 5 s for a heal in progress. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

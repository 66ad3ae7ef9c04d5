package dev.portoser.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One health check: looks once and says what it saw. Implementations are stateless and thread-safe, never throw
 * for an unhealthy service (that is a result), and bound their own time by the health spec's timeout.
 */
@FunctionalInterface
public interface HealthCheck {
    /**
     * Checks once.
     *
     * @param target what to check
     * @return the result
     */
    HealthResult check(HealthTarget target);

    /**
     * Checks once without holding the caller's thread. The built-in HTTP check answers through OkHttp's
     * dispatcher and the TCP check connects without blocking; by default a check runs {@link #check} on
     * {@code blocking}. The future never completes exceptionally: a check that throws answers
     * {@link HealthStatus#UNHEALTHY} with what it said.
     *
     * @param target what to check
     * @param blocking where to run checks that must block (a bounded pool)
     * @return the result, when it is known
     */
    default CompletableFuture<HealthResult> checkAsync(HealthTarget target, Executor blocking) {
        long start = System.nanoTime();
        try {
            return CompletableFuture.supplyAsync(() -> check(target), blocking)
                    .exceptionally(e -> HealthResult.unhealthy("the check failed: " + Checks.reason(e), start));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(HealthResult.unhealthy("the check was not run: shutting down",
                    start));
        }
    }

    /**
     * A check that runs these in order and passes only when all pass: the first result that is not healthy is
     * the answer (so a contributed "our process runs" check that answers {@link HealthStatus#DOWN} stops the
     * rest). With no checks, the answer is {@link HealthStatus#UNKNOWN}.
     *
     * @param checks the checks
     * @return the combined check
     */
    static HealthCheck allOf(List<HealthCheck> checks) {
        List<HealthCheck> all = List.copyOf(checks);
        if (all.size() == 1) {
            return all.get(0);
        }
        return new HealthCheck() {
            @Override
            public HealthResult check(HealthTarget target) {
                if (all.isEmpty()) {
                    return new HealthResult(HealthStatus.UNKNOWN, "no health check defined", Duration.ZERO);
                }
                List<String> seen = new ArrayList<>();
                Duration latency = Duration.ZERO;
                for (HealthCheck check : all) {
                    HealthResult r = check.check(target);
                    latency = latency.plus(r.latency());
                    if (!r.isHealthy()) {
                        return new HealthResult(r.status(), r.detail(), latency);
                    }
                    seen.add(r.detail());
                }
                return new HealthResult(HealthStatus.HEALTHY, String.join("; ", seen), latency);
            }

            @Override
            public CompletableFuture<HealthResult> checkAsync(HealthTarget target, Executor blocking) {
                if (all.isEmpty()) {
                    return CompletableFuture.completedFuture(
                            new HealthResult(HealthStatus.UNKNOWN, "no health check defined", Duration.ZERO));
                }
                return Checks.inOrder(all, check -> check.checkAsync(target, blocking));
            }
        };
    }
}

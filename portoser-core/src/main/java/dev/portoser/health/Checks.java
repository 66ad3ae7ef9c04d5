package dev.portoser.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/** Helpers shared by the checks and the monitor. Not API. */
final class Checks {
    private Checks() {
    }

    /** A built-in check whose asynchronous form ends within its spec's timeout by itself. */
    interface SelfTimed {
    }

    /** What went wrong, as a sentence: the innermost message, never a class name unless there is nothing else. */
    static String reason(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message != null && !message.isBlank() ? message : "an unexpected error";
    }

    /**
     * Runs checks one after the other, each only once the one before passed: the first result that is not healthy
     * is the answer, else a healthy one with every detail and the summed latency.
     */
    static <C> CompletableFuture<HealthResult> inOrder(List<C> checks, Function<C, CompletableFuture<HealthResult>> run) {
        return step(checks, 0, run, new ArrayList<>(), Duration.ZERO);
    }

    private static <C> CompletableFuture<HealthResult> step(List<C> checks, int i,
            Function<C, CompletableFuture<HealthResult>> run, List<String> seen, Duration latency) {
        return run.apply(checks.get(i)).thenCompose(r -> {
            Duration sum = latency.plus(r.latency());
            if (!r.isHealthy()) {
                return CompletableFuture.completedFuture(new HealthResult(r.status(), r.detail(), sum));
            }
            seen.add(r.detail());
            if (i + 1 == checks.size()) {
                return CompletableFuture.completedFuture(new HealthResult(HealthStatus.HEALTHY,
                        String.join("; ", seen), sum));
            }
            return step(checks, i + 1, run, seen, sum);
        });
    }

    /** A duration for people: {@code 500 ms}, {@code 2 s}. */
    static String human(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 && ms % 1000 != 0 ? ms + " ms" : (ms / 1000) + " s";
    }
}

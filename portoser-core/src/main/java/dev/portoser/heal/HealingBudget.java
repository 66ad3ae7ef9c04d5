package dev.portoser.heal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The counters of one service under its {@link HealingPolicy}: attempts in a row (for the back-off), attempts in
 * the breaker's window, and since when it has been healthy. Time comes from the caller (an injected clock), so
 * nothing here sleeps. Thread-safe. A healer built with {@link Healer.Builder#budgetsUnder} keeps them in the state
 * directory, so they hold across processes.
 */
public final class HealingBudget {
    private final HealingPolicy policy;
    private final RandomGenerator random;
    private final Deque<Instant> attempts = new ArrayDeque<>();
    private int inARow;
    private @Nullable Instant notBefore;
    private @Nullable Instant healthySince;
    private Consumer<Counters> persist = c -> { };

    /** What is kept of the counters between processes (package-private: the file format of {@link BudgetStore}). */
    record Counters(@Nullable List<Instant> attempts, int inARow, @Nullable Instant notBefore,
                    @Nullable Instant healthySince) {
        boolean valid() {
            return attempts != null && inARow >= 0 && attempts.stream().allMatch(Objects::nonNull);
        }
    }

    /**
     * Counters under a policy.
     *
     * @param policy the policy
     * @param random where jitter comes from
     */
    public HealingBudget(HealingPolicy policy, RandomGenerator random) {
        this.policy = Objects.requireNonNull(policy, "policy == null");
        this.random = Objects.requireNonNull(random, "random == null");
    }

    /** Takes up counters written before, and writes every change from now on. */
    synchronized void persisted(@Nullable Counters before, Consumer<Counters> sink) {
        if (before != null) {
            attempts.clear();
            attempts.addAll(before.attempts().stream().sorted().toList());
            inARow = before.inARow();
            notBefore = before.notBefore();
            healthySince = before.healthySince();
        }
        this.persist = Objects.requireNonNull(sink, "sink == null");
    }

    private void changed() {
        persist.accept(new Counters(List.copyOf(attempts), inARow, notBefore, healthySince));
    }

    /**
     * The policy.
     *
     * @return the policy these counters are kept under
     */
    public HealingPolicy policy() {
        return policy;
    }

    /**
     * Whether an attempt may be made now.
     *
     * @param now the time
     * @return the decision, with the time from which one may be made when not now
     */
    public synchronized Decision admit(Instant now) {
        prune(now);
        if (attempts.size() >= policy.maxAttempts()) {
            return new Decision(Decision.Kind.CIRCUIT_OPEN, attempts.peekFirst().plus(policy.window()),
                    attempts.size() + " attempts within " + policy.window() + "; the circuit is open until the window "
                            + "has room or it has been healthy for " + policy.resetAfterHealthy());
        }
        if (notBefore != null && now.isBefore(notBefore)) {
            return new Decision(Decision.Kind.BACKING_OFF, notBefore, "backing off after " + inARow + " attempt"
                    + (inARow == 1 ? "" : "s") + " in a row, until " + notBefore);
        }
        return new Decision(Decision.Kind.ALLOWED, now, "allowed");
    }

    /**
     * Counts an attempt made now, and sets the wait before the next.
     *
     * @param now the time
     * @return the wait before the next attempt
     */
    public synchronized Duration attempted(Instant now) {
        prune(now);
        attempts.addLast(now);
        inARow++;
        healthySince = null;
        Duration base = policy.backoff(inARow);
        Duration wait = base.plusMillis((long) (base.toMillis() * policy.jitter() * random.nextDouble()));
        notBefore = now.plus(wait);
        changed();
        return wait;
    }

    /**
     * The service was seen healthy now; once it has been so for the policy's time, every counter resets.
     *
     * @param now the time
     * @return whether the counters were reset by this call
     */
    public synchronized boolean healthy(Instant now) {
        boolean started = healthySince == null;
        if (started) {
            healthySince = now;
        }
        if (!Duration.between(healthySince, now).minus(policy.resetAfterHealthy()).isNegative()
                && (inARow > 0 || !attempts.isEmpty())) {
            attempts.clear();
            inARow = 0;
            notBefore = null;
            changed();
            return true;
        }
        if (started) {
            changed();
        }
        return false;
    }

    /** The service was seen unhealthy: a healthy period ends. */
    public synchronized void unhealthy() {
        if (healthySince != null) {
            healthySince = null;
            changed();
        }
    }

    /**
     * Attempts in a row since the last reset.
     *
     * @return the attempts counted since the service was last healthy long enough, 0 after a reset
     */
    public synchronized int attemptsInARow() {
        return inARow;
    }

    private void prune(Instant now) {
        while (!attempts.isEmpty() && !attempts.peekFirst().plus(policy.window()).isAfter(now)) {
            attempts.removeFirst();
        }
    }

    /**
     * Whether to attempt now.
     *
     * @param kind the decision
     * @param from when an attempt may be made
     * @param reason in words
     */
    public record Decision(Kind kind, Instant from, String reason) {
        /** The decisions. */
        public enum Kind {
            /** Go ahead. */
            ALLOWED,
            /** Wait for the back-off. */
            BACKING_OFF,
            /** Too many attempts in the window. */
            CIRCUIT_OPEN
        }

        /**
         * Whether an attempt may be made.
         *
         * @return true when the kind is {@link Kind#ALLOWED}
         */
        public boolean allowed() {
            return kind == Kind.ALLOWED;
        }
    }
}

package dev.portoser.exec;

import dev.portoser.transport.AuthenticationException;
import dev.portoser.transport.HostKeyVerificationException;
import dev.portoser.transport.TransportException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * When and how often to try an action again: only transient transport errors by default (a lost connection, a
 * timeout), never a refused login or host key, never a failed command. Immutable and thread-safe.
 *
 * @param maxAttempts tries in all, at least 1
 * @param initialDelay wait before the second try
 * @param multiplier growth of the wait per try
 * @param maxDelay the longest wait
 * @param retryOn which failures are worth another try
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay,
                          Predicate<Throwable> retryOn) {

    /** Transient transport failures: connection lost, timeouts; not authentication or host key refusals. */
    public static final Predicate<Throwable> TRANSIENT = e -> e instanceof TransportException
            && !(e instanceof AuthenticationException) && !(e instanceof HostKeyVerificationException);

    /**
     * Checks the components.
     *
     * @param maxAttempts the max attempts
     * @param initialDelay the initial delay
     * @param maxDelay the max delay
     * @param retryOn which failures are retried
     * @param multiplier the multiplier
     */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        Objects.requireNonNull(initialDelay, "initialDelay == null");
        Objects.requireNonNull(maxDelay, "maxDelay == null");
        Objects.requireNonNull(retryOn, "retryOn == null");
        if (multiplier < 1) {
            throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
        }
    }

    /**
     * Three tries, 1 s then 2 s (with jitter), transient transport errors only.
     *
     * @return three tries, 1 s then 2 s (with jitter), transient transport errors only
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofSeconds(1), 2, Duration.ofSeconds(30), TRANSIENT);
    }

    /**
     * One try.
     *
     * @return one try
     */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, 1, Duration.ZERO, e -> false);
    }

    /**
     * The wait before try number {@code attempt} (2 for the first retry): exponential, capped, with full jitter
     * (a random wait between half and all of it) so many controllers do not retry in step.
     *
     * @param attempt the attempt
     * @return the wait before try number {@code attempt} (2 for the first retry): exponential, capped, with full jitter (a random wait between half and all of it) so many controllers do not retry in step
     */
    public Duration delayBefore(int attempt) {
        double base = initialDelay.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 2));
        long capped = (long) Math.min(base, maxDelay.toNanos());
        long jittered = capped / 2 + (capped / 2 == 0 ? 0 : ThreadLocalRandom.current().nextLong(capped / 2 + 1));
        return Duration.ofNanos(jittered);
    }
}

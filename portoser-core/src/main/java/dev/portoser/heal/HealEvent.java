package dev.portoser.heal;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One thing self-healing saw or did; every action is one. Immutable and thread-safe.
 *
 * @param time when (the healer's clock)
 * @param service the service
 * @param machine its machine
 * @param kind what happened
 * @param fingerprint the diagnosis concerned, or null
 * @param playbook the playbook concerned, or null
 * @param detail in words
 */
public record HealEvent(Instant time, String service, String machine, Kind kind, @Nullable String fingerprint,
                        @Nullable String playbook, String detail) {

    /** What happened. */
    public enum Kind {
        /** A failure was diagnosed. */
        DIAGNOSED,
        /** A playbook starts. */
        PLAYBOOK_STARTED,
        /** A playbook ended (see the detail for whether it fixed it). */
        PLAYBOOK_FIXED,
        /** A playbook ended without fixing it. */
        PLAYBOOK_FAILED,
        /** The service is being restarted. */
        RESTARTING,
        /** The restart ended. */
        RESTARTED,
        /** Healing was not tried: back-off, open circuit, flapping, or the fix is the user's. */
        REFUSED,
        /** The circuit breaker opened. */
        CIRCUIT_OPEN,
        /** The counters reset after a healthy period. */
        COUNTERS_RESET,
        /** Healing ended (the detail says how). */
        ENDED
    }

    /**
     * Checks the components.
     *
     * @param time when, by the healer's clock
     * @param service the service
     * @param machine its machine
     * @param kind what happened
     * @param fingerprint the diagnosis concerned, or null
     * @param playbook the playbook concerned, or null
     * @param detail what happened, in words
     */
    public HealEvent {
        Objects.requireNonNull(time, "time == null");
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(kind, "kind == null");
        Objects.requireNonNull(detail, "detail == null");
    }

    /**
     * One line: {@code service: KIND [fingerprint] [playbook]: detail}.
     *
     * @return the event in one line with its kind in lower-case words, such as
     *     {@code web: playbook started port.own-stale (stop-own-stale-instance): ...}
     */
    public String describe() {
        return service + ": " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + (fingerprint == null ? "" : " " + fingerprint) + (playbook == null ? "" : " (" + playbook + ")")
                + ": " + detail;
    }
}

package dev.portoser.heal;

import java.util.List;
import java.util.Objects;

/**
 * What one {@link Healer#heal} did for a service. Immutable and thread-safe.
 *
 * @param service the service
 * @param machine its machine
 * @param outcome how it ended
 * @param diagnoses what was found wrong, root causes first
 * @param actions the playbooks run and restarts made, in order
 * @param detail the conclusion in words
 */
public record HealReport(String service, String machine, Outcome outcome, List<Diagnosis> diagnoses,
                         List<Action> actions, String detail) {

    /** How healing ended. */
    public enum Outcome {
        /** It was healthy, with nothing to fix. */
        HEALTHY,
        /** Fixed: it is healthy now. */
        HEALED,
        /** The fix is the user's (a foreign process on the port, a missing program): nothing was done. */
        NEEDS_USER,
        /** Not tried: backing off, the circuit is open, or the service is flapping. */
        REFUSED,
        /** Tried, and it is still not healthy. */
        FAILED
    }

    /**
     * One thing done.
     *
     * @param fingerprint the diagnosis it answered, or {@code restart}
     * @param playbook the playbook's name, or {@code restart}
     * @param fixed whether it worked
     * @param detail what it did
     */
    public record Action(String fingerprint, String playbook, boolean fixed, String detail) {
    }

    /**
     * Checks the components and copies the lists.
     *
     * @param service the service
     * @param machine its machine
     * @param outcome how it ended
     * @param diagnoses what was found wrong, root causes first
     * @param actions the playbooks run and restarts made, in order
     * @param detail the conclusion in words
     */
    public HealReport {
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(outcome, "outcome == null");
        diagnoses = List.copyOf(diagnoses);
        actions = List.copyOf(actions);
    }

    /**
     * Whether it ends healthy.
     *
     * @return true when the outcome is {@link Outcome#HEALTHY} or {@link Outcome#HEALED}
     */
    public boolean healthy() {
        return outcome == Outcome.HEALTHY || outcome == Outcome.HEALED;
    }
}

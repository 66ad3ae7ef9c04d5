package dev.portoser.heal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What is wrong with a service, with the evidence. Immutable and thread-safe.
 *
 * @param fingerprint a stable name of the kind of failure, the same at every occurrence (such as
 *     {@code port.foreign}): the key of the knowledge base and of playbooks
 * @param service the service diagnosed
 * @param machine its machine
 * @param cause the root cause in one sentence
 * @param evidence the observations that show it, in words
 * @param facts the values a playbook needs ({@code pid}, {@code port}, {@code dependency}, {@code mount}...)
 * @param oursToFix whether Portoser may fix it; false when the fix is the user's (a foreign process on the port)
 */
public record Diagnosis(String fingerprint, String service, String machine, String cause, List<String> evidence,
                        Map<String, String> facts, boolean oursToFix) {

    /**
     * Checks the components and copies the collections.
     *
     * @param fingerprint the stable name of the kind of failure, such as {@code port.foreign}
     * @param service the service diagnosed
     * @param machine its machine
     * @param cause the root cause in one sentence
     * @param evidence the observations that show it, in words
     * @param facts the values a playbook needs, by name
     * @param oursToFix whether Portoser may fix it
     */
    public Diagnosis {
        Objects.requireNonNull(fingerprint, "fingerprint == null");
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(cause, "cause == null");
        evidence = List.copyOf(evidence);
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }

    /**
     * A fact, or empty text.
     *
     * @param name the fact's name, such as {@code pid}
     * @return the fact's value, or empty text when this diagnosis has no such fact
     */
    public String fact(String name) {
        return facts.getOrDefault(name, "");
    }

    /** {@code fingerprint: cause}. */
    @Override
    public String toString() {
        return fingerprint + ": " + cause;
    }
}

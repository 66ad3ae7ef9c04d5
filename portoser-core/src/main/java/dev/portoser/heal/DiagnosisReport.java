package dev.portoser.heal;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Healer#diagnose} found, and what healing would do, without doing it. Immutable and thread-safe.
 *
 * @param observations what was seen
 * @param diagnoses what is wrong, root causes first
 * @param fixes what healing would try, in order
 * @param decision whether the healing policy would let it try now
 */
public record DiagnosisReport(Observations observations, List<Diagnosis> diagnoses, List<PlannedFix> fixes,
                              HealingBudget.Decision decision) {

    /**
     * One thing healing would try.
     *
     * @param fingerprint the diagnosis
     * @param playbook the playbook's name, {@code restart}, or null when nothing applies
     * @param description what it would do, or why nothing would be done
     */
    public record PlannedFix(String fingerprint, String playbook, String description) {
    }

    /**
     * Checks the components and copies the lists.
     *
     * @param observations what was seen
     * @param diagnoses what is wrong, root causes first
     * @param fixes what healing would try, in order
     * @param decision whether the healing policy would let it try now
     */
    public DiagnosisReport {
        Objects.requireNonNull(observations, "observations == null");
        diagnoses = List.copyOf(diagnoses);
        fixes = List.copyOf(fixes);
    }
}

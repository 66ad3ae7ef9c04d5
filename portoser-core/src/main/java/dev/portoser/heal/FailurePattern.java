package dev.portoser.heal;

import java.util.List;

/**
 * Recognises one kind of failure in what the {@link Observer} saw. Register custom ones on
 * {@link Healer.Builder#pattern(FailurePattern)}; the built-ins are in {@link FailurePatterns}. Implementations are
 * stateless and thread-safe, and never touch a machine.
 */
public interface FailurePattern {

    /**
     * The fingerprint of the diagnoses this pattern makes.
     *
     * @return the fingerprint, such as {@code port.foreign}
     */
    String fingerprint();

    /**
     * The failures of this kind the observations show.
     *
     * @param observations what was seen
     * @return the diagnoses (several when, say, two dependencies are unhealthy), or none
     */
    List<Diagnosis> match(Observations observations);
}

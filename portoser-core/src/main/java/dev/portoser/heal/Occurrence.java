package dev.portoser.heal;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One time a failure was seen, and what was done about it: one line of the knowledge base. Immutable and
 * thread-safe.
 *
 * @param time when
 * @param fingerprint the diagnosis
 * @param service the service
 * @param machine its machine
 * @param playbook the playbook tried, or null when none was
 * @param outcome how it went
 * @param detail what was done or seen, in words
 * @param source whether the healer did it or a person recorded it
 * @param commands for a fix recorded by hand, the commands that fixed it (each an argument list), else empty
 */
public record Occurrence(Instant time, String fingerprint, String service, String machine, @Nullable String playbook,
                         Outcome outcome, String detail, Source source, List<List<String>> commands) {

    /** How an occurrence went. */
    public enum Outcome {
        /** The playbook fixed it. */
        FIXED,
        /** The playbook ran and did not fix it. */
        FAILED,
        /** Nothing was tried (the fix is the user's, or no playbook applies). */
        NOT_ATTEMPTED
    }

    /** Who recorded it. */
    public enum Source {
        /** The healer. */
        HEALER,
        /** A person ({@code portoser knowledge record}). */
        BY_HAND
    }

    /**
     * Checks the components and copies the commands.
     *
     * @param time when
     * @param fingerprint the diagnosis
     * @param service the service
     * @param machine its machine
     * @param playbook the playbook tried, or null when none was
     * @param outcome how it went
     * @param detail what was done or seen, in words; null is taken as empty
     * @param source whether the healer did it or a person recorded it; null is taken as {@link Source#HEALER}
     * @param commands for a fix recorded by hand, the commands that fixed it; null is taken as none
     */
    public Occurrence {
        Objects.requireNonNull(time, "time == null");
        Objects.requireNonNull(fingerprint, "fingerprint == null");
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(outcome, "outcome == null");
        detail = Objects.requireNonNullElse(detail, "");
        source = Objects.requireNonNullElse(source, Source.HEALER);
        commands = commands == null ? List.of() : commands.stream().map(List::copyOf).toList();
    }
}

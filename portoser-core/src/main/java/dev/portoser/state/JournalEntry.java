package dev.portoser.state;

import java.time.Instant;
import java.util.Objects;

/**
 * A step that has started and not yet ended: if the controller dies, the next run finds it here.
 *
 * @param runId the run
 * @param stepId the step's id
 * @param service the service's name
 * @param machine the machine
 * @param action what the step does
 * @param started when it started
 * @param controller the controller id
 * @param pid the controller's process id
 */
public record JournalEntry(String runId, String stepId, String service, String machine, String action,
                           Instant started, String controller, long pid) {

    /**
     * Checks the components.
     *
     * @param runId the run id
     * @param stepId the step id
     * @param action the action
     * @param controller the controller
     * @param machine the machine
     * @param pid the process id
     * @param service the service
     * @param started when it started
     */
    public JournalEntry {
        Objects.requireNonNull(runId, "runId == null");
        Objects.requireNonNull(stepId, "stepId == null");
    }
}

package dev.portoser.state;

import java.util.List;
import java.util.Optional;

/**
 * Where the controller keeps history and the journal. Implementations are thread-safe and write atomically.
 * {@link FileStateStore} is the default.
 */
public interface StateStore {

    /**
     * Appends a history record.
     *
     * @param record the record
     */
    void record(DeploymentRecord record);

    /**
     * The history of a service, oldest first.
     *
     * @param service the service
     * @return the history of a service, oldest first
     */
    List<DeploymentRecord> history(String service);

    /**
     * A record by id.
     *
     * @param id the id
     * @return a record by id
     */
    Optional<DeploymentRecord> find(String id);

    /**
     * The latest record of a service on a machine that ended healthy, if any.
     *
     * @param service the service
     * @param machine the machine
     * @return the latest record of a service on a machine that ended healthy, if any
     */
    default Optional<DeploymentRecord> lastHealthy(String service, String machine) {
        List<DeploymentRecord> all = history(service);
        for (int i = all.size() - 1; i >= 0; i--) {
            DeploymentRecord r = all.get(i);
            if (r.machine().equals(machine) && r.healthy()) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * Notes that a step started.
     *
     * @param entry the entry
     */
    void begin(JournalEntry entry);

    /**
     * Notes that a step ended (whatever the outcome).
     *
     * @param runId the run id
     * @param stepId the step id
     */
    void end(String runId, String stepId);

    /**
     * Every step that started and did not end, from any run.
     *
     * @return every step that started and did not end, from any run
     */
    List<JournalEntry> inFlight();
}

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
     * The machines a service runs on, as far as its history knows: those whose latest successful record (deployed,
     * started, restarted, moved or rolled back) is not a stop. Failed and interrupted steps say nothing either way.
     *
     * @param service the service's name
     * @return the machines' names, sorted; empty when it runs nowhere or has no history
     */
    default java.util.SortedSet<String> machinesRunning(String service) {
        java.util.Map<String, DeploymentRecord> latest = new java.util.HashMap<>();
        for (DeploymentRecord r : history(service)) {
            if (r.outcome().equals("SUCCEEDED") || r.outcome().equals("ROLLED_BACK")) {
                latest.put(r.machine(), r); // history is oldest first
            }
        }
        java.util.SortedSet<String> running = new java.util.TreeSet<>();
        latest.forEach((machine, r) -> {
            if (!r.action().equals("STOP")) {
                running.add(machine);
            }
        });
        return running;
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

    /**
     * What went wrong in reading since the last call and was got round (say, a garbled file moved aside), each
     * once, for the caller to show. None by default.
     *
     * @return the warnings, oldest first; empty when there were none
     */
    default List<String> drainWarnings() {
        return List.of();
    }

    /**
     * Checks, before a run, that what it does can be recorded (e.g. the disk is not nearly full). Nothing by default.
     *
     * @throws dev.portoser.PortoserException when a run should not start, with the reason in words
     */
    default void checkSpace() {
    }
}

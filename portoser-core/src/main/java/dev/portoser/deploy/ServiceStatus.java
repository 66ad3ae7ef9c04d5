package dev.portoser.deploy;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a deployer sees of a service on its machine, read from the machine itself (the process table, the
 * container engine, the service manager), not only from files it wrote. Instances are immutable and thread-safe.
 *
 * @param state the conclusion
 * @param ids the service's own processes or containers: PIDs for {@code local} and {@code native}, container ids
 *     for {@code docker}; empty when none runs
 * @param configDigest the digest of the configuration the running instance was started with, or null when unknown
 * @param exitCode the exit status of the instance that ended, when {@link State#FAILED} and known
 * @param detail what was seen, in words (for example "the PID file holds 'abc', not a process id")
 */
public record ServiceStatus(State state, List<String> ids, @Nullable String configDigest, @Nullable Integer exitCode,
                            String detail) {

    /** Whether a service runs. */
    public enum State {
        /** Our own instance runs. */
        RUNNING,
        /** Nothing of ours runs, and nothing says it should (never started, or stopped). */
        STOPPED,
        /** Our instance ended without being stopped (it exited or crashed), or its records do not match the machine. */
        FAILED,
        /** It cannot be told (the service manager or engine did not answer). */
        UNKNOWN
    }

    /**
     * Checks the components and copies the ids.
     *
     * @param state the state
     * @param ids the ids
     * @param detail the detail
     * @param configDigest the config digest
     * @param exitCode the exit code
     */
    public ServiceStatus {
        Objects.requireNonNull(state, "state == null");
        ids = List.copyOf(ids);
        Objects.requireNonNull(detail, "detail == null");
    }

    /**
     * Our instance runs.
     *
     * @param ids its processes or containers
     * @param configDigest the configuration it runs, or null
     * @param detail what was seen
     * @return the status
     */
    public static ServiceStatus running(List<String> ids, @Nullable String configDigest, String detail) {
        return new ServiceStatus(State.RUNNING, ids, configDigest, null, detail);
    }

    /**
     * Nothing of ours runs.
     *
     * @param detail what was seen
     * @return the status
     */
    public static ServiceStatus stopped(String detail) {
        return new ServiceStatus(State.STOPPED, List.of(), null, null, detail);
    }

    /**
     * Our instance ended by itself, or the records do not match what runs.
     *
     * @param exitCode its exit status, or null when unknown
     * @param detail what was seen
     * @return the status
     */
    public static ServiceStatus failed(@Nullable Integer exitCode, String detail) {
        return new ServiceStatus(State.FAILED, List.of(), null, exitCode, detail);
    }

    /**
     * It cannot be told.
     *
     * @param detail why
     * @return the status
     */
    public static ServiceStatus unknown(String detail) {
        return new ServiceStatus(State.UNKNOWN, List.of(), null, null, detail);
    }

    /**
     * Whether our instance runs.
     *
     * @return whether our instance runs
     */
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    /**
     * Whether our instance runs with exactly this configuration.
     *
     * @param digest the digest
     * @return whether our instance runs with exactly this configuration
     */
    public boolean runs(String digest) {
        return state == State.RUNNING && digest.equals(configDigest);
    }
}

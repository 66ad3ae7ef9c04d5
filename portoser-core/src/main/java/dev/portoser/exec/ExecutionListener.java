package dev.portoser.exec;

import dev.portoser.health.HealthResult;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;

/**
 * Observes a run. Every method does nothing by default, so new events never break implementations.
 *
 * <p>Events of one step come in order: {@code stepStarted}, then any of {@code lockWaiting}/{@code lockAcquired},
 * {@code commandStarted}/{@code commandEnded}, {@code healthChecked}, {@code rollbackStarted}, then {@code stepEnded}; steps run in parallel, so events of
 * different steps interleave. Methods must be fast, thread-safe and must not throw or call back into the executor;
 * an exception they throw is caught and logged. Events never carry secrets.
 */
public abstract class ExecutionListener {
    /** A listener that ignores everything. */
    public static final ExecutionListener NONE = new ExecutionListener() {
    };

    /** Makes a listener per run. */
    @FunctionalInterface
    public interface Factory {
        /**
         * A listener for one run.
         *
         * @param runId the run's id
         * @param plan the plan it runs
         * @return the listener
         */
        ExecutionListener create(String runId, Plan plan);
    }

    /**
     * The run starts.
     *
     * @param runId the run id
     * @param plan the plan
     */
    public void runStarted(String runId, Plan plan) {
    }

    /**
     * The run ended.
     *
     * @param result the result
     */
    public void runEnded(RunResult result) {
    }

    /**
     * A step starts.
     *
     * @param step the step
     */
    public void stepStarted(Step step) {
    }

    /**
     * A step runs a command on its machine (the command's {@code toString()} shows no argument values).
     *
     * @param step the step
     * @param command the command
     */
    public void commandStarted(Step step, dev.portoser.transport.Command command) {
    }

    /**
     * A command of a step ended (its result; a command that threw reports nothing here).
     *
     * @param step the step
     * @param command the command
     * @param result the result
     */
    public void commandEnded(Step step, dev.portoser.transport.Command command,
                             dev.portoser.transport.CommandResult result) {
    }

    /**
     * A step waits for another controller's lock.
     *
     * @param step the step
     * @param holder the holder
     */
    public void lockWaiting(Step step, String holder) {
    }

    /**
     * A step holds its lock.
     *
     * @param step the step
     * @param tookOver whether an expired lock of another controller was taken over
     */
    public void lockAcquired(Step step, boolean tookOver) {
    }

    /**
     * A health check of the step's service (or of a dependency gating it) answered.
     *
     * @param step the step
     * @param service the service
     * @param result the result
     */
    public void healthChecked(Step step, String service, HealthResult result) {
    }

    /**
     * The new version failed; the last healthy version is being deployed again.
     *
     * @param step the step
     * @param toRecordId the id of the history record deployed again
     */
    public void rollbackStarted(Step step, String toRecordId) {
    }

    /**
     * A step ended (also for steps skipped or cancelled without starting).
     *
     * @param result the result
     */
    public void stepEnded(StepResult result) {
    }
}

package dev.portoser.exec;

import dev.portoser.health.HealthResult;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a listener's exceptions away from the run: each event is passed on, and what it throws is logged. */
final class SafeListener extends ExecutionListener {
    private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

    private final ExecutionListener delegate;

    SafeListener(ExecutionListener delegate) {
        this.delegate = delegate;
    }

    private void call(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            LOG.warn("an execution listener threw; ignored", e);
        }
    }

    @Override
    public void runStarted(String runId, Plan plan) {
        call(() -> delegate.runStarted(runId, plan));
    }

    @Override
    public void runEnded(RunResult result) {
        call(() -> delegate.runEnded(result));
    }

    @Override
    public void stepStarted(Step step) {
        call(() -> delegate.stepStarted(step));
    }

    @Override
    public void commandStarted(Step step, dev.portoser.transport.Command command) {
        call(() -> delegate.commandStarted(step, command));
    }

    @Override
    public void commandEnded(Step step, dev.portoser.transport.Command command,
                             dev.portoser.transport.CommandResult result) {
        call(() -> delegate.commandEnded(step, command, result));
    }

    @Override
    public void lockWaiting(Step step, String holder) {
        call(() -> delegate.lockWaiting(step, holder));
    }

    @Override
    public void lockAcquired(Step step, boolean tookOver) {
        call(() -> delegate.lockAcquired(step, tookOver));
    }

    @Override
    public void healthChecked(Step step, String service, HealthResult result) {
        call(() -> delegate.healthChecked(step, service, result));
    }

    @Override
    public void rollbackStarted(Step step, String toRecordId) {
        call(() -> delegate.rollbackStarted(step, toRecordId));
    }

    @Override
    public void stepEnded(StepResult result) {
        call(() -> delegate.stepEnded(result));
    }
}

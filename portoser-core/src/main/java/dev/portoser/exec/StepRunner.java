package dev.portoser.exec;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.DeployException;
import dev.portoser.deploy.Deployer;
import dev.portoser.heal.FailureHealer;
import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthStatus;
import dev.portoser.health.HealthTarget;
import dev.portoser.plan.Action;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import dev.portoser.secret.SecretException;
import dev.portoser.state.DeploymentRecord;
import dev.portoser.state.JournalEntry;
import dev.portoser.state.LockedException;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step of a run, start to end: checks the dependencies outside the plan, takes the service's lock with
 * the first remote command ({@link StepLock}), acts through the service type's deployer (retrying transient
 * transport errors, healing once when a healer is set), waits until the service is healthy, records the step in
 * the history, rolls a failed new version back to the last healthy one, and hands the lock back. Never throws for
 * the step's own failures: they are its result. Thread-safe: the run's steps share one runner.
 */
final class StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);
    /** How often a health wait runs the deployer's own (remote) check while the registry's check still fails. */
    static final Duration OWN_CHECK_EVERY = Duration.ofSeconds(1);

    private final StepEnvironment env;
    private final Registry registry;
    private final @Nullable Plan plan;
    private final String runId;
    private final ExecutionListener listener;
    private final Map<String, StepResult> results;
    private final List<String> warnings;

    /**
     * @param env what steps work with
     * @param registry the registry the plan was made from
     * @param plan the plan (null for a lone step, a manual rollback)
     * @param runId the run's id
     * @param listener the run's listener
     * @param results the results known so far (a dependency in the plan that has a result was run by it)
     * @param warnings where what could not be recorded is said
     */
    StepRunner(StepEnvironment env, Registry registry, @Nullable Plan plan, String runId, ExecutionListener listener,
               Map<String, StepResult> results, List<String> warnings) {
        this.env = env;
        this.registry = registry;
        this.plan = plan;
        this.runId = runId;
        this.listener = listener;
        this.results = results;
        this.warnings = warnings;
    }

    /** Runs one step start to end; never throws for the step's own failures. */
    StepResult runStep(Step step, @Nullable Service override, @Nullable Integer portOverride) {
        long start = System.nanoTime();
        listener.stepStarted(step);
        Service service = override != null ? override : registry.service(step.service()).orElseThrow();
        if (step.action() == Action.MIGRATE) {
            service = service.withMachine(step.machine());
        }
        Machine machine = registry.machine(step.machine()).orElse(null);
        if (machine == null) {
            return ended(step, start, StepOutcome.FAILED, "unknown machine " + step.machine(), null);
        }
        Integer port = portOverride != null ? portOverride : service.port();
        Deployer deployer = env.deployers().forType(service.type()).orElse(null);
        if (deployer == null) {
            return ended(step, start, StepOutcome.FAILED, "no deployer for type " + service.type().yamlName()
                    + ": register one with Executor.builder().deployer(...)", null);
        }
        noteState("journal not written for " + step.id(), () -> env.state().begin(new JournalEntry(runId, step.id(),
                step.service(), step.machine(), step.action().name(), Instant.now(), env.locks().controllerId(),
                ProcessHandle.current().pid())));
        StepLock transport = null;
        try {
            // Checked before the lock is taken: taking it costs nothing then, as it travels with the first command.
            Optional<String> unhealthy = unhealthyDependency(step, service);
            if (unhealthy.isPresent()) {
                return ended(step, start, StepOutcome.FAILED, unhealthy.get(), null);
            }
            transport = new StepLock(new ObservedTransport(env.open(machine), step, listener), step, env.locks(), env.releases(),
                    this::acquire, listener, env.renewals(), env.renewers());
            // Stopping needs no secrets: a service must stop even when its secrets cannot be had.
            Map<String, Secret> resolved = step.action() == Action.STOP ? Map.of() : env.secretsOf(service, machine);
            DeployContext context = new DeployContext(service, machine, transport, port, resolved,
                    env.commandTimeout(), env.digest().get());
            Optional<DeploymentRecord> previous = step.action() == Action.DEPLOY
                    ? env.state().lastHealthy(service.name(), machine.name()) : Optional.empty();
            if (step.action() == Action.STOP) {
                act(step, deployer, context);
                if (transport.lost() != null) {
                    return lockLost(step, service, machine, port, start, transport);
                }
                record(step, service, machine, port, "SUCCEEDED", false, start, "stopped");
                return ended(step, start, StepOutcome.SUCCEEDED, "stopped", null);
            }
            Attempt attempt = actUntilHealthy(step, deployer, context, transport, start);
            HealthResult health = attempt.health();
            if (transport.lost() != null) {
                return lockLost(step, service, machine, port, start, transport);
            }
            boolean healthy = health.isHealthy() || health.status() == HealthStatus.UNKNOWN;
            String detail = attempt.healed() == null ? health.detail()
                    : "healed (" + attempt.healed() + "), then: " + health.detail();
            record(step, service, machine, port, healthy ? "SUCCEEDED" : "FAILED", health.isHealthy(), start,
                    detail);
            if (healthy) {
                return ended(step, start, StepOutcome.SUCCEEDED, detail, null);
            }
            if (env.rollback() && previous.isPresent()
                    && !previous.get().configFingerprint().equals(Executor.fingerprint(service, port))) {
                return revert(step, deployer, previous.get(), machine, transport, start, health);
            }
            return ended(step, start, StepOutcome.FAILED, health.isDown() ? health.detail()
                    : "not healthy after " + env.healthTimeout() + ": " + health.detail(), null);
        } catch (LockedException | SecretException e) {
            return ended(step, start, StepOutcome.FAILED, e.getMessage(), null);
        } catch (DeployException | TransportException | InterruptedException e) {
            // Losing the lease interrupts the step: whatever that broke, the lost lock is the reason.
            if (transport != null && transport.lost() != null) {
                return lockLost(step, service, machine, port, start, transport);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return ended(step, start, StepOutcome.CANCELLED, "cancelled while running", null);
            }
            return ended(step, start, StepOutcome.FAILED, e.getMessage(), e instanceof DeployException d ? d : null);
        } finally {
            // A cancelled step is interrupted; its clean-up must still run, or its lock would stay until the
            // lease ends and its journal entry would look like a crashed controller's.
            boolean interrupted = Thread.interrupted();
            try {
                cleanUp(step, transport);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void cleanUp(Step step, @Nullable StepLock transport) {
        if (transport != null) {
            transport.done(); // its lock is released off the critical path, at the latest when the run ends
            transport.close();
        }
        noteState("journal not cleared for " + step.id(), () -> env.state().end(runId, step.id()));
    }

    /** The health a step ended with, and the failure healed on the way (null when none was). */
    private record Attempt(HealthResult health, @Nullable String healed) {
    }

    /**
     * Acts, then waits until healthy. When either fails and the healer fixes a cause that is ours to fix (our
     * own stale instance on the port, a stopped dependency, ...), the step is tried once more — deployed again
     * after a failed deploy, restarted after a failed health gate — before anything is rolled back.
     */
    private Attempt actUntilHealthy(Step step, Deployer deployer, DeployContext context, StepLock lease,
                                    long start) throws InterruptedException {
        Service service = context.service();
        String healed = null;
        try {
            act(step, deployer, context);
        } catch (DeployException e) {
            if (lease.lost() != null || !heal(service, e.getMessage())) {
                throw e;
            }
            healed = e.getMessage();
            act(step, deployer, context);
        }
        HealthResult health = awaitHealthy(step, deployer, service, context.machine(), context.port(),
                context.transport(), start);
        boolean failed = !health.isHealthy() && health.status() != HealthStatus.UNKNOWN;
        if (failed && healed == null && lease.lost() == null && heal(service, health.detail())) {
            healed = health.detail();
            withRetry(() -> deployer.restart(context));
            health = awaitHealthy(step, deployer, service, context.machine(), context.port(), context.transport(),
                    start);
        }
        return new Attempt(health, healed);
    }

    /** Asks the healer to fix the causes of a failure; a healer that fails itself fixed nothing. */
    private boolean heal(Service service, String failure) throws InterruptedException {
        if (env.healer() == FailureHealer.NONE) {
            return false;
        }
        try {
            boolean fixed = env.healer().healBeforeRetry(registry, service.name(), failure);
            LOG.info("self-healing of {} after '{}': {}", service.name(), failure, fixed ? "fixed, retrying"
                    : "nothing of ours to fix");
            return fixed;
        } catch (RuntimeException e) {
            LOG.warn("self-healing of {} failed: {}", service.name(), dev.portoser.ErrorMessages.describe(e));
            return false;
        }
    }

    private StepResult revert(Step step, Deployer deployer, DeploymentRecord previous, Machine machine,
                              Transport transport, long start, HealthResult failed) throws InterruptedException {
        listener.rollbackStarted(step, previous.id());
        Service old = previous.config();
        DeployContext context = new DeployContext(old, machine, transport, previous.port(), env.secretsOf(old, machine),
                env.commandTimeout(), env.digest().get());
        try {
            withRetry(() -> deployer.deploy(context));
        } catch (RuntimeException e) {
            return ended(step, start, StepOutcome.FAILED, "not healthy (" + failed.detail() + "), and the rollback "
                    + "to " + previous.id() + " failed too: " + e.getMessage(), null);
        }
        HealthResult health = awaitHealthy(step, deployer, old, machine, previous.port(), transport, start);
        record(step, old, machine, previous.port(), health.isHealthy() ? "ROLLED_BACK" : "FAILED",
                health.isHealthy(), start, "rollback to " + previous.id() + ": " + health.detail());
        if (health.isHealthy()) {
            return ended(step, start, StepOutcome.FAILED_REVERTED, "the new version was not healthy ("
                    + failed.detail() + "); rolled back to " + previous.id(), null);
        }
        return ended(step, start, StepOutcome.FAILED, "not healthy, and not after the rollback to " + previous.id()
                + " either: " + health.detail(), null);
    }

    private void act(Step step, Deployer deployer, DeployContext context) throws InterruptedException {
        withRetry(() -> {
            switch (step.action()) {
                case DEPLOY, MIGRATE -> deployer.deploy(context);
                case START -> deployer.start(context);
                case RESTART -> deployer.restart(context);
                case STOP -> deployer.stop(context);
                default -> throw new IllegalStateException("unknown action " + step.action());
            }
        });
    }

    private void withRetry(Runnable action) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                action.run();
                return;
            } catch (RuntimeException e) {
                if (attempt >= env.retry().maxAttempts() || !env.retry().retryOn().test(e)) {
                    throw e;
                }
                LOG.debug("attempt {} failed, retrying: {}", attempt, e.getMessage());
                env.sleeper().sleep(env.retry().delayBefore(attempt + 1));
            }
        }
    }

    /**
     * Waits until the new instance is healthy: the deployer's checks (its process runs, and is the one on its
     * port) together with the registry's check (polled alone while it fails; the deployer's remote check confirms
     * it, see {@link ConfirmedCheck}). Without a registry check, its process must still run after the settle
     * time. A process that dies ends the wait within {@link #OWN_CHECK_EVERY} ({@link HealthStatus#DOWN}).
     */
    private HealthResult awaitHealthy(Step step, Deployer deployer, Service service, Machine machine,
                                      @Nullable Integer port, Transport transport, long stepStart)
            throws InterruptedException {
        List<HealthCheck> own = deployer.healthChecks(service);
        if (service.healthSpec().isEmpty() && own.isEmpty()) {
            return new HealthResult(HealthStatus.UNKNOWN, "started (no health check defined)", Duration.ZERO);
        }
        Integer checkPort = service.healthSpec().isPresent() && service.health().port() != null
                ? service.health().port() : port;
        HealthTarget target = new HealthTarget(service, machine, checkPort, transport);
        HealthResult result;
        if (service.healthSpec().isEmpty()) {
            result = env.gate().holds(HealthCheck.allOf(own), target, env.settleTime());
            if (result.isHealthy()) {
                result = new HealthResult(HealthStatus.HEALTHY, result.detail() + " after "
                        + env.settleTime().toMillis() + " ms (no health check defined)", result.latency());
            }
        } else {
            long left = stepStart + env.stepTimeout().toNanos() - System.nanoTime();
            Duration wait = Duration.ofNanos(Math.max(0, Math.min(env.healthTimeout().toNanos(), left)));
            HealthCheck check = own.isEmpty() ? env.checks().forService(service)
                    : new ConfirmedCheck(env.checks().forService(service), HealthCheck.allOf(own), OWN_CHECK_EVERY,
                    System::nanoTime);
            result = env.gate().await(check, target, wait);
        }
        listener.healthChecked(step, service.name(), result);
        return result;
    }

    /** Dependencies outside the plan must already be healthy; the plan's own are, by construction. */
    private Optional<String> unhealthyDependency(Step step, Service service) throws InterruptedException {
        for (String dependency : step.healthGates()) {
            boolean inPlan = plan != null && plan.steps().stream().anyMatch(s -> s.service().equals(dependency)
                    && s.action() != Action.STOP && results.containsKey(s.id()));
            if (inPlan) {
                continue;
            }
            Service dep = registry.service(dependency).orElseThrow();
            if (dep.healthSpec().isEmpty()) {
                continue;
            }
            Machine depMachine = registry.machine(dep.machine()).orElseThrow();
            try (Transport t = env.open(depMachine)) {
                Integer port = dep.health().port() != null ? dep.health().port() : dep.port();
                HealthResult r = env.gate().await(env.checks().forService(dep, env.ownChecks(dep)),
                        new HealthTarget(dep, depMachine, port, t), env.gateTimeout());
                listener.healthChecked(step, dependency, r);
                if (!r.isHealthy()) {
                    return Optional.of("dependency " + dependency + " is not healthy: " + r.detail());
                }
            }
        }
        return Optional.empty();
    }

    private String acquire(Step step, Transport transport) throws InterruptedException {
        try {
            return env.locks().acquire(transport, step.service(), Duration.ZERO);
        } catch (LockedException e) {
            if (env.lockWait().isZero()) {
                throw e;
            }
            listener.lockWaiting(step, e.holder());
            return env.locks().acquire(transport, step.service(), env.lockWait());
        }
    }

    private StepResult lockLost(Step step, Service service, Machine machine, @Nullable Integer port, long start,
                                StepLock lease) {
        String why = java.util.Objects.requireNonNull(lease.lost());
        record(step, service, machine, port, "FAILED", false, start, why);
        return ended(step, start, StepOutcome.FAILED, why, null);
    }

    /**
     * Writes to the state store; when that fails (a full disk, say), what was done on the machine stands and
     * the run says in words what was not recorded, instead of reporting the step as failed.
     */
    private void noteState(String what, Runnable write) {
        noteState(warnings, what, write);
    }

    /** Writes to the state store; when that fails, the failure becomes one of the run's warnings. */
    static void noteState(List<String> warnings, String what, Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            String warning = what + ": " + e.getMessage();
            LOG.info("{}", warning);
            warnings.add(warning);
        }
    }

    private void record(Step step, Service service, Machine machine, @Nullable Integer port, String outcome,
                        boolean healthy, long start, String detail) {
        DeploymentRecord record = new DeploymentRecord(UUID.randomUUID().toString().substring(0, 12),
                Instant.now(), runId, service.name(), machine.name(), step.action().name(), outcome,
                Duration.ofNanos(System.nanoTime() - start), service, Executor.fingerprint(service, port), port, healthy,
                env.locks().controllerId(), detail);
        noteState("history not recorded for " + service.name() + " (" + outcome.toLowerCase(java.util.Locale.ROOT)
                + " on " + machine.name() + ")", () -> env.state().record(record));
    }

    private StepResult ended(Step step, long start, StepOutcome outcome, String detail, @Nullable DeployException e) {
        Integer exit = e == null ? null : e.result().map(r -> r.exitCode()).orElse(null);
        String tail = e == null ? "" : e.result().map(r -> r.tail(10)).orElse("");
        StepResult result = new StepResult(step, outcome, Duration.ofNanos(System.nanoTime() - start), detail, exit,
                tail);
        listener.stepEnded(result);
        return result;
    }
}

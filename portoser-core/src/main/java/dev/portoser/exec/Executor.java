package dev.portoser.exec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.portoser.deploy.DeployContext;
import dev.portoser.heal.FailureHealer;
import dev.portoser.deploy.DeployException;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.ConfigDigest;
import dev.portoser.deploy.Deployers;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthGate;
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
import dev.portoser.secret.SecretProvider;
import dev.portoser.state.DeploymentRecord;
import dev.portoser.state.FileStateStore;
import dev.portoser.state.JournalEntry;
import dev.portoser.state.LockManager;
import dev.portoser.state.LockedException;
import dev.portoser.state.StateStore;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportFactory;
import dev.portoser.transport.internal.DaemonThreads;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs plans: each step starts as soon as every step it waits for has succeeded (and so is healthy), within the
 * global and per-machine parallelism limits; there are no lock-step waves.
 *
 * <pre>{@code
 * try (Executor executor = Executor.builder()
 *         .transports(SshTransportFactory.builder().build())
 *         .listener(new ConsoleProgress(new PrintWriter(System.out, true), true))
 *         .build()) {
 *     RunResult result = executor.run(registry, Planner.of(registry).deploy("api"));
 * }
 * }</pre>
 *
 * <p>For each step: take the service's lock on its machine (renewed while held), check that dependencies outside
 * the plan are healthy, act through the service type's {@link Deployer} (retrying transient transport errors),
 * wait until the service is healthy, record the step in the history, release the lock. When a new version fails
 * its health gate, the last version that was healthy is deployed again and the step is
 * {@link StepOutcome#FAILED_REVERTED}. A failed step's dependents are {@link StepOutcome#SKIPPED}; independent
 * branches go on (unless fail-fast). Steps in flight are journaled, so after a controller dies the next run
 * reports and reconciles them. A stale plan is refused before anything runs. Thread-safe; {@link #close()} is
 * idempotent and stops the daemon threads {@code portoser-exec-*}.
 */
public final class Executor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Executor.class);
    /** Steps running at once on one machine unless configured: below sshd's default {@code MaxSessions} (10). */
    public static final int DEFAULT_PER_MACHINE = 8;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private final @Nullable TransportFactory transports;
    private final TransportFactory localTransports;
    private final Deployers deployers;
    private final java.util.function.Supplier<ConfigDigest> digest;
    private final FailureHealer healer;
    private final ExecutionListener.Factory listeners;
    private final int parallelism;
    private final int perMachineParallelism;
    private final boolean failFast;
    private final boolean rollback;
    private final StateStore state;
    private final Duration healthTimeout;
    private final Duration gateTimeout;
    private final Duration commandTimeout;
    private final Duration stepTimeout;
    private final Duration lockWait;
    private final Duration settleTime;
    private final RetryPolicy retry;
    private final @Nullable SecretProvider secrets;
    private final Sleeper sleeper;
    private final LockManager locks;
    private final HealthChecks checks;
    private final HealthGate gate;
    private final ExecutorService workers;
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portoser-exec-lease");
        t.setDaemon(true);
        return t;
    });
    /** Renewals run here, each on its own thread, so that one slow machine cannot hold up another's. */
    private final ExecutorService renewers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "portoser-exec-renew");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean closed = new AtomicBoolean();
    /** How long a finished step's lock may wait to be released with the next command on its machine. */
    private static final Duration RELEASE_DELAY = Duration.ofMillis(500);
    /** How often a health wait runs the deployer's own (remote) check while the registry's check still fails. */
    private static final Duration OWN_CHECK_EVERY = Duration.ofSeconds(1);
    private final PendingReleases releases;

    private Executor(Builder b) {
        this.transports = b.transports;
        this.localTransports = b.localTransports;
        this.deployers = b.deployers;
        // The key file is made on first use, after a run's space check, not when the executor is built.
        ConfigDigest given = b.digest != null ? b.digest : b.state instanceof FileStateStore ? null
                : ConfigDigest.perProcess();
        Path keyFile = b.state instanceof FileStateStore f ? f.directory().resolve("digest.key") : null;
        this.digest = given != null ? () -> given : memoize(() -> ConfigDigest.fromKeyFile(keyFile));
        this.listeners = b.listeners;
        this.healer = b.healer;
        this.parallelism = b.parallelism;
        this.perMachineParallelism = b.perMachineParallelism;
        this.failFast = b.failFast;
        this.rollback = b.rollback;
        this.state = b.state;
        this.healthTimeout = b.healthTimeout;
        this.gateTimeout = b.gateTimeout;
        this.commandTimeout = b.commandTimeout;
        this.stepTimeout = b.stepTimeout;
        this.lockWait = b.lockWait;
        this.settleTime = b.settleTime;
        this.retry = b.retry;
        this.secrets = b.secrets;
        this.sleeper = b.sleeper;
        this.locks = new LockManager(b.controllerId, b.lockLease);
        this.releases = new PendingReleases(locks, this::open, renewals, renewers, RELEASE_DELAY);
        this.checks = b.checks;
        this.gate = b.gate;
        this.workers = DaemonThreads.cachedPool("exec");
    }

    /**
     * A builder with the defaults: local transport only, {@link Deployers#defaults()}, no global limit (the plan's width) and 8 steps per machine.
     *
     * @return a builder with the defaults: local transport only, {@link Deployers#defaults()}, no global limit (the plan's width) and 8 steps per machine
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs a plan and waits for it.
     *
     * @param registry the registry the plan was made from (its current state)
     * @param plan the plan
     * @return the outcome of every step
     * @throws dev.portoser.plan.StalePlanException when the registry changed since the plan was made
     */
    public RunResult run(Registry registry, Plan plan) {
        try {
            return start(registry, plan).result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Starts a plan and returns at once.
     *
     * @param registry the registry the plan was made from
     * @param plan the plan
     * @return a handle to wait for or cancel the run
     * @throws dev.portoser.plan.StalePlanException when the registry changed since the plan was made
     * @throws dev.portoser.PortoserException when the state store cannot record the run (e.g. its disk is nearly
     *     full) and the plan starts something
     */
    public RunHandle start(Registry registry, Plan plan) {
        Objects.requireNonNull(registry, "registry == null");
        Objects.requireNonNull(plan, "plan == null");
        if (closed.get()) {
            throw new IllegalStateException("the executor is closed");
        }
        plan.requireCurrent(registry);
        // A run that starts things must be able to record them; stopping is never refused for want of space.
        if (plan.steps().stream().anyMatch(s -> s.action() != Action.STOP)) {
            state.checkSpace();
        }
        String runId = Instant.now().toString().replace(":", "").replace(".", "") + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        AtomicBoolean cancelled = new AtomicBoolean();
        ExecutionListener listener = new SafeListener(listeners.create(runId, plan));
        CompletableFuture<RunResult> result = CompletableFuture.supplyAsync(
                () -> new Run(registry, plan, runId, listener, cancelled).execute(), workers);
        return new RunHandle(result, cancelled);
    }

    /**
     * Deploys again the configuration of a history record (a manual rollback) and waits until it is healthy.
     *
     * @param registry the current registry (for the machine)
     * @param recordId the record to go back to
     * @return the outcome
     * @throws IllegalArgumentException when there is no such record
     */
    public StepResult rollbackTo(Registry registry, String recordId) {
        DeploymentRecord record = state.find(recordId).orElseThrow(() ->
                new IllegalArgumentException("no history record " + recordId));
        Step step = new Step(Step.idOf(Action.DEPLOY, record.service(), record.machine()), Action.DEPLOY,
                record.service(), record.machine(), null, record.config().type(), List.of(), List.of(),
                "rollback to " + recordId, 0, record.port());
        Run run = new Run(registry, null, "rollback-" + UUID.randomUUID().toString().substring(0, 8),
                new SafeListener(ExecutionListener.NONE), new AtomicBoolean());
        StepResult result = run.runStep(step, record.config(), record.port());
        releases.flushAll();
        return result;
    }

    /**
     * The state store (history and journal) this executor writes to.
     *
     * @return the state store (history and journal) this executor writes to
     */
    public StateStore state() {
        return state;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            releases.flushAll();
            workers.shutdownNow();
            renewals.shutdownNow();
            renewers.shutdownNow();
        }
    }

    /** One run of one plan. */
    private final class Run {
        private final Registry registry;
        private final @Nullable Plan plan;
        private final String runId;
        private final ExecutionListener listener;
        private final AtomicBoolean cancelled;
        private final Map<String, StepResult> results = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());

        Run(Registry registry, @Nullable Plan plan, String runId, ExecutionListener listener, AtomicBoolean cancelled) {
            this.registry = registry;
            this.plan = plan;
            this.runId = runId;
            this.listener = listener;
            this.cancelled = cancelled;
        }

        RunResult execute() {
            Plan p = Objects.requireNonNull(plan);
            long start = System.nanoTime();
            listener.runStarted(runId, p);
            List<JournalEntry> recovered = reconcile();
            Map<String, Step> byId = new LinkedHashMap<>();
            Map<String, Integer> pending = new HashMap<>();
            Map<String, List<String>> waiters = new HashMap<>();
            for (Step s : p.steps()) {
                byId.put(s.id(), s);
                pending.put(s.id(), s.waitsFor().size());
                for (String before : s.waitsFor()) {
                    waiters.computeIfAbsent(before, k -> new ArrayList<>()).add(s.id());
                }
            }
            List<Step> ready = new ArrayList<>(p.steps().stream().filter(s -> s.waitsFor().isEmpty()).toList());
            Map<String, Integer> runningPerMachine = new HashMap<>();
            Map<String, java.util.concurrent.Future<?>> running = new HashMap<>();
            LinkedBlockingQueue<StepResult> finished = new LinkedBlockingQueue<>();
            boolean stopDispatching = false;
            while (results.size() < byId.size()) {
                if (cancelled.get() && !stopDispatching) {
                    stopDispatching = true;
                    running.values().forEach(f -> f.cancel(true));
                }
                if (stopDispatching) {
                    for (Step s : List.copyOf(ready)) {
                        finish(s, StepResult.notRun(s, cancelled.get() ? StepOutcome.CANCELLED : StepOutcome.SKIPPED,
                                cancelled.get() ? "the run was cancelled" : "fail-fast: an earlier step failed"), waiters,
                                byId, ready);
                    }
                    ready.clear();
                }
                for (Step s : List.copyOf(ready)) {
                    if (running.size() >= parallelism) {
                        break;
                    }
                    if (runningPerMachine.getOrDefault(s.machine(), 0) >= perMachineParallelism) {
                        continue;
                    }
                    ready.remove(s);
                    runningPerMachine.merge(s.machine(), 1, Integer::sum);
                    running.put(s.id(), workers.submit(() -> {
                        StepResult r;
                        try {
                            r = runStep(s, null, s.port());
                        } catch (RuntimeException | Error e) {
                            LOG.debug("step {} failed unexpectedly", s.id(), e);
                            r = new StepResult(s, StepOutcome.FAILED, Duration.ZERO, "unexpected failure: "
                                    + dev.portoser.ErrorMessages.describe(e), null, "");
                        }
                        finished.add(r);
                    }));
                }
                if (running.isEmpty() && ready.isEmpty() && results.size() < byId.size()) {
                    // Nothing can start: whatever is left waits for steps that will never succeed.
                    for (Step s : byId.values()) {
                        if (!results.containsKey(s.id())) {
                            finish(s, StepResult.notRun(s, StepOutcome.SKIPPED, "a step it waits for did not succeed"),
                                    waiters, byId, ready);
                        }
                    }
                    break;
                }
                StepResult done;
                try {
                    done = finished.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelled.set(true);
                    continue;
                }
                if (done == null) {
                    continue;
                }
                running.remove(done.step().id());
                runningPerMachine.merge(done.step().machine(), -1, Integer::sum);
                finish(done.step(), done, waiters, byId, ready);
                if (done.outcome().isSuccess()) {
                    for (String w : waiters.getOrDefault(done.step().id(), List.of())) {
                        if (pending.merge(w, -1, Integer::sum) == 0 && !results.containsKey(w)) {
                            ready.add(byId.get(w));
                        }
                    }
                } else if (failFast) {
                    stopDispatching = true;
                }
            }
            List<StepResult> ordered = p.steps().stream().map(s -> results.get(s.id())).toList();
            releases.flushAll(); // a run that has ended holds no lock
            warnings.addAll(state.drainWarnings());
            RunResult result = new RunResult(runId, ordered, Duration.ofNanos(System.nanoTime() - start), recovered,
                    List.copyOf(warnings));
            listener.runEnded(result);
            return result;
        }

        /** Records a result; a failure skips every step that (transitively) waits for it. */
        private void finish(Step step, StepResult result, Map<String, List<String>> waiters, Map<String, Step> byId,
                            List<Step> ready) {
            if (results.putIfAbsent(step.id(), result) != null) {
                return;
            }
            if (result.outcome() == StepOutcome.SKIPPED || result.outcome() == StepOutcome.CANCELLED
                    || !result.outcome().isSuccess()) {
                if (result.duration().isZero()) {
                    listener.stepEnded(result);
                }
                for (String w : waiters.getOrDefault(step.id(), List.of())) {
                    Step waiter = byId.get(w);
                    ready.remove(waiter);
                    StepOutcome outcome = result.outcome() == StepOutcome.CANCELLED ? StepOutcome.CANCELLED
                            : StepOutcome.SKIPPED;
                    finish(waiter, StepResult.notRun(waiter, outcome, "skipped: " + step.id() + " "
                            + result.outcome().name().toLowerCase(java.util.Locale.ROOT)), waiters, byId, ready);
                }
            }
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
            Deployer deployer = deployers.forType(service.type()).orElse(null);
            if (deployer == null) {
                return ended(step, start, StepOutcome.FAILED, "no deployer for type " + service.type().yamlName()
                        + ": register one with Executor.builder().deployer(...)", null);
            }
            noteState("journal not written for " + step.id(), () -> state.begin(new JournalEntry(runId, step.id(),
                    step.service(), step.machine(), step.action().name(), Instant.now(), locks.controllerId(),
                    ProcessHandle.current().pid())));
            StepLock transport = null;
            try {
                // Checked before the lock is taken: taking it costs nothing then, as it travels with the first command.
                Optional<String> unhealthy = unhealthyDependency(step, service);
                if (unhealthy.isPresent()) {
                    return ended(step, start, StepOutcome.FAILED, unhealthy.get(), null);
                }
                transport = new StepLock(new ObservedTransport(open(machine), step, listener), step, locks, releases,
                        this::acquire, listener, renewals, renewers);
                // Stopping needs no secrets: a service must stop even when its secrets cannot be had.
                Map<String, Secret> resolved = step.action() == Action.STOP ? Map.of() : secretsOf(service, machine);
                DeployContext context = new DeployContext(service, machine, transport, port, resolved,
                        commandTimeout(), digest.get());
                Optional<DeploymentRecord> previous = step.action() == Action.DEPLOY
                        ? state.lastHealthy(service.name(), machine.name()) : Optional.empty();
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
                if (rollback && previous.isPresent()
                        && !previous.get().configFingerprint().equals(fingerprint(service, port))) {
                    return revert(step, deployer, previous.get(), machine, transport, start, health);
                }
                return ended(step, start, StepOutcome.FAILED, health.isDown() ? health.detail()
                        : "not healthy after " + healthTimeout + ": " + health.detail(), null);
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
            noteState("journal not cleared for " + step.id(), () -> state.end(runId, step.id()));
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
            if (healer == FailureHealer.NONE) {
                return false;
            }
            try {
                boolean fixed = healer.healBeforeRetry(registry, service.name(), failure);
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
            DeployContext context = new DeployContext(old, machine, transport, previous.port(), secretsOf(old, machine),
                    commandTimeout(), digest.get());
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
                    if (attempt >= retry.maxAttempts() || !retry.retryOn().test(e)) {
                        throw e;
                    }
                    LOG.debug("attempt {} failed, retrying: {}", attempt, e.getMessage());
                    sleeper.sleep(retry.delayBefore(attempt + 1));
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
                result = gate.holds(HealthCheck.allOf(own), target, settleTime);
                if (result.isHealthy()) {
                    result = new HealthResult(HealthStatus.HEALTHY, result.detail() + " after "
                            + settleTime.toMillis() + " ms (no health check defined)", result.latency());
                }
            } else {
                long left = stepStart + stepTimeout.toNanos() - System.nanoTime();
                Duration wait = Duration.ofNanos(Math.max(0, Math.min(healthTimeout.toNanos(), left)));
                HealthCheck check = own.isEmpty() ? checks.forService(service)
                        : new ConfirmedCheck(checks.forService(service), HealthCheck.allOf(own), OWN_CHECK_EVERY,
                        System::nanoTime);
                result = gate.await(check, target, wait);
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
                try (Transport t = open(depMachine)) {
                    Integer port = dep.health().port() != null ? dep.health().port() : dep.port();
                    HealthResult r = gate.await(checks.forService(dep, ownChecks(dep)),
                            new HealthTarget(dep, depMachine, port, t), gateTimeout);
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
                return locks.acquire(transport, step.service(), Duration.ZERO);
            } catch (LockedException e) {
                if (lockWait.isZero()) {
                    throw e;
                }
                listener.lockWaiting(step, e.holder());
                return locks.acquire(transport, step.service(), lockWait);
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
                    Duration.ofNanos(System.nanoTime() - start), service, fingerprint(service, port), port, healthy,
                    locks.controllerId(), detail);
            noteState("history not recorded for " + service.name() + " (" + outcome.toLowerCase(java.util.Locale.ROOT)
                    + " on " + machine.name() + ")", () -> state.record(record));
        }

        private StepResult ended(Step step, long start, StepOutcome outcome, String detail, @Nullable DeployException e) {
            Integer exit = e == null ? null : e.result().map(r -> r.exitCode()).orElse(null);
            String tail = e == null ? "" : e.result().map(r -> r.tail(10)).orElse("");
            StepResult result = new StepResult(step, outcome, Duration.ofNanos(System.nanoTime() - start), detail, exit,
                    tail);
            listener.stepEnded(result);
            return result;
        }

        /**
         * In-flight steps of controllers that are gone: name them, note what runs now, clear the journal. The step
         * itself is not repeated here; when this plan has it again, its deployer adopts an instance that already
         * runs this configuration rather than start a second one.
         */
        private List<JournalEntry> reconcile() {
            List<JournalEntry> found = new ArrayList<>();
            List<JournalEntry> inFlight;
            try {
                inFlight = state.inFlight();
            } catch (RuntimeException e) {
                warnings.add("cannot read the journal: " + e.getMessage());
                return found;
            }
            for (JournalEntry entry : inFlight) {
                // A live process with that PID that started after the step did is another process (PIDs are reused).
                boolean alive = ProcessHandle.of(entry.pid()).filter(ProcessHandle::isAlive)
                        .map(p -> p.info().startInstant().map(t -> !t.isAfter(entry.started())).orElse(true))
                        .orElse(false);
                if (alive) {
                    continue; // another live executor (maybe in this very process) is working on it
                }
                found.add(entry);
                String detail = "the previous run " + entry.runId() + " (controller " + entry.controller() + ", pid "
                        + entry.pid() + ", no longer running) was interrupted during " + entry.action() + " of "
                        + entry.service() + " on " + entry.machine();
                Optional<Service> service = registry.service(entry.service());
                Optional<Machine> machine = registry.machine(entry.machine());
                if (service.isPresent() && machine.isPresent()) {
                    Service s = service.get();
                    Deployer deployer = deployers.forType(s.type()).orElse(null);
                    try (Transport t = open(machine.get())) {
                        if (deployer != null) {
                            ServiceStatus now = deployer.status(new DeployContext(s, machine.get(), t, s.port(),
                                    Map.of(), commandTimeout(), digest.get()));
                            detail += "; now " + now.state().name().toLowerCase(java.util.Locale.ROOT) + ": "
                                    + now.detail();
                        }
                        String recorded = detail;
                        noteState("history not recorded for " + s.name() + " (interrupted)", () -> state.record(
                                new DeploymentRecord(UUID.randomUUID().toString().substring(0, 12), Instant.now(),
                                        entry.runId(), s.name(), entry.machine(), entry.action(), "INTERRUPTED",
                                        Duration.ZERO, s, fingerprint(s, s.port()), s.port(), false, entry.controller(),
                                        recorded)));
                    } catch (RuntimeException e) {
                        detail += "; cannot look at it now: " + e.getMessage();
                    }
                }
                LOG.info("{}", detail);
                warnings.add(detail);
                noteState("journal not cleared for " + entry.stepId(), () -> state.end(entry.runId(), entry.stepId()));
            }
            return found;
        }
    }

    /** The service's secrets for its machine; a service that references secrets needs a provider. */
    private Map<String, Secret> secretsOf(Service service, Machine machine) {
        if (service.vaultSecrets().isEmpty()) {
            return Map.of();
        }
        if (secrets == null) {
            throw new SecretException("service " + service.name() + " references vault_secrets but the executor has "
                    + "no SecretProvider: set Executor.builder().secrets(...)", null);
        }
        return secrets.resolve(machine, service);
    }

    /** The checks a service's deployer contributes (none when its type has no deployer). */
    private List<HealthCheck> ownChecks(Service service) {
        return deployers.forType(service.type()).map(d -> d.healthChecks(service)).orElse(List.of());
    }

    /** Each command gets the command timeout, but never more than a step may take. */
    private Duration commandTimeout() {
        return commandTimeout.compareTo(stepTimeout) < 0 ? commandTimeout : stepTimeout;
    }

    private Transport open(Machine machine) {
        if (machine.isLocalhost()) {
            return localTransports.open(machine);
        }
        if (transports == null) {
            throw new TransportException(machine.name(), "machine " + machine.name() + " (" + machine.host()
                    + ") is remote and the executor has no transport for it: "
                    + "set Executor.builder().transports(SshTransportFactory...)", null);
        }
        return transports.open(machine);
    }

    private static <T> java.util.function.Supplier<T> memoize(java.util.function.Supplier<T> make) {
        java.util.concurrent.atomic.AtomicReference<T> made = new java.util.concurrent.atomic.AtomicReference<>();
        return () -> {
            T t = made.get();
            if (t == null) {
                synchronized (made) {
                    t = made.get();
                    if (t == null) {
                        t = make.get();
                        made.set(t);
                    }
                }
            }
            return t;
        };
    }

    /** A digest of a deployed configuration: tells versions apart in the history. */
    static String fingerprint(Service service, @Nullable Integer port) {
        try {
            byte[] json = JSON.writeValueAsBytes(List.of(service, String.valueOf(port)));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json), 0, 8);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint " + service.name(), e);
        }
    }

    /** Options of an {@link Executor}. Not thread-safe. */
    public static final class Builder {
        private @Nullable TransportFactory transports;
        private TransportFactory localTransports = LocalTransport.factory();
        private Deployers deployers = Deployers.defaults();
        private @Nullable ConfigDigest digest;
        private FailureHealer healer = FailureHealer.NONE;
        private ExecutionListener.Factory listeners = (runId, plan) -> ExecutionListener.NONE;
        private int parallelism = Integer.MAX_VALUE;
        private int perMachineParallelism = DEFAULT_PER_MACHINE;
        private boolean failFast;
        private boolean rollback = true;
        private StateStore state = FileStateStore.inHome();
        private Duration healthTimeout = Duration.ofMinutes(2);
        private Duration gateTimeout = Duration.ofSeconds(30);
        private Duration commandTimeout = Duration.ofMinutes(5);
        private Duration stepTimeout = Duration.ofMinutes(15);
        private Duration lockWait = Duration.ZERO;
        private Duration settleTime = Duration.ofSeconds(1);
        private Duration lockLease = Duration.ofMinutes(2);
        private RetryPolicy retry = RetryPolicy.defaults();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private @Nullable SecretProvider secrets;
        private String controllerId = defaultControllerId();
        private HealthChecks checks = new HealthChecks();
        private HealthGate gate = new HealthGate();

        private Builder() {
        }

        private static String defaultControllerId() {
            return "ctl-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        }

        /**
         * How remote machines are reached (usually an {@code SshTransportFactory}); none by default.
         *
         * @param factory the factory
         * @return this builder
         */
        public Builder transports(TransportFactory factory) {
            this.transports = Objects.requireNonNull(factory, "factory == null");
            return this;
        }

        /**
         * How machines whose host is {@code localhost} are reached; {@link LocalTransport} by default.
         *
         * @param factory the factory
         * @return this builder
         */
        public Builder localTransports(TransportFactory factory) {
            this.localTransports = Objects.requireNonNull(factory, "factory == null");
            return this;
        }

        /**
         * Adds (or replaces) the deployer of a service type.
         *
         * @param deployer the deployer
         * @return this builder
         */
        public Builder deployer(Deployer deployer) {
            deployers = deployers.with(Objects.requireNonNull(deployer, "deployer == null"));
            return this;
        }

        /**
         * The deployers of every type; {@link Deployers#defaults()} by default.
         *
         * @param all the deployers
         * @return this builder
         */
        public Builder deployers(Deployers all) {
            this.deployers = Objects.requireNonNull(all, "all == null");
            return this;
        }

        /**
         * Self-healing between a failed step and its rollback: when a deploy fails or its health gate does not
         * pass, the healer may fix the causes that are Portoser's to fix, and the step is tried once more. None
         * by default ({@link FailureHealer#NONE}); {@code FailureHealer.of(r -> Healer.builder(r)...build())}.
         *
         * @param failureHealer the healer
         * @return this builder
         */
        public Builder healer(FailureHealer failureHealer) {
            this.healer = Objects.requireNonNull(failureHealer, "failureHealer == null");
            return this;
        }

        /**
         * How configuration digests are keyed; by default with the key in {@code digest.key} of a
         * {@link FileStateStore}'s directory (created 0600 when missing), else a key of this executor's own.
         *
         * @param configDigest the digester
         * @return this builder
         */
        public Builder digest(ConfigDigest configDigest) {
            this.digest = Objects.requireNonNull(configDigest, "configDigest == null");
            return this;
        }

        /**
         * One listener for every run.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(ExecutionListener listener) {
            Objects.requireNonNull(listener, "listener == null");
            this.listeners = (runId, plan) -> listener;
            return this;
        }

        /**
         * A new listener per run.
         *
         * @param factory the factory
         * @return this builder
         */
        public Builder listenerFactory(ExecutionListener.Factory factory) {
            this.listeners = Objects.requireNonNull(factory, "factory == null");
            return this;
        }

        /**
         * Steps running at once, in all; no limit by default (the plan's width bounds it).
         *
         * @param steps the steps
         * @return this builder
         */
        public Builder parallelism(int steps) {
            this.parallelism = atLeastOne(steps, "parallelism");
            return this;
        }

        /**
         * Steps running at once on one machine; 8 by default, below OpenSSH's default of 10 sessions per connection
         * ({@code MaxSessions}), leaving room for lock renewals and health checks.
         *
         * @param steps the steps
         * @return this builder
         */
        public Builder perMachineParallelism(int steps) {
            this.perMachineParallelism = atLeastOne(steps, "perMachineParallelism");
            return this;
        }

        /**
         * Stop starting new steps after the first failure (independent branches go on by default).
         *
         * @param enabled whether it is on
         * @return this builder
         */
        public Builder failFast(boolean enabled) {
            this.failFast = enabled;
            return this;
        }

        /**
         * Redeploy the last healthy version when a new one fails its health gate; on by default.
         *
         * @param enabled whether it is on
         * @return this builder
         */
        public Builder rollback(boolean enabled) {
            this.rollback = enabled;
            return this;
        }

        /**
         * Where history and the journal go; {@code ~/.portoser} by default.
         *
         * @param store the store
         * @return this builder
         */
        public Builder state(StateStore store) {
            this.state = Objects.requireNonNull(store, "store == null");
            return this;
        }

        /**
         * How long a new instance may take to become healthy; 2 min by default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder healthTimeout(Duration timeout) {
            this.healthTimeout = positive(timeout, "healthTimeout");
            return this;
        }

        /**
         * How long a dependency outside the plan may take to prove healthy; 30 s by default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder gateTimeout(Duration timeout) {
            this.gateTimeout = positive(timeout, "gateTimeout");
            return this;
        }

        /**
         * How long one command may run; 5 min by default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive(timeout, "commandTimeout");
            return this;
        }

        /**
         * How long one step may take in all; 15 min by default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder stepTimeout(Duration timeout) {
            this.stepTimeout = positive(timeout, "stepTimeout");
            return this;
        }

        /**
         * Wait up to this long for another controller's lock instead of failing at once; zero by default.
         *
         * @param wait how long to wait
         * @return this builder
         */
        public Builder lockWait(Duration wait) {
            this.lockWait = Objects.requireNonNull(wait, "wait == null");
            return this;
        }

        /**
         * How long the process of a service without a health check must keep running after it started to count as
         * healthy; 1 s by default.
         *
         * @param time the time
         * @return this builder
         */
        public Builder settleTime(Duration time) {
            this.settleTime = positive(time, "settleTime");
            return this;
        }

        /**
         * How long a lock lasts without renewal (renewed every third of it while held); 2 min by default.
         *
         * @param lease the lease
         * @return this builder
         */
        public Builder lockLease(Duration lease) {
            this.lockLease = positive(lease, "lockLease");
            return this;
        }

        /**
         * When actions are retried; three tries on transient transport errors by default.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy == null");
            return this;
        }

        /**
         * Where services' {@code vault_secrets} come from; none by default (such services then fail).
         *
         * @param provider the provider
         * @return this builder
         */
        public Builder secrets(SecretProvider provider) {
            this.secrets = Objects.requireNonNull(provider, "provider == null");
            return this;
        }

        /**
         * How the executor waits between retries; {@link Sleeper#SYSTEM} by default.
         *
         * @param waiter the waiter
         * @return this builder
         */
        public Builder sleeper(Sleeper waiter) {
            this.sleeper = Objects.requireNonNull(waiter, "waiter == null");
            return this;
        }

        /**
         * This controller's id in locks and history; a unique one per process by default.
         *
         * @param id the id
         * @return this builder
         */
        public Builder controllerId(String id) {
            this.controllerId = Objects.requireNonNull(id, "id == null");
            return this;
        }

        /**
         * The health checks (for a custom HTTP client); the defaults otherwise.
         *
         * @param healthChecks the health checks
         * @return this builder
         */
        public Builder healthChecks(HealthChecks healthChecks) {
            this.checks = Objects.requireNonNull(healthChecks, "healthChecks == null");
            return this;
        }

        /**
         * How fast new instances are polled; after 20 ms at first, growing to every 100 ms, by default.
         *
         * @param healthGate the health gate
         * @return this builder
         */
        public Builder healthGate(HealthGate healthGate) {
            this.gate = Objects.requireNonNull(healthGate, "healthGate == null");
            return this;
        }

        /**
         * The executor.
         *
         * @return the executor
         */
        public Executor build() {
            return new Executor(this);
        }

        private static int atLeastOne(int n, String name) {
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, was " + n);
            }
            return n;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name + " == null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}

package dev.portoser.exec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.portoser.heal.FailureHealer;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.ConfigDigest;
import dev.portoser.deploy.Deployers;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthGate;
import dev.portoser.plan.Action;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.secret.SecretProvider;
import dev.portoser.state.DeploymentRecord;
import dev.portoser.state.FileStateStore;
import dev.portoser.state.JournalEntry;
import dev.portoser.state.LockManager;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

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
 * <p>For each step: check that dependencies outside the plan are healthy, take the service's lock on its machine
 * with the step's first remote command (renewed while held), act through the service type's {@link Deployer}
 * (retrying transient transport errors), wait until the service is healthy, record the step in the history, hand
 * the lock back (released with the next command on that machine, and always before the run ends). When a new version fails
 * its health gate, the last version that was healthy is deployed again and the step is
 * {@link StepOutcome#FAILED_REVERTED}. A failed step's dependents are {@link StepOutcome#SKIPPED}; independent
 * branches go on (unless fail-fast). Steps in flight are journaled, so after a controller dies the next run
 * reports and reconciles them. A stale plan is refused before anything runs. Thread-safe; {@link #close()} is
 * idempotent and stops the daemon threads {@code portoser-exec-*}.
 *
 * <p>This class is the facade; the work is done by package-private parts with one job each: the scheduler
 * dispatches steps, the step runner runs one, the step lock takes and hands back a step's lock, the lease renews
 * it, the reconciler deals with the journal of controllers that are gone, and a safe listener keeps a listener's
 * failures out of the run.
 */
public final class Executor implements AutoCloseable {
    /** Steps running at once on one machine unless configured: below sshd's default {@code MaxSessions} (10). */
    public static final int DEFAULT_PER_MACHINE = 8;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private final @Nullable TransportFactory transports;
    private final TransportFactory localTransports;
    private final ExecutionListener.Factory listeners;
    private final int parallelism;
    private final int perMachineParallelism;
    private final boolean failFast;
    private final StateStore state;
    private final ExecutorService workers = DaemonThreads.cachedPool("exec");
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
    private final PendingReleases releases;
    /** What the steps work with. */
    private final StepEnvironment env;

    private Executor(Builder b) {
        this.transports = b.transports;
        this.localTransports = b.localTransports;
        // The key file is made on first use, after a run's space check, not when the executor is built.
        ConfigDigest given = b.digest != null ? b.digest : b.state instanceof FileStateStore ? null
                : ConfigDigest.perProcess();
        Path keyFile = b.state instanceof FileStateStore f ? f.directory().resolve("digest.key") : null;
        java.util.function.Supplier<ConfigDigest> digest = given != null ? () -> given
                : memoize(() -> ConfigDigest.fromKeyFile(keyFile));
        this.listeners = b.listeners;
        this.parallelism = b.parallelism;
        this.perMachineParallelism = b.perMachineParallelism;
        this.failFast = b.failFast;
        this.state = b.state;
        LockManager locks = new LockManager(b.controllerId, b.lockLease);
        this.releases = new PendingReleases(locks, this::open, renewals, renewers, RELEASE_DELAY);
        // each command gets the command timeout, but never more than a step may take
        Duration commandTimeout = b.commandTimeout.compareTo(b.stepTimeout) < 0 ? b.commandTimeout : b.stepTimeout;
        this.env = new StepEnvironment(b.deployers, b.state, locks, releases, renewals, renewers, b.healer, b.retry,
                b.sleeper, b.gate, b.checks, b.healthTimeout, b.gateTimeout, commandTimeout, b.stepTimeout,
                b.settleTime, b.lockWait, b.rollback, digest, b.secrets, this::open);
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
                () -> execute(registry, plan, runId, listener, cancelled), workers);
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
        StepRunner runner = new StepRunner(env, registry, null, "rollback-" + UUID.randomUUID().toString()
                .substring(0, 8), new SafeListener(ExecutionListener.NONE), new java.util.concurrent.ConcurrentHashMap<>(),
                java.util.Collections.synchronizedList(new ArrayList<>()));
        StepResult result = runner.runStep(step, record.config(), record.port());
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

    /** One run of one plan: the journal reconciled first, then the steps as the scheduler dispatches them. */
    private RunResult execute(Registry registry, Plan plan, String runId, ExecutionListener listener,
                              AtomicBoolean cancelled) {
        long start = System.nanoTime();
        listener.runStarted(runId, plan);
        List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, StepResult> results = new java.util.concurrent.ConcurrentHashMap<>();
        connectAll(registry, plan);
        List<JournalEntry> recovered = new Reconciler(env, registry, warnings).reconcile();
        StepRunner runner = new StepRunner(env, registry, plan, runId, listener, results, warnings);
        List<StepResult> ordered = new StepScheduler(workers, parallelism, perMachineParallelism, failFast, cancelled,
                listener, results).run(plan, step -> runner.runStep(step, null, step.port()));
        releases.flushAll(); // a run that has ended holds no lock
        warnings.addAll(state.drainWarnings());
        RunResult result = new RunResult(runId, ordered, Duration.ofNanos(System.nanoTime() - start), recovered,
                List.copyOf(warnings));
        listener.runEnded(result);
        return result;
    }

    /**
     * Connections to every remote machine of the plan open at once, at the start: a machine whose first step comes
     * later does not make that step wait for its handshake.
     */
    private void connectAll(Registry registry, Plan plan) {
        if (transports == null) {
            return;
        }
        TransportFactory remote = transports;
        plan.steps().stream().map(Step::machine).distinct().map(registry::machine).flatMap(Optional::stream)
                .filter(m -> !m.isLocalhost()).forEach(m -> {
                    try {
                        workers.execute(() -> remote.connectAhead(m));
                    } catch (java.util.concurrent.RejectedExecutionException closing) {
                        // the executor is closing: the steps will not run either
                    }
                });
    }

    /** A transport to a machine: the local factory for localhost, else the remote one. */
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

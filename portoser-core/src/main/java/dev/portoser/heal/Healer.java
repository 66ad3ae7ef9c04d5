package dev.portoser.heal;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.Deployers;
import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.exec.Sleeper;
import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthGate;
import dev.portoser.health.HealthListener;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthState;
import dev.portoser.health.HealthStatus;
import dev.portoser.health.HealthTarget;
import dev.portoser.health.HealthTransition;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.state.DeploymentRecord;
import dev.portoser.state.StateStore;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-healing for the services of a registry: observe ({@link Observer}) ▶ diagnose ({@link FailurePattern}s) ▶
 * fix ({@link Playbook}s, best first by the {@link KnowledgeBase}) ▶ restart ({@link Restarter}) ▶ learn (one
 * {@link Occurrence} per diagnosis and playbook).
 *
 * <pre>{@code
 * Healer healer = Healer.builder(registry).executor(executor).knowledge(KnowledgeBase.under(stateDir)).build();
 * HealReport report = healer.heal("api");
 * }</pre>
 *
 * <p>Rules it keeps: it never heals a service whose dependency is the problem — it heals the dependency first; it
 * never heals a {@link HealthState#FLAPPING} service; each service has a {@link HealingPolicy} (back-off between
 * attempts, a circuit breaker of N attempts per window, counters that reset only after a healthy period); a
 * failure whose fix is the user's (a foreign process on the port, a missing program) is reported, never acted on;
 * it is never interactive. Every action is a {@link HealEvent} and, with a {@link Builder#state state store}, a
 * history record ({@code action: HEAL}). Thread-safe; calls for different services may run at once.
 */
public final class Healer {
    private static final Logger LOG = LoggerFactory.getLogger(Healer.class);
    /** Failures a restart cannot cure: healing reports them and stops. */
    private static final Set<String> RESTART_CANNOT_HELP = Set.of(FailurePatterns.PORT_FOREIGN,
            FailurePatterns.PORT_OTHER_SERVICE, FailurePatterns.PATH_MISSING, FailurePatterns.EXECUTABLE_MISSING,
            FailurePatterns.COMPOSE_FILE_MISSING, FailurePatterns.PERMISSION_DENIED, FailurePatterns.SSH_UNREACHABLE,
            FailurePatterns.DOCKER_DOWN, FailurePatterns.DISK_FULL, FailurePatterns.PORT_OWN_STALE,
            FailurePatterns.PIDFILE_STALE, FailurePatterns.DEPENDENCY_UNHEALTHY);

    private final Registry registry;
    private final Reach reach;
    private final Observer observer;
    private final List<FailurePattern> patterns;
    private final List<Playbook> playbooks;
    private final @Nullable KnowledgeBase knowledge;
    private final HealingPolicy defaultPolicy;
    private final Map<String, HealingPolicy> policies;
    private final Map<String, HealingBudget> budgets = new ConcurrentHashMap<>();
    private final @Nullable BudgetStore budgetStore;
    private final Clock clock;
    private final Sleeper sleeper;
    private final SplittableRandom random;
    private final HealListener listener;
    private final @Nullable StateStore state;
    private final Function<String, Optional<HealthState>> states;
    private final Restarter restarter;
    private final Duration timeout;

    private Healer(Builder b) {
        this.registry = b.registry;
        this.reach = new Reach(b.transports, b.localTransports);
        Observer.Builder ob = Observer.builder(b.registry).localTransports(b.localTransports).deployers(b.deployers)
                .checks(b.checks).clock(b.clock).timeout(b.timeout);
        if (b.transports != null) {
            ob.transports(b.transports);
        }
        this.observer = ob.build();
        List<FailurePattern> ps = new ArrayList<>(FailurePatterns.builtIns());
        ps.addAll(b.patterns);
        this.patterns = List.copyOf(ps);
        List<Playbook> books = new ArrayList<>(b.playbooks);
        books.addAll(Playbooks.builtIns());
        if (b.knowledge != null) {
            books.addAll(PlaybookFile.load(b.knowledge.playbookFile(),
                    patterns.stream().map(FailurePattern::fingerprint).toList()));
        }
        this.playbooks = List.copyOf(books);
        this.knowledge = b.knowledge;
        this.budgetStore = b.budgetDirectory != null ? new BudgetStore(b.budgetDirectory) : null;
        this.defaultPolicy = b.defaultPolicy;
        this.policies = Map.copyOf(b.policies);
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.random = new SplittableRandom(b.seed);
        this.listener = b.listener;
        this.state = b.state;
        this.states = b.states;
        this.timeout = b.timeout;
        this.restarter = b.executor != null ? executorRestarter(b.executor) : deployerRestarter(b);
    }

    /**
     * A builder for a healer of a registry's services.
     *
     * @param registry the registry
     * @return the builder
     */
    public static Builder builder(Registry registry) {
        return new Builder(registry);
    }

    /**
     * Every fingerprint the healer's patterns can give.
     *
     * @return the fingerprints of its built-in and custom patterns, each once, in the order the patterns are tried
     */
    public List<String> fingerprints() {
        return patterns.stream().map(FailurePattern::fingerprint).distinct().toList();
    }

    /**
     * The playbooks it knows: custom, built-in, then the user's from {@code playbooks.yml}.
     *
     * @return its playbooks, in that order
     */
    public List<Playbook> playbooks() {
        return playbooks;
    }

    /**
     * The observer it uses.
     *
     * @return the observer that sees what is wrong before each diagnosis
     */
    public Observer observer() {
        return observer;
    }

    /**
     * The policy counters of a service.
     *
     * @param service the service's name
     * @return its budget
     */
    public HealingBudget budget(String service) {
        return budgets.computeIfAbsent(service, n -> {
            HealingBudget b = new HealingBudget(policies.getOrDefault(n, defaultPolicy), random.split());
            if (budgetStore != null) {
                b.persisted(budgetStore.load(n).orElse(null), c -> budgetStore.save(n, c));
            }
            return b;
        });
    }

    /**
     * The warnings since the last call about the kept policy counters (a garbled file moved aside, a file that
     * could not be written), each once.
     *
     * @return the warnings, oldest first; empty when there were none or the counters are not kept
     */
    public List<String> drainWarnings() {
        return budgetStore != null ? budgetStore.drainWarnings() : List.of();
    }

    /**
     * Observes and diagnoses a service, and says what healing would do, changing nothing.
     *
     * @param service the service's name
     * @return the report
     * @throws IllegalArgumentException when the registry has no such service
     */
    public DiagnosisReport diagnose(String service) {
        Observations seen = observer.observe(service);
        List<Diagnosis> found = FailurePatterns.diagnose(patterns, seen);
        List<DiagnosisReport.PlannedFix> fixes = new ArrayList<>();
        boolean restart = !healthy(seen) || !found.isEmpty();
        for (Diagnosis d : found) {
            List<Playbook> cands = candidates(d);
            if (cands.isEmpty()) {
                fixes.add(new DiagnosisReport.PlannedFix(d.fingerprint(), null, d.oursToFix() ? "no playbook applies"
                        : "nothing: the fix is yours (" + d.cause() + ")"));
            }
            for (Playbook p : cands) {
                fixes.add(new DiagnosisReport.PlannedFix(d.fingerprint(), p.name(), p.describe(d)));
            }
            if (cands.isEmpty() && RESTART_CANNOT_HELP.contains(d.fingerprint())) {
                restart = false;
            }
        }
        if (restart) {
            fixes.add(new DiagnosisReport.PlannedFix("restart", "restart", "start " + service
                    + " (and what it depends on) and wait until it is healthy"));
        }
        return new DiagnosisReport(seen, found, fixes, budget(service).admit(clock.instant()));
    }

    /**
     * Heals a service: fixes what the diagnosis finds (its dependencies first), then restarts it and waits until it
     * is healthy, within its policy.
     *
     * @param service the service's name
     * @return what was found and done
     * @throws InterruptedException when interrupted
     * @throws IllegalArgumentException when the registry has no such service
     */
    public HealReport heal(String service) throws InterruptedException {
        return heal(service, new HashSet<>(), true);
    }

    /**
     * Fixes the causes of a failure without restarting the service, for a caller that retries itself: the
     * executor, between a failed deploy and its rollback (it holds the service's lock). Same policy as
     * {@link #heal}; dependencies are healed fully.
     *
     * @param service the service's name
     * @return {@link HealReport.Outcome#HEALED} when a fix worked and a retry may succeed
     * @throws InterruptedException when interrupted
     */
    public HealReport fixCauses(String service) throws InterruptedException {
        return heal(service, new HashSet<>(), false);
    }

    /**
     * A health listener for a {@link dev.portoser.health.HealthMonitor} that keeps the policy counters current: a
     * healthy check starts (or continues) a service's healthy period, which resets its counters once long enough; an
     * unhealthy one ends it. It heals nothing itself.
     *
     * @return the listener
     */
    public HealthListener healthListener() {
        return new HealthListener() {
            @Override
            public void transition(HealthTransition t) {
                if (t.to() != HealthState.HEALTHY) {
                    budget(t.service()).unhealthy();
                }
            }

            @Override
            public void checked(String service, HealthResult result, Duration lateness) {
                if (result.isHealthy()) {
                    noteHealthy(service, clock.instant());
                } else {
                    budget(service).unhealthy();
                }
            }
        };
    }

    private void noteHealthy(String service, Instant now) {
        if (budget(service).healthy(now)) {
            Machine m = machineOf(service);
            emit(service, m.name(), HealEvent.Kind.COUNTERS_RESET, null, null, "healthy for "
                    + budget(service).policy().resetAfterHealthy() + ": attempts and back-off reset");
        }
    }

    private Machine machineOf(String service) {
        Service s = registry.service(service).orElseThrow(() -> new IllegalArgumentException("unknown service '"
                + service + "'"));
        return registry.machine(s.machine()).orElseThrow();
    }

    private HealReport heal(String name, Set<String> visiting, boolean restartAfter) throws InterruptedException {
        boolean entered = !visiting.contains(name);
        try {
            return healOnce(name, visiting, restartAfter);
        } finally {
            if (entered) {
                visiting.remove(name); // a path, not a set of all seen: two services may share a dependency
            }
        }
    }

    private HealReport healOnce(String name, Set<String> visiting, boolean restartAfter) throws InterruptedException {
        Service service = registry.service(name).orElseThrow(() -> new IllegalArgumentException("unknown service '"
                + name + "'"));
        Machine machine = machineOf(name);
        List<Diagnosis> found = List.of();
        List<HealReport.Action> actions = new ArrayList<>();
        if (!visiting.add(name)) {
            return end(service, machine, HealReport.Outcome.REFUSED, found, actions, "a dependency cycle leads back to "
                    + name);
        }
        HealingBudget budget = budget(name);
        if (states.apply(name).orElse(null) == HealthState.FLAPPING) {
            emit(name, machine.name(), HealEvent.Kind.REFUSED, null, null, "it is flapping");
            return end(service, machine, HealReport.Outcome.REFUSED, found, actions, "not healed: its health is "
                    + "flapping (its results change too often to act on)");
        }
        Observations seen = observer.observe(name);
        found = FailurePatterns.diagnose(patterns, seen);
        Instant now = clock.instant();
        if (found.isEmpty() && healthy(seen)) {
            noteHealthy(name, now);
            return end(service, machine, HealReport.Outcome.HEALTHY, found, actions, "healthy; nothing to fix");
        }
        budget.unhealthy();
        for (Diagnosis d : found) {
            emit(name, machine.name(), HealEvent.Kind.DIAGNOSED, d.fingerprint(), null, d.cause());
        }
        HealingBudget.Decision decision = budget.admit(now);
        if (!decision.allowed()) {
            emit(name, machine.name(), decision.kind() == HealingBudget.Decision.Kind.CIRCUIT_OPEN
                    ? HealEvent.Kind.CIRCUIT_OPEN : HealEvent.Kind.REFUSED, null, null, decision.reason());
            return end(service, machine, HealReport.Outcome.REFUSED, found, actions, "not healed now: "
                    + decision.reason());
        }
        budget.attempted(now);
        List<Diagnosis> yours = new ArrayList<>();
        boolean restart = true;
        boolean fixedAny = false;
        for (Diagnosis d : found) {
            List<Playbook> cands = candidates(d);
            if (cands.isEmpty()) {
                learn(d, null, Occurrence.Outcome.NOT_ATTEMPTED, d.oursToFix() ? "no playbook applies"
                        : "the fix is the user's");
                if (RESTART_CANNOT_HELP.contains(d.fingerprint())) {
                    yours.add(d);
                    restart = false;
                }
                continue;
            }
            boolean fixed = false;
            for (Playbook p : cands) {
                Playbook.Result r = runPlaybook(p, d, service, machine, visiting);
                actions.add(new HealReport.Action(d.fingerprint(), p.name(), r.fixed(), r.detail()));
                if (r.fixed()) {
                    fixed = true;
                    break;
                }
            }
            fixedAny |= fixed;
            if (!fixed) {
                restart = false;
                yours.add(d);
            }
        }
        if (!yours.isEmpty()) {
            boolean userOnly = yours.stream().noneMatch(Diagnosis::oursToFix);
            String why = String.join("; ", yours.stream().map(Diagnosis::cause).toList());
            if (userOnly) {
                emit(name, machine.name(), HealEvent.Kind.REFUSED, yours.get(0).fingerprint(), null, "the fix is "
                        + "yours: " + why);
            }
            return end(service, machine, userOnly ? HealReport.Outcome.NEEDS_USER : HealReport.Outcome.FAILED, found,
                    actions, (userOnly ? "left alone; the fix is yours: " : "not fixed: ") + why);
        }
        if (!restartAfter) {
            return end(service, machine, fixedAny ? HealReport.Outcome.HEALED : HealReport.Outcome.FAILED, found,
                    actions, fixedAny ? "causes fixed; retry the deploy" : "nothing was fixed");
        }
        if (!restart) {
            return end(service, machine, HealReport.Outcome.FAILED, found, actions, "not restarted");
        }
        emit(name, machine.name(), HealEvent.Kind.RESTARTING, null, null, "starting " + name + " and waiting until "
                + "it is healthy");
        long t0 = System.nanoTime();
        Playbook.Result r;
        try {
            r = restarter.restart(name);
        } catch (RuntimeException e) {
            r = Playbook.Result.failed(dev.portoser.ErrorMessages.describe(e));
        }
        emit(name, machine.name(), HealEvent.Kind.RESTARTED, null, "restart", r.detail());
        history(service, machine, "restart", r, t0);
        actions.add(new HealReport.Action("restart", "restart", r.fixed(), r.detail()));
        if (r.fixed()) {
            noteHealthy(name, clock.instant());
        }
        return end(service, machine, r.fixed() ? HealReport.Outcome.HEALED : HealReport.Outcome.FAILED, found,
                actions, r.fixed() ? "healthy again: " + r.detail() : "still not healthy: " + r.detail()
                        + "; next attempt not before " + budget.admit(clock.instant()).from());
    }

    private Playbook.Result runPlaybook(Playbook p, Diagnosis d, Service service, Machine machine,
                                        Set<String> visiting) throws InterruptedException {
        emit(service.name(), machine.name(), HealEvent.Kind.PLAYBOOK_STARTED, d.fingerprint(), p.name(), p.describe(d));
        long t0 = System.nanoTime();
        Playbook.Result r;
        try (PlaybookContext c = new PlaybookContext(registry, service, machine, () -> reach.open(machine),
                dep -> heal(dep, visiting, true), sleeper, timeout)) {
            r = p.run(d, c);
        } catch (TransportException e) {
            r = Playbook.Result.failed("cannot reach " + machine.name() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            r = Playbook.Result.failed(dev.portoser.ErrorMessages.describe(e));
        }
        emit(service.name(), machine.name(), r.fixed() ? HealEvent.Kind.PLAYBOOK_FIXED : HealEvent.Kind.PLAYBOOK_FAILED,
                d.fingerprint(), p.name(), r.detail());
        learn(d, p.name(), r.fixed() ? Occurrence.Outcome.FIXED : Occurrence.Outcome.FAILED, r.detail());
        history(service, machine, p.name() + " for " + d.fingerprint(), r, t0);
        return r;
    }

    private List<Playbook> candidates(Diagnosis d) {
        if (knowledge != null) {
            return knowledge.candidates(d, playbooks);
        }
        return playbooks.stream().filter(p -> p.handles(d)).toList();
    }

    private static boolean healthy(Observations seen) {
        return seen.first(Observation.Health.class).map(h -> h.status() == HealthStatus.HEALTHY
                || h.status() == HealthStatus.UNKNOWN).orElse(false);
    }

    private void learn(Diagnosis d, @Nullable String playbook, Occurrence.Outcome outcome, String detail) {
        if (knowledge == null) {
            return;
        }
        try {
            knowledge.record(new Occurrence(clock.instant(), d.fingerprint(), d.service(), d.machine(), playbook,
                    outcome, detail, Occurrence.Source.HEALER, List.of()));
        } catch (RuntimeException e) {
            LOG.warn("the knowledge base did not record {} on {}: {}", d.fingerprint(), d.service(), e.getMessage());
        }
    }

    private void history(Service service, Machine machine, String what, Playbook.Result r, long t0) {
        if (state == null) {
            return;
        }
        try {
            state.record(new DeploymentRecord(UUID.randomUUID().toString().substring(0, 12), clock.instant(),
                    "heal", service.name(), machine.name(), "HEAL", r.fixed() ? "FIXED" : "FAILED",
                    Duration.ofNanos(System.nanoTime() - t0), service, "", service.port(), r.fixed(), "healer",
                    what + ": " + r.detail()));
        } catch (RuntimeException e) {
            LOG.warn("the history did not record healing {}: {}", service.name(), e.getMessage());
        }
    }

    private HealReport end(Service service, Machine machine, HealReport.Outcome outcome, List<Diagnosis> found,
                           List<HealReport.Action> actions, String detail) {
        emit(service.name(), machine.name(), HealEvent.Kind.ENDED, null, null,
                outcome.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail);
        return new HealReport(service.name(), machine.name(), outcome, found, actions, detail);
    }

    private void emit(String service, String machine, HealEvent.Kind kind, @Nullable String fingerprint,
                      @Nullable String playbook, String detail) {
        try {
            listener.event(new HealEvent(clock.instant(), service, machine, kind, fingerprint, playbook, detail));
        } catch (RuntimeException e) {
            LOG.warn("a heal listener failed: {}", e.toString());
        }
    }

    private Restarter executorRestarter(Executor executor) {
        return name -> {
            RunResult result = executor.run(registry, Planner.of(registry).start(name));
            String detail = result.service(name).map(s -> s.detail()).orElse(result.render().strip());
            return new Playbook.Result(result.succeeded(), detail);
        };
    }

    /** Without an executor: the dependencies first, then the service, each started by its deployer and awaited. */
    private Restarter deployerRestarter(Builder b) {
        HealthGate gate = new HealthGate();
        return name -> {
            Service s = registry.service(name).orElseThrow();
            if (!s.vaultSecrets().isEmpty()) {
                return Playbook.Result.failed(name + " has secrets: give the healer an executor "
                        + "(Healer.builder(registry).executor(...)) to start it");
            }
            Deployer d = b.deployers.forType(s.type()).orElse(null);
            if (d == null) {
                return Playbook.Result.failed("no deployer for type " + s.type().yamlName());
            }
            Machine m = machineOf(name);
            try (Transport t = reach.open(m)) {
                d.start(new DeployContext(s, m, t, s.port(), timeout));
                List<HealthCheck> own = d.healthChecks(s);
                Integer port = s.health() != null && s.health().port() != null ? s.health().port() : s.port();
                HealthResult h = gate.await(b.checks.forService(s, own), new HealthTarget(s, m, port, t), b.healthTimeout);
                return new Playbook.Result(h.isHealthy() || h.status() == HealthStatus.UNKNOWN, h.detail());
            } catch (RuntimeException e) {
                return Playbook.Result.failed(dev.portoser.ErrorMessages.describe(e));
            }
        };
    }

    /** Options of a {@link Healer}. Not thread-safe. */
    public static final class Builder {
        private final Registry registry;
        private @Nullable TransportFactory transports;
        private TransportFactory localTransports = LocalTransport.factory();
        private Deployers deployers = Deployers.defaults();
        private HealthChecks checks = Observer.defaultChecks();
        private final List<FailurePattern> patterns = new ArrayList<>();
        private final List<Playbook> playbooks = new ArrayList<>();
        private @Nullable KnowledgeBase knowledge;
        private @Nullable Path budgetDirectory;
        private HealingPolicy defaultPolicy = HealingPolicy.DEFAULT;
        private final Map<String, HealingPolicy> policies = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private long seed = System.nanoTime();
        private HealListener listener = HealListener.NONE;
        private @Nullable StateStore state;
        private Function<String, Optional<HealthState>> states = s -> Optional.empty();
        private @Nullable Executor executor;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration healthTimeout = Duration.ofSeconds(30);

        private Builder(Registry registry) {
            this.registry = Objects.requireNonNull(registry, "registry == null");
        }

        /**
         * How to reach remote machines (SSH).
         *
         * @param factory opens a transport to each remote machine; without one, healing a remote service fails
         * @return this builder
         */
        public Builder transports(TransportFactory factory) {
            this.transports = Objects.requireNonNull(factory, "factory == null");
            return this;
        }

        /**
         * How to reach {@code localhost} machines ({@link LocalTransport} by default).
         *
         * @param factory opens a transport to each {@code localhost} machine
         * @return this builder
         */
        public Builder localTransports(TransportFactory factory) {
            this.localTransports = Objects.requireNonNull(factory, "factory == null");
            return this;
        }

        /**
         * The deployers (the defaults unless set).
         *
         * @param all the deployers, by service type, that tell whether an instance is ours and restart it
         * @return this builder
         */
        public Builder deployers(Deployers all) {
            this.deployers = Objects.requireNonNull(all, "all == null");
            return this;
        }

        /**
         * The health checks.
         *
         * @param healthChecks runs the service's and its dependencies' health checks
         * @return this builder
         */
        public Builder checks(HealthChecks healthChecks) {
            this.checks = Objects.requireNonNull(healthChecks, "healthChecks == null");
            return this;
        }

        /**
         * Adds a failure pattern, tried after the built-ins.
         *
         * @param pattern recognises one more kind of failure
         * @return this builder
         */
        public Builder pattern(FailurePattern pattern) {
            this.patterns.add(Objects.requireNonNull(pattern, "pattern == null"));
            return this;
        }

        /**
         * Adds a playbook, tried before the built-ins when the knowledge base knows no better.
         *
         * @param playbook one more fix
         * @return this builder
         */
        public Builder playbook(Playbook playbook) {
            this.playbooks.add(Objects.requireNonNull(playbook, "playbook == null"));
            return this;
        }

        /**
         * The knowledge base: learns from every occurrence, orders candidate playbooks, and supplies the user's
         * {@code playbooks.yml} from its directory (validated at {@link #build()}). None by default.
         *
         * @param kb the knowledge base to learn from and record into
         * @return this builder
         */
        public Builder knowledge(KnowledgeBase kb) {
            this.knowledge = Objects.requireNonNull(kb, "kb == null");
            return this;
        }

        /**
         * The policy of services without one of their own ({@link HealingPolicy#DEFAULT}).
         *
         * @param policy the back-off and circuit breaker of every service not given its own
         * @return this builder
         */
        public Builder policy(HealingPolicy policy) {
            this.defaultPolicy = Objects.requireNonNull(policy, "policy == null");
            return this;
        }

        /**
         * The policy of one service.
         *
         * @param service the service's name
         * @param policy its back-off and circuit breaker, in place of the default policy
         * @return this builder
         */
        public Builder policy(String service, HealingPolicy policy) {
            this.policies.put(Objects.requireNonNull(service, "service == null"),
                    Objects.requireNonNull(policy, "policy == null"));
            return this;
        }

        /**
         * The clock of the policy and the events (injected in tests: nothing waits for back-off).
         *
         * @param c the clock ({@link Clock#systemUTC()} unless set)
         * @return this builder
         */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "c == null");
            return this;
        }

        /**
         * How playbooks wait (between tries of an unreachable machine).
         *
         * @param s the sleeper ({@link Sleeper#SYSTEM} unless set)
         * @return this builder
         */
        public Builder sleeper(Sleeper s) {
            this.sleeper = Objects.requireNonNull(s, "s == null");
            return this;
        }

        /**
         * The seed of the back-off jitter.
         *
         * @param value the seed of the random jitter, so a test sees the same waits every run
         * @return this builder
         */
        public Builder jitterSeed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Hears every event.
         *
         * @param l told of each event as it happens ({@link HealListener#NONE} unless set)
         * @return this builder
         */
        public Builder listener(HealListener l) {
            this.listener = Objects.requireNonNull(l, "l == null");
            return this;
        }

        /**
         * Keeps the policy counters (back-off, circuit breaker, healthy period) of each service in {@code
         * stateDirectory/healing/SERVICE.json}, so that they hold across processes: every {@code portoser heal}
         * starts where the last one left off, and only a healthy period resets them. Without it they live in this
         * healer only.
         *
         * @param stateDirectory the state directory (as in {@link KnowledgeBase#under})
         * @return this builder
         */
        public Builder budgetsUnder(Path stateDirectory) {
            this.budgetDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory == null");
            return this;
        }

        /**
         * Writes every playbook run and restart into the history ({@code action: HEAL}).
         *
         * @param store the state store whose history receives them; none unless set
         * @return this builder
         */
        public Builder state(StateStore store) {
            this.state = Objects.requireNonNull(store, "store == null");
            return this;
        }

        /**
         * Where the health states come from (a running monitor's snapshots), to leave flapping services alone.
         *
         * @param source a service's current health state by its name, or empty when unknown
         * @return this builder
         */
        public Builder healthStates(Function<String, Optional<HealthState>> source) {
            this.states = Objects.requireNonNull(source, "source == null");
            return this;
        }

        /**
         * Restarts through an executor: with its secrets, locks, history and dependency order.
         *
         * @param e the executor that restarts services; without one, the service's deployer restarts it
         * @return this builder
         */
        public Builder executor(Executor e) {
            this.executor = Objects.requireNonNull(e, "e == null");
            return this;
        }

        /**
         * How long one command may take (30 s).
         *
         * @param limit the longest one command, including the observation script, may run
         * @return this builder
         */
        public Builder timeout(Duration limit) {
            this.timeout = Objects.requireNonNull(limit, "limit == null");
            return this;
        }

        /**
         * Without an executor, how long to wait for a restarted service to be healthy (30 s).
         *
         * @param limit the longest to wait for health after a restart made by the deployer
         * @return this builder
         */
        public Builder healthTimeout(Duration limit) {
            this.healthTimeout = Objects.requireNonNull(limit, "limit == null");
            return this;
        }

        /**
         * The healer.
         *
         * @return it
         * @throws PlaybookFileException when the knowledge directory's {@code playbooks.yml} is not valid
         */
        public Healer build() {
            return new Healer(this);
        }
    }
}

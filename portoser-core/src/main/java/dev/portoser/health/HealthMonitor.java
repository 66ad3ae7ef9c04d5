package dev.portoser.health;

import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.Deployers;
import dev.portoser.registry.HealthSpec;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.TransportFactory;
import dev.portoser.transport.internal.DaemonThreads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every service (or a selection) continuously, each at its own {@code health.interval}, and keeps a
 * {@link HealthState} per service: {@code UNHEALTHY} only after {@code retries} failures in a row, {@code BLOCKED}
 * instead of failing when a service it depends on is unhealthy, {@code FLAPPING} when its results change too often.
 *
 * <pre>{@code
 * try (HealthMonitor monitor = HealthMonitor.builder(registry)
 *         .transports(SshTransportFactory.builder().knownHosts(path).build())
 *         .listener(t -> System.out.println(t.describe()))
 *         .start()) {
 *     ServiceHealth api = monitor.snapshot("api").orElseThrow();
 * }
 * }</pre>
 *
 * <p>Cost is bounded, not one thread per service: one scheduler thread starts each check at its time (the first
 * one at a random point of its interval, so checks do not bunch); HTTP checks go through OkHttp's dispatcher and a
 * shared connection pool, TCP checks connect without blocking, and the {@link BatchableCheck}s due on one machine
 * (the registry's {@code process} check among them) run as one command over that machine's transport. Other checks
 * run on a small bounded pool. One service never has two checks in flight (a check still running when the next
 * is due skips that round), at most {@link Builder#maxConcurrentPerMachine(int)} checks run per machine at once,
 * and every check is bounded by its spec's {@code timeout}.
 *
 * <p>A service's checks are the ones its deployer contributes (its process, container or unit runs) followed by
 * the registry's own; a service with neither stays {@link HealthState#UNKNOWN} and is never checked. Listeners
 * are called one at a time on the monitor's event thread. Thread-safe; {@link #close()} is idempotent.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    /** Past its own timeout, a check is given up by the monitor after this much more. */
    private static final Duration GRACE = Duration.ofSeconds(1);

    private final Object lock = new Object();
    private final @Nullable TransportFactory transports;
    private final TransportFactory localTransports;
    private final HealthChecks checks;
    private final Deployers deployers;
    private final Clock clock;
    private final List<HealthListener> listeners;
    private final List<HealthListener> checkedListeners;
    private final java.util.concurrent.ConcurrentLinkedQueue<Event> pendingEvents =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private final @Nullable Set<String> selection;
    private final int perMachine;
    private final int successThreshold;
    private final int historySize;
    private final int flapWindow;
    private final double flapStart;
    private final double flapStop;
    private final Duration batchWindow;
    private final boolean scheduling;
    private final SplittableRandom random;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor events;
    private final ExecutorService httpThreads;
    private final OkHttpClient http;

    // guarded by lock
    private Registry registry;
    private Map<String, Entry> entries = new LinkedHashMap<>();
    private Map<String, List<Entry>> dependents = new HashMap<>();
    private final Map<Machine, MachineLink> links = new HashMap<>();
    private final Set<Entry> recheck = new LinkedHashSet<>();
    private boolean closed;

    private HealthMonitor(Builder b) {
        this.registry = b.registry;
        this.transports = b.transports;
        this.localTransports = b.localTransports;
        this.deployers = b.deployers;
        this.clock = b.clock;
        this.listeners = List.copyOf(b.listeners);
        this.checkedListeners = listeners.stream().filter(HealthMonitor::hearsChecks).toList();
        this.selection = b.selection == null ? null : Set.copyOf(b.selection);
        this.perMachine = b.perMachine;
        this.successThreshold = b.successThreshold;
        this.historySize = b.historySize;
        this.flapWindow = b.flapWindow;
        this.flapStart = b.flapStart;
        this.flapStop = b.flapStop;
        this.batchWindow = b.batchWindow;
        this.scheduling = b.scheduling;
        this.random = b.seed == null ? new SplittableRandom() : new SplittableRandom(b.seed);
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads("health-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        this.workers = new ThreadPoolExecutor(b.workerThreads, b.workerThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("health-worker"));
        workers.allowCoreThreadTimeOut(true);
        this.events = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads("health-events"));
        events.allowCoreThreadTimeOut(true);
        this.httpThreads = DaemonThreads.cachedPool("health-http");
        Dispatcher dispatcher = new Dispatcher(httpThreads);
        dispatcher.setMaxRequests(1 << 20); // the per-machine caps bound what runs
        dispatcher.setMaxRequestsPerHost(1 << 20);
        // Kept-alive connections are what makes thousands of checks a second cheap; one that the server closed
        // while idle fails its next request at once, and OkHttp then retries that request on a fresh connection.
        this.http = b.checks.httpClient().newBuilder().dispatcher(dispatcher).retryOnConnectionFailure(true).build();
        this.checks = b.checks.forMonitoring(http);
    }

    /**
     * A builder for a monitor of a registry's services.
     *
     * @param registry the registry
     * @return the builder
     */
    public static Builder builder(Registry registry) {
        return new Builder(registry);
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "portoser-" + name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One watched service: its checks, its schedule and what has been seen. Guarded by the monitor's lock. */
    private final class Entry {
        final String name;
        final Object key;
        final List<HealthCheck> parts;
        final long intervalNanos;
        final Duration timeout;
        final int retries;
        Service service;
        Machine machine;
        @Nullable Integer port;
        long nextDue;
        @Nullable ScheduledFuture<?> timer;
        boolean inFlight;
        boolean holdsSlot;
        final boolean batchedOnly;
        boolean removed;
        final List<CompletableFuture<ServiceHealth>> waiting = new ArrayList<>();
        HealthState own = HealthState.UNKNOWN;
        HealthState shown = HealthState.UNKNOWN;
        Instant since;
        @Nullable HealthResult last;
        @Nullable Instant lastChecked;
        int failures;
        int successes;
        final ArrayDeque<HealthSample> history = new ArrayDeque<>();
        final ArrayDeque<Boolean> window = new ArrayDeque<>();
        boolean flapping;
        List<String> blockedBy = List.of();

        Entry(Service service, Machine machine, Instant now) {
            this.name = service.name();
            this.service = service;
            this.machine = machine;
            this.port = service.health() != null && service.health().port() != null ? service.health().port()
                    : service.port();
            this.key = keyOf(service, machine, port);
            List<HealthCheck> all = new ArrayList<>(deployers.forType(service.type())
                    .map((Deployer d) -> d.healthChecks(service)).orElse(List.of()));
            service.healthSpec().ifPresent(spec -> all.add(checks.forService(service)));
            this.parts = List.copyOf(all);
            this.batchedOnly = !parts.isEmpty() && parts.stream().allMatch(p -> p instanceof BatchableCheck);
            HealthSpec spec = service.health();
            this.intervalNanos = (spec != null ? spec.interval() : HealthSpec.DEFAULT_INTERVAL).toNanos();
            this.timeout = spec != null ? spec.timeout() : HealthSpec.DEFAULT_TIMEOUT;
            this.retries = spec != null ? spec.retries() : HealthSpec.DEFAULT_RETRIES;
            this.since = now;
        }

        /** Whether its port is reached through the machine's SSH connection ({@code health.via: ssh}). */
        boolean viaSsh() {
            return service.health() != null && service.health().viaSsh() && !machine.isLocalhost() && port != null;
        }

        ServiceHealth snapshot() {
            return new ServiceHealth(name, machine.name(), shown, since, last, lastChecked, failures, successes,
                    blockedBy, new ArrayList<>(history));
        }
    }

    private static Object keyOf(Service s, Machine m, @Nullable Integer port) {
        return Arrays.asList(s.type(), m, port, s.health(), s.path(), s.unitName(), s.composeFile(), s.command(),
                s.portMapping());
    }

    /** A machine's transport, batcher and cap. The cap fields are guarded by the monitor's lock. */
    private static final class MachineLink {
        final LazyTransport transport;
        final ProbeBatcher batcher;
        int running;
        final ArrayDeque<Runnable> queue = new ArrayDeque<>();

        MachineLink(LazyTransport transport, ProbeBatcher batcher) {
            this.transport = transport;
            this.batcher = batcher;
        }
    }

    private MachineLink link(Machine machine) {
        return links.computeIfAbsent(machine, m -> {
            LazyTransport t = new LazyTransport(m, m.isLocalhost() ? localTransports : transports);
            return new MachineLink(t, new ProbeBatcher(t, scheduler, workers, batchWindow));
        });
    }

    private HealthMonitor begin() {
        List<Runnable> later = new ArrayList<>();
        synchronized (lock) {
            rebuild(registry, later);
        }
        later.forEach(Runnable::run);
        return this;
    }

    /** Builds the entries for a registry, keeping those whose check did not change; under the lock. */
    private void rebuild(Registry next, List<Runnable> later) {
        Instant now = clock.instant();
        Map<String, Entry> fresh = new LinkedHashMap<>();
        for (Service s : next.services().values()) {
            if (selection != null && !selection.contains(s.name())) {
                continue;
            }
            Machine m = next.machine(s.machine()).orElseThrow();
            Entry old = entries.get(s.name());
            Integer port = s.health() != null && s.health().port() != null ? s.health().port() : s.port();
            if (old != null && old.key.equals(keyOf(s, m, port))) {
                old.service = s;
                fresh.put(s.name(), old);
            } else {
                Entry e = new Entry(s, m, now);
                fresh.put(s.name(), e);
                if (!e.parts.isEmpty() && scheduling) {
                    e.nextDue = System.nanoTime() + random.nextLong(e.intervalNanos);
                    arm(e);
                }
            }
        }
        for (Entry old : entries.values()) {
            if (fresh.get(old.name) != old) {
                old.removed = true;
                if (old.timer != null) {
                    old.timer.cancel(false);
                }
                List<CompletableFuture<ServiceHealth>> w = new ArrayList<>(old.waiting);
                old.waiting.clear();
                ServiceHealth snap = old.snapshot();
                later.add(() -> w.forEach(f -> f.complete(snap)));
            }
        }
        registry = next;
        entries = fresh;
        dependents = new HashMap<>();
        for (Entry e : fresh.values()) {
            for (String dep : e.service.dependsOn()) {
                dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(e);
            }
        }
        List<HealthTransition> transitions = new ArrayList<>();
        Set<Entry> done = new HashSet<>();
        for (Entry e : fresh.values()) {
            derive(e, now, null, transitions, done);
        }
        publish(transitions, later);
    }

    private void arm(Entry e) {
        long delay = Math.max(0, e.nextDue - System.nanoTime());
        try {
            e.timer = scheduler.schedule(() -> fire(e), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ignored) {
            // closed meanwhile
        }
    }

    private void fire(Entry e) {
        Runnable start = null;
        synchronized (lock) {
            if (closed || e.removed) {
                return;
            }
            long due = e.nextDue;
            e.nextDue = due + e.intervalNanos;
            long now = System.nanoTime();
            while (e.nextDue <= now) { // rounds missed while the machine was slow are skipped, not made up
                e.nextDue += e.intervalNanos;
            }
            arm(e);
            if (!e.inFlight) {
                e.inFlight = true;
                start = admit(e, due);
            }
        }
        if (start != null) {
            start.run();
        }
    }

    /** The check's start, if the machine's cap lets it run now; else it waits in line. Under the lock. */
    private @Nullable Runnable admit(Entry e, long dueNanos) {
        MachineLink link = link(e.machine);
        Runnable job = () -> run(e, link, dueNanos);
        e.holdsSlot = !e.batchedOnly;
        if (e.batchedOnly) {
            return job; // its machine runs one batched command at a time: the batch is what the cap would bound
        }
        if (link.running < perMachine) {
            link.running++;
            return job;
        }
        link.queue.add(job);
        return null;
    }

    private void run(Entry e, MachineLink link, long dueNanos) {
        long started = System.nanoTime();
        Duration lateness = dueNanos < 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, started - dueNanos));
        CompletableFuture<HealthResult> result;
        try {
            if (e.viaSsh()) {
                result = CompletableFuture.supplyAsync(() -> link.transport.forward(e.port), workers)
                        .thenCompose(local -> {
                            // Checks connect to the forward's local end; the rest of the target stays the machine's.
                            Machine here = new Machine(e.machine.name(), local.getAddress().getHostAddress(),
                                    e.machine.user(), e.machine.platform(), e.machine.sshPort(), e.machine.sshKey(),
                                    null, null, null, null, List.of());
                            HealthTarget target = new HealthTarget(e.service, here, local.getPort(), link.transport);
                            String via = " (through the SSH connection to " + e.machine.name() + ", port " + e.port + ")";
                            return Checks.inOrder(e.parts, part -> part(part, target, link, e.timeout))
                                    .thenApply(r -> new HealthResult(r.status(), r.detail() + via, r.latency()));
                        })
                        .exceptionally(ex -> HealthResult.unhealthy("cannot forward port " + e.port + " of "
                                + e.machine.name() + " through SSH: " + Checks.reason(ex), started));
            } else {
                HealthTarget target = new HealthTarget(e.service, e.machine, e.port, link.transport);
                result = Checks.inOrder(e.parts, part -> part(part, target, link, e.timeout));
            }
        } catch (RuntimeException ex) {
            result = CompletableFuture.completedFuture(HealthResult.unhealthy("the check failed: "
                    + Checks.reason(ex), started));
        }
        result.whenComplete((r, ex) -> finished(e, link, r != null ? r
                : HealthResult.unhealthy("the check failed: " + Checks.reason(ex), started), lateness));
    }

    private CompletableFuture<HealthResult> part(HealthCheck part, HealthTarget target, MachineLink link,
                                                 Duration timeout) {
        long start = System.nanoTime();
        CompletableFuture<HealthResult> f;
        try {
            f = part instanceof BatchableCheck b ? link.batcher.submit(b, target) : part.checkAsync(target, workers);
        } catch (RuntimeException ex) {
            return CompletableFuture.completedFuture(HealthResult.unhealthy("the check failed: " + Checks.reason(ex),
                    start));
        }
        if (part instanceof Checks.SelfTimed) {
            return f;
        }
        return f.orTimeout(timeout.plus(GRACE).toNanos(), TimeUnit.NANOSECONDS)
                .exceptionally(ex -> HealthResult.unhealthy("the check did not end within its timeout of "
                        + Checks.human(timeout), start));
    }

    private void finished(Entry e, MachineLink link, HealthResult result, Duration lateness) {
        Runnable next;
        List<Runnable> later = new ArrayList<>();
        synchronized (lock) {
            next = e.holdsSlot ? link.queue.poll() : null;
            if (e.holdsSlot && next == null) {
                link.running--;
            }
            e.holdsSlot = false;
            if (closed || e.removed) {
                e.inFlight = false;
            } else {
                e.inFlight = false;
                List<HealthTransition> transitions = new ArrayList<>();
                apply(e, result, transitions);
                if (!e.waiting.isEmpty()) {
                    List<CompletableFuture<ServiceHealth>> waiting = new ArrayList<>(e.waiting);
                    e.waiting.clear();
                    ServiceHealth snap = e.snapshot();
                    later.add(() -> waiting.forEach(f -> f.complete(snap)));
                }
                publish(transitions, later);
                if (!checkedListeners.isEmpty()) {
                    later.add(() -> event(checkedListeners, l -> l.checked(e.name, result, lateness)));
                }
            }
        }
        if (next != null && !closed) {
            next.run();
        }
        later.forEach(Runnable::run);
    }

    /** Takes in one result; under the lock. */
    private void apply(Entry e, HealthResult r, List<HealthTransition> transitions) {
        Instant now = clock.instant();
        e.last = r;
        e.lastChecked = now;
        e.history.addLast(new HealthSample(now, r));
        while (e.history.size() > historySize) {
            e.history.removeFirst();
        }
        if (r.status() == HealthStatus.UNKNOWN) {
            e.own = HealthState.UNKNOWN;
        } else if (r.isHealthy()) {
            e.failures = 0;
            e.successes++;
            if (e.own == HealthState.HEALTHY || e.successes >= successThreshold) {
                e.own = HealthState.HEALTHY;
            } else if (e.own == HealthState.UNKNOWN) {
                e.own = HealthState.STARTING;
            }
        } else {
            e.successes = 0;
            e.failures++;
            if (r.isDown() || e.failures >= e.retries) {
                e.own = HealthState.UNHEALTHY;
            } else if (e.own == HealthState.UNKNOWN) {
                e.own = HealthState.STARTING;
            }
        }
        if (r.status() != HealthStatus.UNKNOWN) {
            e.window.addLast(r.isHealthy());
            while (e.window.size() > flapWindow) {
                e.window.removeFirst();
            }
            double share = changeShare(e.window);
            if (!e.flapping && e.window.size() > flapWindow / 2 && share > flapStart) {
                e.flapping = true;
            } else if (e.flapping && share < flapStop) {
                e.flapping = false;
            }
        }
        derive(e, now, r, transitions, new HashSet<>());
    }

    /** The share of results that differ from the one before, among the recent ones. */
    static double changeShare(Collection<Boolean> window) {
        if (window.size() < 2) {
            return 0;
        }
        int changes = 0;
        Boolean previous = null;
        for (Boolean b : window) {
            if (previous != null && !previous.equals(b)) {
                changes++;
            }
            previous = b;
        }
        return (double) changes / (window.size() - 1);
    }

    /**
     * The state shown for a service from its own state and its dependencies'; when it changes, its dependents are
     * derived again. Under the lock.
     */
    private void derive(Entry e, Instant now, @Nullable HealthResult cause, List<HealthTransition> transitions,
                        Set<Entry> seen) {
        HealthState state;
        List<String> roots = List.of();
        if (e.flapping) {
            state = HealthState.FLAPPING;
        } else if ((e.own == HealthState.UNHEALTHY || e.own == HealthState.STARTING) && e.last != null
                && !e.last.isHealthy()) {
            LinkedHashSet<String> found = new LinkedHashSet<>();
            for (String dep : e.service.dependsOn()) {
                Entry d = entries.get(dep);
                if (d != null && d != e && d.shown.blocksDependents()) {
                    if (d.shown == HealthState.UNHEALTHY) {
                        found.add(d.name);
                    } else {
                        found.addAll(d.blockedBy);
                    }
                }
            }
            roots = List.copyOf(found);
            state = roots.isEmpty() ? e.own : HealthState.BLOCKED;
            if (roots.isEmpty() && e.own == HealthState.UNHEALTHY && !e.shown.blocksDependents()
                    && dependencyFailing(e)) {
                // A dependency fails too but has not reached its own retries yet: wait for it to say whether it
                // is the root cause (then this one is blocked) before reporting this one as failing by itself.
                state = e.shown;
            } else if (roots.isEmpty() && cause == null && e.shown == HealthState.BLOCKED) {
                // Its dependency recovered: whether it recovers too is for its own next check to say, at once,
                // not for a report that it failed by itself in between.
                state = HealthState.BLOCKED;
                roots = e.blockedBy;
                recheck.add(e);
            }
        } else {
            state = e.own;
        }
        boolean changed = state != e.shown || !roots.equals(e.blockedBy);
        if (state != e.shown) {
            transitions.add(new HealthTransition(e.name, e.shown, state, now, cause, roots));
            e.since = now;
            LOG.debug("{}: {} -> {}", e.name, e.shown, state);
        }
        e.shown = state;
        e.blockedBy = roots;
        if (changed && seen.add(e)) {
            for (Entry d : dependents.getOrDefault(e.name, List.of())) {
                if (!d.removed) {
                    derive(d, now, null, transitions, seen);
                }
            }
            seen.remove(e);
        }
    }

    /** Whether a watched dependency's last check failed while it is not (yet) unhealthy. */
    private boolean dependencyFailing(Entry e) {
        for (String dep : e.service.dependsOn()) {
            Entry d = entries.get(dep);
            if (d != null && d != e && d.failures > 0 && !d.shown.blocksDependents() && d.shown != HealthState.FLAPPING) {
                return true;
            }
        }
        return false;
    }

    /** Queues the transitions for the listeners and starts the checks of services unblocked; under the lock. */
    private void publish(List<HealthTransition> transitions, List<Runnable> later) {
        if (!transitions.isEmpty() && !listeners.isEmpty()) {
            later.add(() -> transitions.forEach(t -> event(listeners, l -> l.transition(t))));
        }
        if (!recheck.isEmpty()) {
            for (Entry e : recheck) {
                if (scheduling && !e.removed && !e.inFlight && !e.parts.isEmpty()) {
                    e.inFlight = true;
                    Runnable start = admit(e, -1);
                    if (start != null) {
                        later.add(start);
                    }
                }
            }
            recheck.clear();
        }
    }

    private interface Call {
        void on(HealthListener l);
    }

    /** Queues a call of some listeners; one drain task at a time delivers them in order, in batches. */
    private void event(List<HealthListener> to, Call call) {
        pendingEvents.add(new Event(to, call));
        if (draining.compareAndSet(false, true)) {
            try {
                events.execute(this::drain);
            } catch (RejectedExecutionException ignored) {
                pendingEvents.clear(); // closed: nobody is listening any more
            }
        }
    }

    private record Event(List<HealthListener> to, Call call) {
    }

    private void drain() {
        while (true) {
            for (Event ev = pendingEvents.poll(); ev != null; ev = pendingEvents.poll()) {
                for (HealthListener l : ev.to) {
                    try {
                        ev.call.on(l);
                    } catch (RuntimeException ex) {
                        LOG.warn("a health listener failed (ignored): {}", ex.toString());
                    }
                }
            }
            draining.set(false);
            if (pendingEvents.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /** Whether a listener hears every check (it overrides {@link HealthListener#checked}). */
    private static boolean hearsChecks(HealthListener l) {
        try {
            return l.getClass().getMethod("checked", String.class, HealthResult.class, Duration.class)
                    .getDeclaringClass() != HealthListener.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    /**
     * What is known of a watched service now.
     *
     * @param service the service's name
     * @return its snapshot, or empty when it is not watched
     */
    public Optional<ServiceHealth> snapshot(String service) {
        synchronized (lock) {
            Entry e = entries.get(service);
            return e == null ? Optional.empty() : Optional.of(e.snapshot());
        }
    }

    /**
     * What is known of every watched service now, in registry order.
     *
     * @return what is known of every watched service now, in registry order
     */
    public Map<String, ServiceHealth> snapshots() {
        synchronized (lock) {
            Map<String, ServiceHealth> all = new LinkedHashMap<>();
            entries.forEach((name, e) -> all.put(name, e.snapshot()));
            return java.util.Collections.unmodifiableMap(all);
        }
    }

    /**
     * Checks a service now, outside its schedule (which stays as it is); when a check of it is in flight, waits for
     * that one instead of starting a second.
     *
     * @param service the service's name
     * @return its snapshot once the check ended
     * @throws IllegalArgumentException when the service is not watched
     */
    public CompletableFuture<ServiceHealth> checkNow(String service) {
        Runnable start = null;
        CompletableFuture<ServiceHealth> done = new CompletableFuture<>();
        synchronized (lock) {
            Entry e = entries.get(service);
            if (e == null) {
                throw new IllegalArgumentException("service '" + service + "' is not watched");
            }
            if (closed || e.parts.isEmpty()) {
                done.complete(e.snapshot());
                return done;
            }
            e.waiting.add(done);
            if (!e.inFlight) {
                e.inFlight = true;
                start = admit(e, -1);
            }
        }
        if (start != null) {
            start.run();
        }
        return done;
    }

    /**
     * Watches a new version of the registry: a service whose check did not change (same machine, port, health spec,
     * type, path, unit, Compose file and command) keeps its state and schedule; a changed one starts again from
     * {@link HealthState#UNKNOWN}; a removed one is no longer watched; changed {@code depends_on} take effect at
     * once. With a selection, the services selected that are still in the registry stay watched.
     *
     * @param next the new registry
     */
    public void update(Registry next) {
        Objects.requireNonNull(next, "next == null");
        List<Runnable> later = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the health monitor is closed");
            }
            rebuild(next, later);
        }
        later.forEach(Runnable::run);
    }

    /**
     * The registry watched now.
     *
     * @return the registry watched now
     */
    public Registry registry() {
        synchronized (lock) {
            return registry;
        }
    }

    /** How many batched commands ran on a machine (for tests and measurements). */
    long batchedCommands(String machine) {
        synchronized (lock) {
            return links.entrySet().stream().filter(en -> en.getKey().name().equals(machine))
                    .mapToLong(en -> en.getValue().batcher.commands()).sum();
        }
    }

    /**
     * Stops checking: no new check starts, checks in flight are abandoned, listeners hear nothing more after the
     * events already queued, and the transports the monitor opened are closed. Idempotent.
     */
    @Override
    public void close() {
        List<CompletableFuture<ServiceHealth>> waiting = new ArrayList<>();
        List<ServiceHealth> snaps = new ArrayList<>();
        List<MachineLink> opened;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (Entry e : entries.values()) {
                if (e.timer != null) {
                    e.timer.cancel(false);
                }
                for (CompletableFuture<ServiceHealth> f : e.waiting) {
                    waiting.add(f);
                    snaps.add(e.snapshot());
                }
                e.waiting.clear();
            }
            opened = new ArrayList<>(links.values());
            links.clear();
        }
        scheduler.shutdownNow();
        workers.shutdownNow();
        http.dispatcher().cancelAll();
        httpThreads.shutdownNow();
        checks.evictConnections();
        for (MachineLink link : opened) {
            try {
                link.transport.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a transport: {}", e.getMessage());
            }
        }
        for (int i = 0; i < waiting.size(); i++) {
            waiting.get(i).complete(snaps.get(i));
        }
        events.shutdown();
        try {
            if (!events.awaitTermination(2, TimeUnit.SECONDS)) {
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            events.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Options of a {@link HealthMonitor}. Not thread-safe. */
    public static final class Builder {
        private final Registry registry;
        private @Nullable TransportFactory transports;
        private TransportFactory localTransports = LocalTransport.factory();
        private HealthChecks checks = new HealthChecks();
        private Deployers deployers = Deployers.defaults();
        private Clock clock = Clock.systemUTC();
        private final List<HealthListener> listeners = new ArrayList<>();
        private @Nullable List<String> selection;
        private int perMachine = 64;
        private int workerThreads = 8;
        private int successThreshold = 1;
        private int historySize = 21;
        private int flapWindow = 21;
        private double flapStart = 0.20;
        private double flapStop = 0.05;
        private Duration batchWindow = Duration.ofMillis(100);
        private @Nullable Long seed;
        private boolean scheduling = true;

        private Builder(Registry registry) {
            this.registry = Objects.requireNonNull(registry, "registry == null");
        }

        /**
         * How remote machines are reached (for checks that look on the machine); none by default.
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
         * The checks of the health types. The monitor runs their HTTP checks through its own dispatcher and
         * connection pool, keeping the rest of the client's settings (TLS trust, interceptors).
         *
         * @param healthChecks the health checks
         * @return this builder
         */
        public Builder checks(HealthChecks healthChecks) {
            this.checks = Objects.requireNonNull(healthChecks, "healthChecks == null");
            return this;
        }

        /**
         * The deployers whose contributed checks run before the registry's; {@link Deployers#defaults()} by default.
         *
         * @param deployers the deployers
         * @return this builder
         */
        public Builder deployers(Deployers deployers) {
            this.deployers = Objects.requireNonNull(deployers, "deployers == null");
            return this;
        }

        /**
         * The clock of the times in snapshots and transitions; the system clock in UTC by default.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock == null");
            return this;
        }

        /**
         * Adds a listener.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(HealthListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener == null"));
            return this;
        }

        /**
         * Watches only these services (every service by default).
         *
         * @param services the services
         * @return this builder
         */
        public Builder watch(Collection<String> services) {
            this.selection = List.copyOf(services);
            return this;
        }

        /**
         * Watches only these services (every service by default).
         *
         * @param services the services
         * @return this builder
         */
        public Builder watch(String... services) {
            return watch(List.of(services));
        }

        /**
         * At most this many checks at once per machine; 64 by default.
         *
         * @param max the maximum
         * @return this builder
         */
        public Builder maxConcurrentPerMachine(int max) {
            this.perMachine = positive(max, "maxConcurrentPerMachine");
            return this;
        }

        /**
         * Threads for checks that must block (contributed checks, batched commands); 8 by default.
         *
         * @param threads the threads
         * @return this builder
         */
        public Builder workerThreads(int threads) {
            this.workerThreads = positive(threads, "workerThreads");
            return this;
        }

        /**
         * Passed checks in a row that make a failing or starting service healthy again; 1 by default.
         *
         * @param successes the successes
         * @return this builder
         */
        public Builder successThreshold(int successes) {
            this.successThreshold = positive(successes, "successThreshold");
            return this;
        }

        /**
         * How many recent checks a snapshot keeps; 21 by default.
         *
         * @param size the size
         * @return this builder
         */
        public Builder history(int size) {
            this.historySize = positive(size, "history");
            return this;
        }

        /**
         * Flap detection, as Nagios does it: over the last {@code window} results (judged once more than half of
         * them are in), a service whose share of changes from one result to the next rises above {@code start}
         * is {@link HealthState#FLAPPING} until the share falls below {@code stop}. 21, 0.20 and 0.05 by default.
         *
         * @param window how many recent results are judged
         * @param start the share of changes above which a service is flapping
         * @param stop the share of changes below which it no longer is
         * @return this builder
         */
        public Builder flapDetection(int window, double start, double stop) {
            if (window < 3 || !(start > 0 && start <= 1) || !(stop >= 0 && stop < start)) {
                throw new IllegalArgumentException("expected window >= 3 and 0 <= stop < start <= 1, was " + window
                        + ", " + start + ", " + stop);
            }
            this.flapWindow = window;
            this.flapStart = start;
            this.flapStop = stop;
            return this;
        }

        /**
         * How long a machine-side check waits for others due on its machine to share one command; 100 ms by default.
         *
         * @param window the window
         * @return this builder
         */
        public Builder batchWindow(Duration window) {
            if (window.isNegative()) {
                throw new IllegalArgumentException("batchWindow must not be negative, was " + window);
            }
            this.batchWindow = window;
            return this;
        }

        /**
         * Whether services are checked on their schedule (the default); without it, only {@link #checkNow} checks,
         * for a caller that drives the checks itself (a dashboard's "check now", a test).
         *
         * @param scheduled whether checks run on their schedule
         * @return this builder
         */
        public Builder scheduling(boolean scheduled) {
            this.scheduling = scheduled;
            return this;
        }

        /**
         * A seed for the random spread of first checks (for repeatable runs); random by default.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder jitterSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Starts monitoring.
         *
         * @return the running monitor; close it to stop
         * @throws IllegalArgumentException when a selected service is not in the registry
         */
        public HealthMonitor start() {
            for (String name : selection == null ? List.<String>of() : selection) {
                if (registry.service(name).isEmpty()) {
                    throw new IllegalArgumentException("unknown service '" + name + "'; services are: "
                            + String.join(", ", registry.services().keySet()));
                }
            }
            return new HealthMonitor(this).begin();
        }

        private static int positive(int n, String what) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, was " + n);
            }
            return n;
        }
    }
}

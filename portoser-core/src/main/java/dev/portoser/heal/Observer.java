package dev.portoser.heal;

import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.Deployers;
import dev.portoser.deploy.DockerComposeDeployer;
import dev.portoser.deploy.MachineLayout;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthStatus;
import dev.portoser.health.HealthTarget;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Looks at a service on its machine and says what it sees as typed {@link Observation}s: whether the machine
 * answers; the service's instance and PID file, and whether the process it names is ours; who holds its port (its
 * own instance, a stale one of ours, another of our services, or a foreign process with PID and command); the disk
 * use of the file systems it writes to; access to its {@code path}; whether its program and Compose file exist; the
 * Docker engine and its containers with their exit codes; its systemd unit; the tail of its log — all in one
 * script, one round trip. Then the health of each service it depends on and its own health check, once.
 *
 * <p>Observing changes nothing on the machine. Thread-safe; holds no connection between calls.
 */
public final class Observer {
    private final Registry registry;
    private final Reach reach;
    private final Deployers deployers;
    private final HealthChecks checks;
    private final Clock clock;
    private final Duration timeout;
    private final int logLines;
    private final @Nullable Function<String, HealthResult> dependencyHealth;

    private Observer(Builder b) {
        this.registry = b.registry;
        this.reach = new Reach(b.transports, b.localTransports);
        this.deployers = b.deployers;
        this.checks = b.checks;
        this.clock = b.clock;
        this.timeout = b.timeout;
        this.logLines = b.logLines;
        this.dependencyHealth = b.dependencyHealth;
    }

    /**
     * A builder for an observer of a registry's services.
     *
     * @param registry the registry
     * @return the builder
     */
    public static Builder builder(Registry registry) {
        return new Builder(registry);
    }

    /**
     * The registry observed.
     *
     * @return the registry whose services this observer observes
     */
    public Registry registry() {
        return registry;
    }

    /**
     * Observes one service.
     *
     * @param serviceName the service
     * @return what was seen; an unreachable machine is an observation, not an exception
     * @throws IllegalArgumentException when the registry has no such service
     */
    public Observations observe(String serviceName) {
        Service service = registry.service(serviceName).orElseThrow(() ->
                new IllegalArgumentException("unknown service '" + serviceName + "'"));
        Machine machine = registry.machine(service.machine()).orElseThrow();
        List<Observation> items = new ArrayList<>();
        try (Transport t = reach.open(machine)) {
            CommandResult r = t.exec(script(service).timeout(timeout));
            if (!r.stdout().startsWith("reach\tok")) {
                items.add(new Observation.Reachability(true, "the observation script failed: exit " + r.exitCode()
                        + " " + r.tail(3)));
            } else {
                ObserverParser.parse(r.stdout(), service, items);
            }
            for (String dep : service.dependsOn()) {
                HealthResult h = dependencyHealth != null ? dependencyHealth.apply(dep) : checkOnce(dep);
                items.add(new Observation.Dependency(dep, h.status(), h.detail()));
            }
            if (items.get(0) instanceof Observation.Reachability reachable && reachable.reachable()) {
                HealthResult own = check(service, machine, t);
                items.add(new Observation.Health(own.status(), own.detail()));
            }
        } catch (TransportException e) {
            items.clear();
            items.add(new Observation.Reachability(false, String.valueOf(e.getMessage())));
        }
        return new Observations(service.name(), machine.name(), clock.instant(), items);
    }

    private Command script(Service s) {
        String port = s.port() != null ? String.valueOf(s.port()) : s.portMapping() != null
                && s.portMapping().host() != null ? String.valueOf(s.portMapping().host()) : "";
        return Command.script(ObserverScript.TEXT, s.name(), s.type().yamlName(), s.path(), port,
                MachineLayout.logFile(s), s.composeFile() == null ? "" : s.composeFile(),
                s.command() == null ? "" : s.command(), MachineLayout.unitName(s),
                s.type() == ServiceType.DOCKER ? DockerComposeDeployer.projectName(s) : "",
                String.valueOf(logLines));
    }

    /** The dependency's health, checked once on its own machine. */
    private HealthResult checkOnce(String name) {
        long start = System.nanoTime();
        Service dep = registry.service(name).orElse(null);
        if (dep == null) {
            return HealthResult.unhealthy("not in the registry", start);
        }
        Machine m = registry.machine(dep.machine()).orElseThrow();
        try (Transport t = reach.open(m)) {
            return check(dep, m, t);
        } catch (TransportException e) {
            return HealthResult.unhealthy("cannot reach " + m.name() + ": " + e.getMessage(), start);
        }
    }

    /** The deployer's checks (its instance runs and holds its port), then the registry's. */
    HealthResult check(Service s, Machine m, Transport t) {
        List<dev.portoser.health.HealthCheck> own = deployers.forType(s.type()).map(d -> d.healthChecks(s))
                .orElse(List.of());
        if (own.isEmpty() && s.healthSpec().isEmpty()) {
            return new HealthResult(HealthStatus.UNKNOWN, "no health check defined", Duration.ZERO);
        }
        Integer port = s.health() != null && s.health().port() != null ? s.health().port() : s.port();
        return checks.forService(s, own).check(new HealthTarget(s, m, port, t));
    }

    /** Options of an {@link Observer}. Not thread-safe. */
    public static final class Builder {
        private final Registry registry;
        private @Nullable TransportFactory transports;
        private TransportFactory localTransports = LocalTransport.factory();
        private Deployers deployers = Deployers.defaults();
        private HealthChecks checks = Observer.defaultChecks();
        private Clock clock = Clock.systemUTC();
        private Duration timeout = Duration.ofSeconds(30);
        private int logLines = 20;
        private @Nullable Function<String, HealthResult> dependencyHealth;

        private Builder(Registry registry) {
            this.registry = Objects.requireNonNull(registry, "registry == null");
        }

        /**
         * How to reach remote machines (SSH).
         *
         * @param factory opens a transport to each remote machine; without one, observing a remote service fails
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
         * The deployers whose checks tell whether an instance is ours.
         *
         * @param all the deployers, by service type ({@link Deployers#defaults()} unless set)
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
         * The clock that stamps observations.
         *
         * @param c the clock ({@link Clock#systemUTC()} unless set)
         * @return this builder
         */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "c == null");
            return this;
        }

        /**
         * How long the observation script may take (30 s by default).
         *
         * @param limit the longest the observation script may run on the machine
         * @return this builder
         */
        public Builder timeout(Duration limit) {
            this.timeout = Objects.requireNonNull(limit, "limit == null");
            return this;
        }

        /**
         * How many log lines to read (20 by default).
         *
         * @param lines how many of the log's last lines to read, at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code lines} is less than 1
         */
        public Builder logLines(int lines) {
            if (lines < 1) {
                throw new IllegalArgumentException("lines must be at least 1, was " + lines);
            }
            this.logLines = lines;
            return this;
        }

        /**
         * Where the health of dependencies comes from, for example a running {@link dev.portoser.health.HealthMonitor}'s
         * last results; by default each is checked once.
         *
         * @param source the last health result of a dependency, by the dependency's name
         * @return this builder
         */
        public Builder dependencyHealth(Function<String, HealthResult> source) {
            this.dependencyHealth = Objects.requireNonNull(source, "source == null");
            return this;
        }

        /**
         * The observer.
         *
         * @return a new observer with this builder's settings
         */
        public Observer build() {
            return new Observer(this);
        }
    }

    /**
     * Health checks whose HTTP client retries a request once on a fresh connection when a kept-alive one was closed
     * by the server while idle (as the health monitor's does); otherwise the second check through one client of a
     * server that closes idle connections fails with "unexpected end of stream".
     */
    static HealthChecks defaultChecks() {
        return new HealthChecks(new okhttp3.OkHttpClient.Builder().retryOnConnectionFailure(true)
                .followRedirects(false).dispatcher(new okhttp3.Dispatcher(
                        dev.portoser.transport.internal.DaemonThreads.cachedPool("heal-http"))).build());
    }

    /** A service status state from the script's word. */
    static ServiceStatus.State state(String word) {
        try {
            return ServiceStatus.State.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return ServiceStatus.State.UNKNOWN;
        }
    }

    /** The deployer of a service type, if registered. */
    java.util.Optional<Deployer> deployer(Service s) {
        return deployers.forType(s.type());
    }
}

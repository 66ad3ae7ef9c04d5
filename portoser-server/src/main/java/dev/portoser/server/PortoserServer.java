package dev.portoser.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.Deployers;
import dev.portoser.exec.Executor;
import dev.portoser.heal.AutoHealer;
import dev.portoser.heal.HealReport;
import dev.portoser.heal.Healer;
import dev.portoser.heal.KnowledgeBase;
import dev.portoser.health.HealthListener;
import dev.portoser.health.HealthMonitor;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthTransition;
import dev.portoser.registry.Group;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryLoader;
import dev.portoser.registry.Service;
import dev.portoser.secret.SecretProvider;
import dev.portoser.server.internal.Access;
import dev.portoser.server.internal.Api;
import dev.portoser.server.internal.Api.Route;
import dev.portoser.server.internal.ApiError;
import dev.portoser.server.internal.Assets;
import dev.portoser.server.internal.Edits;
import dev.portoser.server.internal.EventHub;
import dev.portoser.server.internal.Reachability;
import dev.portoser.server.internal.RegistrySource;
import dev.portoser.server.internal.Routes;
import dev.portoser.server.internal.Runs;
import dev.portoser.server.internal.SecretFile;
import dev.portoser.server.internal.Views;
import dev.portoser.state.FileStateStore;
import dev.portoser.state.StateStore;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard and HTTP API for one registry: machines and their services with live health, add and edit
 * through the same editor as the CLI, plans and runs (a move shows its steps and the registry diff first),
 * history with rollback, logs, and live updates over Server-Sent Events. It runs a {@link HealthMonitor} for
 * every service of the registry (and, when enabled, heals the ones that turn unhealthy), and reads the registry
 * file again when it changes on disk or on {@code portoser registry reload}.
 *
 * <pre>{@code
 * try (PortoserServer server = PortoserServer.builder(Path.of("registry.yml"))
 *         .transports(SshTransportFactory.builder().build())
 *         .start()) {
 *     System.out.println("open " + server.loginUrl());
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * <p><b>Security.</b> It listens on {@code 127.0.0.1:7900} by default. Every API request needs the server's token
 * (in {@code server.token}, 0600, in the state directory): as {@code Authorization: Bearer TOKEN}, or as the
 * session cookie a one-time {@link #loginUrl() login link} sets. Only a loopback server may do without it
 * ({@link Builder#requireToken(boolean)}). On loopback, requests addressed to another host name are refused
 * (DNS rebinding); changes from another origin are refused (CSRF); bodies must be JSON. The page loads only its
 * own scripts (a Content-Security-Policy without inline script) and cannot be framed. No secret value, AppRole
 * secret id or environment value is ever sent.
 *
 * <p>Instances are thread-safe; {@link #close()} stops everything it started and is idempotent.
 */
public final class PortoserServer implements AutoCloseable {
    /** The port used when none is given. */
    public static final int DEFAULT_PORT = 7900;
    /** The token's file in the state directory. */
    public static final String TOKEN_FILE = "server.token";
    /** The file in the state directory that says where a running server listens (see {@link RunningServer}). */
    public static final String ADDRESS_FILE = "server.json";
    private static final Logger LOG = LoggerFactory.getLogger(PortoserServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer http;
    private final ExecutorService threads;
    private final ScheduledExecutorService watcher;
    private final EventHub hub;
    private final RegistrySource source;
    private final HealthMonitor monitor;
    private final Reachability reach;
    private final Runs runs;
    private final Access access;
    private final Api api;
    private final StateStore state;
    private final Path stateDirectory;
    private final URI url;
    private final String token;
    private final @Nullable Healing healing;
    private final Deployers deployers;
    private final TransportFactory localTransports;
    private final TransportFactory remoteTransports;
    private final Object closeLock = new Object();
    private boolean closed;

    private PortoserServer(Builder b) throws IOException {
        this.stateDirectory = b.stateDirectory != null ? b.stateDirectory
                : Path.of(System.getProperty("user.home"), ".portoser");
        Files.createDirectories(stateDirectory);
        this.state = b.state != null ? b.state : new FileStateStore(stateDirectory);
        this.token = SecretFile.readOrCreate(stateDirectory.resolve(TOKEN_FILE), Access::newToken);
        this.hub = new EventHub(JSON, b.maxEventStreams);
        Object editLock = new Object();
        AtomicReference<@Nullable Consumer<RegistrySource.Snapshot>> onChange = new AtomicReference<>();
        this.source = new RegistrySource(b.registry, b.loader, snap -> {
            Consumer<RegistrySource.Snapshot> c = onChange.get();
            if (c != null) {
                c.accept(snap);
            }
        });
        Registry registry = source.snapshot().registry();
        TransportFactory remote = b.transports;
        TransportFactory local = b.localTransports;
        this.deployers = b.deployers;
        this.localTransports = local;
        this.remoteTransports = remote;

        // Listen first: a taken port fails the start before anything else has been started.
        InetSocketAddress bind = b.bind;
        boolean loopback = bind.getAddress().isLoopbackAddress();
        if (!b.requireToken && !loopback) {
            throw new ServerException("refusing to serve " + bind.getAddress().getHostAddress() + " without a token: "
                    + "only a loopback server may do without one");
        }
        this.http = HttpServer.create(bind, 64);

        this.healing = b.healing ? new Healing(b, remote, local, state, stateDirectory, hub) : null;
        HealthListener publish = new HealthListener() {
            @Override
            public void transition(HealthTransition t) {
                hub.publish("health", Views.transition(t));
                if (healing != null) {
                    healing.transition(t);
                }
            }

            @Override
            public void checked(String service, HealthResult result, Duration lateness) {
                if (healing != null) {
                    healing.checked(service, result, lateness);
                }
            }
        };
        HealthMonitor.Builder mb = HealthMonitor.builder(registry).transports(remote).localTransports(local)
                .deployers(b.deployers).listener(publish);
        b.monitorOptions.accept(mb);
        this.monitor = mb.start();
        if (healing != null) {
            healing.use(registry, monitor);
        }
        this.reach = new Reachability(() -> source.snapshot().registry(), remote, local, b.probeInterval,
                Duration.ofSeconds(5), (machine, r) -> hub.publish("machine",
                        Map.of("machine", machine, "reachable", r.reachable(), "detail", r.detail())));
        onChange.set(snap -> {
            if (snap.problems().isEmpty()) {
                monitor.update(snap.registry());
                if (healing != null) {
                    healing.use(snap.registry(), monitor);
                }
            }
            hub.publish("registry", registryDocument(snap));
        });

        this.runs = new Runs(source, b.loader, state, () -> {
            Executor.Builder eb = Executor.builder().transports(remote).localTransports(local).deployers(b.deployers)
                    .state(state);
            if (b.secrets != null) {
                eb.secrets(b.secrets);
            }
            b.executorOptions.accept(eb);
            return eb;
        }, hub, b.clock, editLock);
        Edits edits = new Edits(source, b.loader, editLock);

        int port = http.getAddress().getPort();
        String host = bind.getAddress().getHostAddress();
        String urlHost = host.contains(":") ? "[" + host + "]" : host;
        this.url = URI.create("http://" + urlHost + ":" + port + "/");
        Set<String> hosts = null;
        if (loopback) {
            hosts = new LinkedHashSet<>(List.of("localhost:" + port, urlHost + ":" + port, "127.0.0.1:" + port,
                    "[::1]:" + port));
        }
        this.access = new Access(b.requireToken, token, hosts, b.clock);
        this.api = new Api(JSON, access, new Routes(this::registryDocument, source, edits, runs, monitor, reach,
                state, hub, this::logs).all());
        http.createContext("/", new Assets(access));
        http.createContext(Api.PREFIX, api);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "portoser-server-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portoser-server-registry-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::reloadQuietly, b.reloadInterval.toMillis(), b.reloadInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        http.start();
        writeAddressFile(b.registry);
        LOG.info("serving {} at {}", b.registry, url);
    }

    private void reloadQuietly() {
        try {
            source.reload(false);
        } catch (RuntimeException e) {
            LOG.warn("cannot re-read the registry: {}", e.getMessage());
        }
    }

    private void writeAddressFile(Path registry) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("url", url.toString());
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("registry", registry.toAbsolutePath().toString());
        doc.put("started", Instant.now().toString());
        SecretFile.write(stateDirectory.resolve(ADDRESS_FILE), JSON.writeValueAsString(doc));
    }

    private Map<String, Object> registryDocument() {
        return registryDocument(source.snapshot());
    }

    private Map<String, Object> registryDocument(RegistrySource.Snapshot snap) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", source.file().toAbsolutePath().toString());
        doc.put("registrySha256", snap.sha256());
        doc.put("machines", snap.registry().machines().size());
        doc.put("services", snap.registry().services().size());
        doc.put("groups", snap.registry().groups().values().stream().map(Group::name).toList());
        doc.put("warnings", Views.problems(snap.registry().warnings()));
        doc.put("problems", Views.problems(snap.problems()));
        doc.put("healing", healing != null);
        doc.put("tokenRequired", access == null || access.tokenRequired());
        return doc;
    }

    private String logs(Service s, int lines) {
        Registry registry = source.snapshot().registry();
        Machine m = registry.machine(s.machine()).orElseThrow();
        Deployer deployer = deployers.forType(s.type())
                .orElseThrow(() -> new ApiError(501, "no deployer for type " + s.type().yamlName()));
        TransportFactory f = m.isLocalhost() ? localTransports : remoteTransports;
        try (Transport t = f.open(m)) {
            return deployer.logs(new DeployContext(s, m, t, s.port(), Duration.ofSeconds(30)), lines);
        } catch (dev.portoser.PortoserException e) {
            throw new ApiError(502, "cannot read the log of '" + s.name() + "' on '" + m.name() + "': "
                    + e.getMessage());
        }
    }

    /**
     * A builder for a server of a registry file.
     *
     * @param registry the registry file; it must exist and be valid when the server starts
     * @return the builder
     */
    public static Builder builder(Path registry) {
        return new Builder(registry);
    }

    /**
     * Where the server listens, such as {@code http://127.0.0.1:7900/}.
     *
     * @return its address
     */
    public URI url() {
        return url;
    }

    /**
     * The port it listens on (the one chosen when port 0 was asked for).
     *
     * @return the port
     */
    public int port() {
        return url.getPort();
    }

    /**
     * A new one-time link that sets the session cookie in the browser that opens it, valid for ten minutes.
     *
     * @return the link
     */
    public URI loginUrl() {
        return url.resolve("/login/" + access.newLoginCode());
    }

    /**
     * The token API clients send as {@code Authorization: Bearer TOKEN}.
     *
     * @return the token
     */
    public String token() {
        return token;
    }

    /**
     * The registry the server serves now (the last valid version of the file).
     *
     * @return the registry
     */
    public Registry registry() {
        return source.snapshot().registry();
    }

    /**
     * Reads the registry file again now (the server also does when the file changes).
     *
     * @return the problems of the file, empty when it is valid (an invalid file leaves the last valid registry in use)
     */
    public List<String> reload() {
        return source.reload(true).problems().stream().map(Object::toString).toList();
    }

    /**
     * The health monitor of the registry's services.
     *
     * @return the monitor
     */
    public HealthMonitor monitor() {
        return monitor;
    }

    /** The API's routes, for the test that holds them and the OpenAPI document together. */
    List<Route> routes() {
        return api.routes();
    }

    /**
     * Blocks until {@link #close()} is called (from another thread or a shutdown hook).
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public void awaitClose() throws InterruptedException {
        synchronized (closeLock) {
            while (!closed) {
                closeLock.wait();
            }
        }
    }

    /** Stops serving, ends the event streams and runs, stops the monitor, and removes the address file. */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
            closeLock.notifyAll();
        }
        hub.close();
        watcher.shutdownNow();
        http.stop(0); // the event streams have ended; nothing else is long
        threads.shutdownNow();
        runs.close();
        reach.close();
        monitor.close();
        if (healing != null) {
            healing.close();
        }
        try {
            Path address = stateDirectory.resolve(ADDRESS_FILE);
            if (Files.exists(address) && Files.readString(address).contains("\"url\":\"" + url + "\"")) {
                Files.delete(address);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", stateDirectory.resolve(ADDRESS_FILE), e.getMessage());
        }
    }

    private static TransportFactory noRemote() {
        return new TransportFactory() {
            @Override
            public Transport open(Machine machine) {
                throw new ServerException("machine '" + machine.name() + "' is remote and the server was given no "
                        + "transport for remote machines (PortoserServer.Builder.transports)");
            }

            @Override
            public void close() {
                // nothing opened
            }
        };
    }

    /** Healing of services that turn unhealthy, with a healer for the registry in use. */
    private static final class Healing implements HealthListener, AutoCloseable {
        private final TransportFactory remote;
        private final TransportFactory local;
        private final StateStore state;
        private final KnowledgeBase knowledge;
        private final Path directory;
        private final EventHub hub;
        private final Deployers deployers;
        private volatile @Nullable AutoHealer current;

        Healing(Builder options, TransportFactory remote, TransportFactory local, StateStore state, Path dir,
                EventHub hub) {
            this.remote = remote;
            this.local = local;
            this.state = state;
            this.knowledge = KnowledgeBase.under(dir);
            this.directory = dir;
            this.hub = hub;
            this.deployers = options.deployers;
        }

        void use(Registry registry, HealthMonitor monitor) {
            Healer.Builder hb = Healer.builder(registry).transports(remote).localTransports(local)
                    .deployers(deployers).state(state).knowledge(knowledge)
                    .budgetsUnder(directory) // the same counters as portoser heal and health --watch --heal
                    .healthStates(name -> monitor.snapshot(name).map(h -> h.state()));
            Healer healer = hb.build();
            AutoHealer next = AutoHealer.of(healer, registry.services().keySet(), this::report);
            AutoHealer before = current;
            current = next;
            if (before != null) {
                before.close();
            }
        }

        private void report(HealReport r) {
            List<Map<String, Object>> actions = new ArrayList<>();
            for (HealReport.Action a : r.actions()) {
                actions.add(Map.of("fingerprint", a.fingerprint(), "playbook", a.playbook(), "fixed", a.fixed(),
                        "detail", a.detail()));
            }
            hub.publish("heal", Map.of("service", r.service(), "machine", r.machine(), "outcome",
                    r.outcome().name(), "detail", r.detail(), "actions", actions));
        }

        @Override
        public void transition(HealthTransition t) {
            AutoHealer h = current;
            if (h != null) {
                h.transition(t);
            }
        }

        @Override
        public void checked(String service, HealthResult result, Duration lateness) {
            AutoHealer h = current;
            if (h != null) {
                h.checked(service, result, lateness);
            }
        }

        @Override
        public void close() {
            AutoHealer h = current;
            if (h != null) {
                h.close();
            }
        }
    }

    /** How a server is made. Not thread-safe. */
    public static final class Builder {
        private final Path registry;
        private RegistryLoader loader = Registry.loader().build();
        private TransportFactory transports = noRemote();
        private TransportFactory localTransports = LocalTransport.factory();
        private Deployers deployers = Deployers.defaults();
        private @Nullable SecretProvider secrets;
        private @Nullable Path stateDirectory;
        private @Nullable StateStore state;
        private InetSocketAddress bind;
        private boolean requireToken = true;
        private boolean healing;
        private Duration reloadInterval = Duration.ofSeconds(1);
        private Duration probeInterval = Duration.ofSeconds(30);
        private int maxEventStreams = 32;
        private Clock clock = Clock.systemUTC();
        private Consumer<Executor.Builder> executorOptions = e -> { };
        private Consumer<HealthMonitor.Builder> monitorOptions = m -> { };

        private Builder(Path registry) {
            this.registry = Objects.requireNonNull(registry, "registry == null");
            this.bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT);
        }

        /**
         * How the registry is loaded (template variables...).
         *
         * @param registryLoader the loader
         * @return this builder
         */
        public Builder loader(RegistryLoader registryLoader) {
            this.loader = Objects.requireNonNull(registryLoader, "registryLoader == null");
            return this;
        }

        /**
         * The transports to remote machines (SSH: {@code SshTransportFactory}); the server closes none of them.
         * Without one, remote machines show as unreachable with a sentence saying why.
         *
         * @param factory the factory
         * @return this builder
         */
        public Builder transports(TransportFactory factory) {
            this.transports = Objects.requireNonNull(factory, "factory == null");
            return this;
        }

        /**
         * The transports to {@code localhost} machines ({@link LocalTransport} by default).
         *
         * @param factory the factory
         * @return this builder
         */
        public Builder localTransports(TransportFactory factory) {
            this.localTransports = Objects.requireNonNull(factory, "factory == null");
            return this;
        }

        /**
         * The deployers of the service types ({@link Deployers#defaults()} by default).
         *
         * @param all the deployers
         * @return this builder
         */
        public Builder deployers(Deployers all) {
            this.deployers = Objects.requireNonNull(all, "all == null");
            return this;
        }

        /**
         * Where {@code vault_secrets} come from when a run deploys.
         *
         * @param provider the provider
         * @return this builder
         */
        public Builder secrets(SecretProvider provider) {
            this.secrets = Objects.requireNonNull(provider, "provider == null");
            return this;
        }

        /**
         * The state directory: history, journal, the token and the address file ({@code ~/.portoser} by default).
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder stateDirectory(Path directory) {
            this.stateDirectory = Objects.requireNonNull(directory, "directory == null");
            return this;
        }

        /**
         * The history and journal, when not the {@link FileStateStore} of the state directory.
         *
         * @param store the store
         * @return this builder
         */
        public Builder state(StateStore store) {
            this.state = Objects.requireNonNull(store, "store == null");
            return this;
        }

        /**
         * Where to listen ({@code 127.0.0.1:7900} by default; port 0 picks a free port).
         *
         * @param host an address of this machine, such as {@code 127.0.0.1} or {@code 0.0.0.0}
         * @param port the port
         * @return this builder
         * @throws IllegalArgumentException when the host is not an address of this machine's form
         */
        public Builder bind(String host, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("the port must be from 0 to 65535, not " + port);
            }
            try {
                this.bind = new InetSocketAddress(InetAddress.getByName(Objects.requireNonNull(host, "host == null")),
                        port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("cannot listen on '" + host + "': not an address of this machine",
                        e);
            }
            return this;
        }

        /**
         * Whether the API needs the token (true by default; only a loopback server may turn it off).
         *
         * @param required whether it does
         * @return this builder
         */
        public Builder requireToken(boolean required) {
            this.requireToken = required;
            return this;
        }

        /**
         * Whether services that turn unhealthy are healed ({@link Healer}: only what is ours, with back-off and a
         * circuit breaker per service); off by default.
         *
         * @param enabled whether they are
         * @return this builder
         */
        public Builder healing(boolean enabled) {
            this.healing = enabled;
            return this;
        }

        /**
         * How often the registry file is checked for changes (1 s by default).
         *
         * @param interval the interval
         * @return this builder
         */
        public Builder reloadInterval(Duration interval) {
            this.reloadInterval = positive(interval, "interval");
            return this;
        }

        /**
         * How often each machine's reachability is probed (30 s by default).
         *
         * @param interval the interval
         * @return this builder
         */
        public Builder probeInterval(Duration interval) {
            this.probeInterval = positive(interval, "interval");
            return this;
        }

        /**
         * The clock of login links and plan expiry.
         *
         * @param c the clock
         * @return this builder
         */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "c == null");
            return this;
        }

        /**
         * Sets options of the executors of runs (parallelism, timeouts...), after the server's own.
         *
         * @param options what to set
         * @return this builder
         */
        public Builder executorOptions(Consumer<Executor.Builder> options) {
            this.executorOptions = Objects.requireNonNull(options, "options == null");
            return this;
        }

        /**
         * Sets options of the health monitor, after the server's own.
         *
         * @param options what to set
         * @return this builder
         */
        public Builder monitorOptions(Consumer<HealthMonitor.Builder> options) {
            this.monitorOptions = Objects.requireNonNull(options, "options == null");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }

        /**
         * Starts the server.
         *
         * @return the running server
         * @throws dev.portoser.registry.RegistryException when the registry file is not valid
         * @throws ServerException when the port is taken or the state directory cannot be used
         */
        public PortoserServer start() {
            try {
                return new PortoserServer(this);
            } catch (java.net.BindException e) {
                throw new ServerException("cannot listen on " + bind.getAddress().getHostAddress() + ":"
                        + bind.getPort() + ": the port is taken (choose another with --port)", e);
            } catch (IOException | UncheckedIOException e) {
                throw new ServerException("cannot start the server: " + dev.portoser.ErrorMessages.describe(e), e);
            }
        }
    }
}

package dev.portoser.health;

import dev.portoser.registry.HealthSpec;
import dev.portoser.registry.HealthType;
import dev.portoser.registry.Service;
import dev.portoser.transport.internal.DaemonThreads;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The registry of checks for the health types of the registry ({@code http}, {@code tcp}, {@code process}), each
 * made from a service's {@link HealthSpec} by a {@link Factory}. The built-in ones can be replaced per type
 * through {@link #builder()}; checks that deployers contribute (container health, unit state, "our process runs")
 * are combined with these by {@link #forService(Service, List)}. One shared OkHttp client serves every HTTP check
 * (TLS verified with the platform's trust store); each check is bounded by its spec's timeout. Thread-safe.
 */
public final class HealthChecks {
    /** Makes the check for a health spec of one type. Implementations are thread-safe. */
    @FunctionalInterface
    public interface Factory {
        /**
         * The check for a spec.
         *
         * @param spec the service's health spec
         * @return the check
         */
        HealthCheck create(HealthSpec spec);
    }

    private final OkHttpClient http;
    private final Map<HealthType, Factory> overrides;
    private final Map<HealthType, Factory> factories;
    private final boolean poolPerAddress;
    private final Map<Object, OkHttpClient> clients = new ConcurrentHashMap<>();
    private final Map<Integer, ConnectionPool> pools = new ConcurrentHashMap<>();
    /** How many connection pools the monitor's HTTP checks spread their addresses over. */
    private static final int POOLS = 128;

    /** The built-in checks with a fresh shared HTTP client. */
    public HealthChecks() {
        this(defaultClient());
    }

    /**
     * The built-in checks with the caller's HTTP client (for custom TLS trust, say).
     *
     * @param http the client; its timeouts are replaced per check by the spec's timeout
     */
    public HealthChecks(OkHttpClient http) {
        this(http, Map.of());
    }

    private HealthChecks(OkHttpClient http, Map<HealthType, Factory> overrides) {
        this(http, overrides, false);
    }

    private HealthChecks(OkHttpClient http, Map<HealthType, Factory> overrides, boolean poolPerAddress) {
        this.http = Objects.requireNonNull(http, "http == null");
        this.poolPerAddress = poolPerAddress;
        Map<HealthType, Factory> own = new EnumMap<>(HealthType.class);
        own.putAll(overrides);
        this.overrides = Collections.unmodifiableMap(own);
        Map<HealthType, Factory> map = new EnumMap<>(HealthType.class);
        map.put(HealthType.HTTP, spec -> new HttpCheck(spec));
        map.put(HealthType.TCP, TcpCheck::new);
        map.put(HealthType.PROCESS, ProcessCheck::new);
        map.putAll(overrides);
        this.factories = Collections.unmodifiableMap(map);
    }

    /**
     * The same checks (with the same replaced types) over another HTTP client: what the {@link HealthMonitor} uses
     * to give its HTTP checks a dispatcher and connection pool sized for many services.
     *
     * @param client the client
     * @return new checks
     */
    public HealthChecks withHttpClient(OkHttpClient client) {
        return new HealthChecks(client, overrides);
    }

    /**
     * For the monitor: the same checks over a client whose kept-alive connections are spread over 128 pools by
     * address. OkHttp's pool scans all its connections on every acquire and release, which costs O(services) per
     * check once thousands of addresses share one pool, and its task runner scans all pools whenever one schedules
     * its clean-up, which costs O(pools) per check: some hundred pools keep both small (measured: 128 pools cost
     * about a quarter less CPU than 32 at 2,000 endpoints).
     */
    HealthChecks forMonitoring(OkHttpClient client) {
        return new HealthChecks(client, overrides, true);
    }

    /**
     * A builder, to replace the check of a type or the HTTP client.
     *
     * @return a builder, to replace the check of a type or the HTTP client
     */
    public static Builder builder() {
        return new Builder();
    }

    private static OkHttpClient defaultClient() {
        // Retrying on a connection failure lets a check replace a pooled connection the server closed while idle
        // ("unexpected end of stream") instead of failing; a server that is really down still fails the check.
        return new OkHttpClient.Builder().retryOnConnectionFailure(true).followRedirects(false)
                .dispatcher(new Dispatcher(DaemonThreads.cachedPool("health-http"))).build();
    }

    /**
     * The shared HTTP client of the HTTP checks.
     *
     * @return the shared HTTP client of the HTTP checks
     */
    public OkHttpClient httpClient() {
        return http;
    }

    /**
     * The check a service's health spec asks for.
     *
     * @param service the service; must have a health spec
     * @return the check
     * @throws IllegalArgumentException when the service has no health spec
     */
    public HealthCheck forService(Service service) {
        HealthSpec spec = service.healthSpec().orElseThrow(() ->
                new IllegalArgumentException("service " + service.name() + " has no health check"));
        return factories.get(spec.type()).create(spec);
    }

    /**
     * The contributed checks first (a deployer's "our instance runs"), then the registry's check when the service
     * has one: healthy only when all pass.
     *
     * @param service the service
     * @param contributed the checks its deployer contributes
     * @return the combined check ({@link HealthStatus#UNKNOWN} when there is none at all)
     */
    public HealthCheck forService(Service service, List<HealthCheck> contributed) {
        List<HealthCheck> all = new ArrayList<>(contributed);
        if (service.healthSpec().isPresent()) {
            all.add(forService(service));
        }
        return HealthCheck.allOf(all);
    }

    /** Options of {@link HealthChecks}. Not thread-safe. */
    public static final class Builder {
        private @Nullable OkHttpClient http;
        private final Map<HealthType, Factory> overrides = new EnumMap<>(HealthType.class);

        private Builder() {
        }

        /**
         * The HTTP client of the HTTP checks (its timeouts are replaced per check).
         *
         * @param client the client
         * @return this builder
         */
        public Builder httpClient(OkHttpClient client) {
            this.http = Objects.requireNonNull(client, "client == null");
            return this;
        }

        /**
         * Replaces the check of a health type.
         *
         * @param type the type
         * @param factory the factory
         * @return this builder
         */
        public Builder check(HealthType type, Factory factory) {
            overrides.put(Objects.requireNonNull(type, "type == null"), Objects.requireNonNull(factory, "factory == null"));
            return this;
        }

        /**
         * The checks.
         *
         * @return the checks
         */
        public HealthChecks build() {
            return new HealthChecks(http != null ? http : defaultClient(), overrides);
        }
    }

    private OkHttpClient client(Duration timeout, HealthTarget target) {
        if (!poolPerAddress) {
            return clients.computeIfAbsent(timeout, k -> http.newBuilder().callTimeout(timeout)
                    .connectTimeout(timeout).readTimeout(timeout).build());
        }
        int bucket = Math.floorMod(Objects.hash(target.host(), target.port()), POOLS);
        return clients.computeIfAbsent(List.of(timeout, bucket), k -> http.newBuilder()
                .callTimeout(timeout).connectTimeout(timeout).readTimeout(timeout)
                .connectionPool(pools.computeIfAbsent(bucket, b -> new ConnectionPool(4096, 5, TimeUnit.MINUTES)))
                .build());
    }

    /** Drops the idle connections of every pool (when the monitor closes). */
    void evictConnections() {
        http.connectionPool().evictAll();
        clients.values().forEach(c -> c.connectionPool().evictAll());
    }

    /** GET of the endpoint, which must answer the expected status. */
    private final class HttpCheck implements HealthCheck, Checks.SelfTimed {
        private final HealthSpec spec;

        HttpCheck(HealthSpec spec) {
            this.spec = spec;
        }

        private String url(HealthTarget target) {
            return "http://" + hostForUrl(target.host()) + ":" + target.port() + spec.endpoint();
        }

        @Override
        public HealthResult check(HealthTarget target) {
            long start = System.nanoTime();
            if (target.port() == null) {
                return HealthResult.unhealthy("no port to check", start);
            }
            String url = url(target);
            try (Response response = client(spec.timeout(), target).newCall(new Request.Builder().url(url).get().build())
                    .execute()) {
                return answered(url, response.code(), start);
            } catch (IOException e) {
                return failed(url, e, start);
            }
        }

        @Override
        public CompletableFuture<HealthResult> checkAsync(HealthTarget target, Executor blocking) {
            long start = System.nanoTime();
            if (target.port() == null) {
                return CompletableFuture.completedFuture(HealthResult.unhealthy("no port to check", start));
            }
            String url = url(target);
            CompletableFuture<HealthResult> result = new CompletableFuture<>();
            client(spec.timeout(), target).newCall(new Request.Builder().url(url).get().build()).enqueue(new Callback() {
                @Override
                public void onResponse(Call call, Response response) {
                    try (response) {
                        result.complete(answered(url, response.code(), start));
                    }
                }

                @Override
                public void onFailure(Call call, IOException e) {
                    result.complete(failed(url, e, start));
                }
            });
            return result;
        }

        private HealthResult answered(String url, int code, long start) {
            String seen = "GET " + url + " -> " + code;
            return code == spec.expectedStatus() ? HealthResult.healthy(seen, start)
                    : HealthResult.unhealthy(seen + ", expected " + spec.expectedStatus(), start);
        }

        private HealthResult failed(String url, IOException e, long start) {
            if (e instanceof InterruptedIOException) {
                return HealthResult.unhealthy("GET " + url + " timed out after " + Checks.human(spec.timeout()), start);
            }
            return HealthResult.unhealthy("GET " + url + " failed: " + Checks.reason(e), start);
        }
    }

    /** A TCP connection that must be accepted; asynchronously, a non-blocking connect. */
    private static final class TcpCheck implements HealthCheck, Checks.SelfTimed {
        private final HealthSpec spec;

        TcpCheck(HealthSpec spec) {
            this.spec = spec;
        }

        @Override
        public HealthResult check(HealthTarget target) {
            long start = System.nanoTime();
            if (target.port() == null) {
                return HealthResult.unhealthy("no port to check", start);
            }
            String where = target.host() + ":" + target.port();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(target.host(), target.port()), (int) spec.timeout().toMillis());
                return HealthResult.healthy("TCP " + where + " accepted", start);
            } catch (SocketTimeoutException e) {
                return HealthResult.unhealthy("TCP " + where + " timed out after " + Checks.human(spec.timeout()),
                        start);
            } catch (IOException e) {
                return HealthResult.unhealthy("TCP " + where + " failed: " + Checks.reason(e), start);
            }
        }

        @Override
        public CompletableFuture<HealthResult> checkAsync(HealthTarget target, Executor blocking) {
            long start = System.nanoTime();
            if (target.port() == null) {
                return CompletableFuture.completedFuture(HealthResult.unhealthy("no port to check", start));
            }
            String where = target.host() + ":" + target.port();
            CompletableFuture<InetSocketAddress> address = isLiteral(target.host())
                    ? CompletableFuture.completedFuture(new InetSocketAddress(target.host(), target.port()))
                    : CompletableFuture.supplyAsync(() -> new InetSocketAddress(target.host(), target.port()), blocking);
            return address.thenCompose(a -> connect(a, where, start))
                    .exceptionally(e -> HealthResult.unhealthy("TCP " + where + " failed: " + Checks.reason(e), start));
        }

        private CompletableFuture<HealthResult> connect(InetSocketAddress address, String where, long start) {
            if (address.isUnresolved()) {
                return CompletableFuture.completedFuture(HealthResult.unhealthy("TCP " + where
                        + " failed: unknown host", start));
            }
            AsynchronousSocketChannel channel;
            try {
                channel = AsynchronousSocketChannel.open(TcpGroup.GROUP);
            } catch (IOException e) {
                return CompletableFuture.completedFuture(HealthResult.unhealthy("TCP " + where + " failed: "
                        + Checks.reason(e), start));
            }
            CompletableFuture<HealthResult> result = new CompletableFuture<>();
            channel.connect(address, null, new CompletionHandler<Void, Void>() {
                @Override
                public void completed(Void v, Void attachment) {
                    closeQuietly(channel);
                    result.complete(HealthResult.healthy("TCP " + where + " accepted", start));
                }

                @Override
                public void failed(Throwable e, Void attachment) {
                    closeQuietly(channel);
                    result.complete(HealthResult.unhealthy("TCP " + where + " failed: " + Checks.reason(e), start));
                }
            });
            return result.orTimeout(spec.timeout().toNanos(), TimeUnit.NANOSECONDS).exceptionally(e -> {
                closeQuietly(channel);
                return HealthResult.unhealthy("TCP " + where + " timed out after " + Checks.human(spec.timeout()),
                        start);
            });
        }

        private static boolean isLiteral(String host) {
            return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))
                    || "localhost".equalsIgnoreCase(host);
        }

        private static void closeQuietly(AsynchronousSocketChannel channel) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }

    /** The one channel group of asynchronous TCP checks: a single daemon thread completes every connect. */
    private static final class TcpGroup {
        static final AsynchronousChannelGroup GROUP;

        static {
            try {
                GROUP = AsynchronousChannelGroup.withFixedThreadPool(1, r -> {
                    Thread t = new Thread(r, "portoser-health-tcp");
                    t.setDaemon(true);
                    return t;
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the TCP health checks", e);
            }
        }

        private TcpGroup() {
        }
    }

    /** The process named by a PID file must be alive; batched per machine by the monitor. */
    private static final class ProcessCheck implements BatchableCheck {
        private static final String SCRIPT = "pid=; { read -r pid < \"$1\" || [ -n \"$pid\" ]; } 2>/dev/null "
                + "|| { echo \"no PID file $1\"; exit 1; }; "
                + "case $pid in ''|*[!0-9]*|0|1) echo \"PID file $1 holds no process id\"; exit 1;; esac; "
                + "kill -0 \"$pid\" 2>/dev/null && echo \"process $pid is alive\" "
                + "|| { echo \"process $pid from $1 is not running\"; exit 1; }";
        private final HealthSpec spec;

        ProcessCheck(HealthSpec spec) {
            this.spec = spec;
        }

        @Override
        public String script() {
            return SCRIPT;
        }

        @Override
        public List<String> arguments(HealthTarget target) {
            return List.of(spec.pidFile() != null ? resolve(target.service(), spec.pidFile())
                    : defaultPidFile(target.service()));
        }

        @Override
        public Duration timeout() {
            return spec.timeout();
        }
    }

    /**
     * The PID file Portoser keeps for a local service, relative to the login's home.
     *
     * @param service the service
     * @return the PID file Portoser keeps for a local service, relative to the login's home
     */
    public static String defaultPidFile(Service service) {
        return dev.portoser.deploy.MachineLayout.pidFile(service);
    }

    private static String resolve(Service service, String file) {
        return file.startsWith("/") ? file : service.path() + "/" + file;
    }

    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** Used by {@link HealthGate} to pace polls. */
    static void pause(Duration d) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(d.toNanos());
    }
}

package dev.portoser.health;

import dev.portoser.registry.HealthSpec;
import dev.portoser.registry.HealthType;
import dev.portoser.registry.Service;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.TransportException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
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
    private final Map<HealthType, Factory> factories;

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
        this.http = Objects.requireNonNull(http, "http == null");
        Map<HealthType, Factory> map = new EnumMap<>(HealthType.class);
        map.put(HealthType.HTTP, spec -> target -> http(target, spec));
        map.put(HealthType.TCP, spec -> target -> tcp(target, spec));
        map.put(HealthType.PROCESS, spec -> target -> process(target, spec));
        map.putAll(overrides);
        this.factories = Collections.unmodifiableMap(map);
    }

    /** A builder, to replace the check of a type or the HTTP client. */
    public static Builder builder() {
        return new Builder();
    }

    private static OkHttpClient defaultClient() {
        return new OkHttpClient.Builder().retryOnConnectionFailure(false).followRedirects(false).build();
    }

    /** The shared HTTP client of the HTTP checks. */
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

        /** The HTTP client of the HTTP checks (its timeouts are replaced per check). */
        public Builder httpClient(OkHttpClient client) {
            this.http = Objects.requireNonNull(client, "client == null");
            return this;
        }

        /** Replaces the check of a health type. */
        public Builder check(HealthType type, Factory factory) {
            overrides.put(Objects.requireNonNull(type, "type == null"), Objects.requireNonNull(factory, "factory == null"));
            return this;
        }

        /** The checks. */
        public HealthChecks build() {
            return new HealthChecks(http != null ? http : defaultClient(), overrides);
        }
    }

    private HealthResult http(HealthTarget target, HealthSpec spec) {
        long start = System.nanoTime();
        if (target.port() == null) {
            return HealthResult.unhealthy("no port to check", start);
        }
        String url = "http://" + hostForUrl(target.host()) + ":" + target.port() + spec.endpoint();
        OkHttpClient client = http.newBuilder().callTimeout(spec.timeout()).connectTimeout(spec.timeout())
                .readTimeout(spec.timeout()).build();
        try (Response response = client.newCall(new Request.Builder().url(url).get().build()).execute()) {
            String seen = "GET " + url + " -> " + response.code();
            return response.code() == spec.expectedStatus() ? HealthResult.healthy(seen, start)
                    : HealthResult.unhealthy(seen + ", expected " + spec.expectedStatus(), start);
        } catch (IOException e) {
            return HealthResult.unhealthy("GET " + url + " failed: " + e.getMessage(), start);
        }
    }

    private static HealthResult tcp(HealthTarget target, HealthSpec spec) {
        long start = System.nanoTime();
        if (target.port() == null) {
            return HealthResult.unhealthy("no port to check", start);
        }
        String where = target.host() + ":" + target.port();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), (int) spec.timeout().toMillis());
            return HealthResult.healthy("TCP " + where + " accepted", start);
        } catch (IOException e) {
            return HealthResult.unhealthy("TCP " + where + " failed: " + e.getMessage(), start);
        }
    }

    private static HealthResult process(HealthTarget target, HealthSpec spec) {
        long start = System.nanoTime();
        String pidFile = spec.pidFile() != null ? resolve(target.service(), spec.pidFile())
                : defaultPidFile(target.service());
        try {
            CommandResult r = target.transport().exec(Command.script(
                    "pid=$(cat -- \"$1\" 2>/dev/null) || { echo \"no PID file $1\"; exit 1; }; "
                            + "kill -0 \"$pid\" 2>/dev/null && echo \"process $pid is alive\" "
                            + "|| { echo \"process $pid from $1 is not running\"; exit 1; }", pidFile)
                    .timeout(spec.timeout().plus(Duration.ofSeconds(5))));
            return r.succeeded() ? HealthResult.healthy(r.stdout().strip(), start)
                    : HealthResult.unhealthy(r.stdout().strip(), start);
        } catch (TransportException e) {
            return HealthResult.unhealthy("cannot reach " + target.machine().name() + ": " + e.getMessage(), start);
        }
    }

    /** The PID file Portoser keeps for a local service, relative to the login's home. */
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

package dev.portoser.health;

import dev.portoser.registry.HealthSpec;
import dev.portoser.registry.Service;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.TransportException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The checks for the health types of the registry. One shared OkHttp client serves every HTTP check (TLS verified
 * with the platform's trust store); each check is bounded by its spec's timeout. Thread-safe.
 */
public final class HealthChecks {
    private final OkHttpClient http;

    /** Checks with a fresh shared HTTP client. */
    public HealthChecks() {
        this(new OkHttpClient.Builder().retryOnConnectionFailure(false).followRedirects(false).build());
    }

    /**
     * Checks with the caller's HTTP client (for custom TLS trust, say).
     *
     * @param http the client; its timeouts are replaced per check by the spec's timeout
     */
    public HealthChecks(OkHttpClient http) {
        this.http = Objects.requireNonNull(http, "http == null");
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
        return switch (spec.type()) {
            case HTTP -> target -> http(target, spec);
            case TCP -> target -> tcp(target, spec);
            case PROCESS -> target -> process(target, spec);
        };
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
        return ".portoser/run/" + service.name() + ".pid";
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

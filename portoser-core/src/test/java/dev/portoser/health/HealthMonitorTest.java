package dev.portoser.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.DeployResult;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.Deployers;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor against real HTTP and TCP listeners and real processes on this machine. */
class HealthMonitorTest {
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<HealthTransition> transitions = new CopyOnWriteArrayList<>();
    private final HealthListener recorder = transitions::add;

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(cleanup);
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    /** A real HTTP server whose answer the test sets, counting requests and the most in flight at once. */
    static final class Endpoint implements AutoCloseable {
        final HttpServer server;
        final Map<String, Integer> status = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        volatile long delayMillis;
        volatile boolean alternate;

        Endpoint() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "test-http");
                t.setDaemon(true);
                return t;
            }));
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            boolean counted = true;
            try {
                int n = hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
                if (delayMillis > 0) {
                    TimeUnit.MILLISECONDS.sleep(delayMillis); // the service is slow: the behaviour under test
                }
                int code = status.getOrDefault(path, 200);
                if (alternate) {
                    code = n % 2 == 0 ? 500 : 200;
                }
                // No longer in flight once the answer leaves: the client may send its next request at once.
                inFlight.decrementAndGet();
                counted = false;
                exchange.sendResponseHeaders(code, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (counted) {
                    inFlight.decrementAndGet();
                }
                exchange.close();
            }
        }

        int hits(String path) {
            AtomicInteger n = hits.get(path);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static void await(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + bound + ": " + what);
            }
            Thread.onSpinWait();
            try {
                TimeUnit.MILLISECONDS.sleep(5); // polling a condition with a bound, not synchronising on time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        cleanup.add(resource);
        return resource;
    }

    private HealthMonitor.Builder monitor(String servicesYaml) {
        Registry registry = Registry.parse("machines:\n  here: {host: localhost, user: me, platform: linux}\n"
                + "services:\n" + servicesYaml);
        return HealthMonitor.builder(registry).deployers(Deployers.of()).listener(recorder);
    }

    private HealthMonitor started(HealthMonitor.Builder builder) {
        return closing(builder.start());
    }

    private static HealthState check(HealthMonitor m, String service) throws Exception {
        return m.checkNow(service).get(10, TimeUnit.SECONDS).state();
    }

    private List<String> transitionsOf(String service) {
        return transitions.stream().filter(t -> t.service().equals(service)).map(t -> t.from() + "->" + t.to()).toList();
    }

    @Test
    void aServiceTurnsUnhealthyOnlyAfterRetriesFailuresInARowAndHealthyAgainOnASuccess() throws Exception {
        Endpoint web = closing(new Endpoint());
        TestClock clock = new TestClock();
        HealthMonitor m = started(monitor("  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                + web.port() + ", health: {type: http, endpoint: /health, retries: 3}}\n")
                .clock(clock).scheduling(false));

        assertThat(m.snapshot("web").orElseThrow().state()).isEqualTo(HealthState.UNKNOWN);
        assertThat(check(m, "web")).isEqualTo(HealthState.HEALTHY);
        web.status.put("/health", 503);
        clock.now = clock.now.plusSeconds(30);
        assertThat(check(m, "web")).isEqualTo(HealthState.HEALTHY);
        assertThat(check(m, "web")).isEqualTo(HealthState.HEALTHY);
        assertThat(m.snapshot("web").orElseThrow().consecutiveFailures()).isEqualTo(2);
        clock.now = clock.now.plusSeconds(30);
        assertThat(check(m, "web")).isEqualTo(HealthState.UNHEALTHY);
        ServiceHealth down = m.snapshot("web").orElseThrow();
        assertThat(down.since()).isEqualTo(Instant.parse("2026-01-01T00:01:00Z"));
        assertThat(down.lastResult().detail()).contains("-> 503, expected 200");
        assertThat(down.history()).hasSize(4);
        assertThat(down.latency()).isNotNull();

        web.status.put("/health", 200);
        assertThat(check(m, "web")).isEqualTo(HealthState.HEALTHY);
        await("three transitions", Duration.ofSeconds(5), () -> transitions.size() == 3);
        assertThat(transitionsOf("web")).containsExactly("UNKNOWN->HEALTHY", "HEALTHY->UNHEALTHY",
                "UNHEALTHY->HEALTHY");
        assertThat(transitions.get(1).isRootCause()).isTrue();
    }

    @Test
    void aConfiguredNumberOfSuccessesIsNeededToBeHealthyAgain() throws Exception {
        Endpoint web = closing(new Endpoint());
        HealthMonitor m = started(monitor("  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                + web.port() + ", health: {type: http, retries: 1}}\n").successThreshold(2).scheduling(false));

        assertThat(check(m, "web")).isEqualTo(HealthState.STARTING);
        assertThat(check(m, "web")).isEqualTo(HealthState.HEALTHY);
        web.status.put("/", 500);
        assertThat(check(m, "web")).isEqualTo(HealthState.UNHEALTHY);
        web.status.put("/", 200);
        assertThat(check(m, "web")).isEqualTo(HealthState.UNHEALTHY);
        assertThat(check(m, "web")).isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void dependentsOfAnUnhealthyServiceAreBlockedWithTheRootCauseAndComeBack() throws Exception {
        ServerSocket db = closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        int dbPort = db.getLocalPort();
        Endpoint app = closing(new Endpoint());
        // api and web answer 503 while they cannot reach the database, as real services do
        app.server.removeContext("/");
        for (String path : List.of("/api", "/web")) {
            app.server.createContext(path, exchange -> {
                int code;
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), dbPort), 500);
                    code = 200;
                } catch (IOException e) {
                    code = 503;
                }
                exchange.sendResponseHeaders(code, -1);
                exchange.close();
            });
        }
        Thread acceptor = acceptForever(db);
        HealthMonitor m = started(monitor(
                "  db: {type: local, path: /srv/db, machine: here, command: ./db, port: " + dbPort
                        + ", health: {type: tcp, retries: 2, timeout: 1s}}\n"
                + "  api: {type: local, path: /srv/api, machine: here, command: ./api, " + "depends_on: [db], health: {port: " + app.port()
                        + ", type: http, endpoint: /api, retries: 2}}\n"
                + "  web: {type: local, path: /srv/web, machine: here, command: ./web, " + "depends_on: [api], health: {port: " + app.port()
                        + ", type: http, endpoint: /web, retries: 2}}\n")
                .scheduling(false));
        for (String s : List.of("db", "api", "web")) {
            assertThat(check(m, s)).isEqualTo(HealthState.HEALTHY);
        }

        db.close();
        acceptor.join(5000);
        for (int i = 0; i < 2; i++) {
            check(m, "db");
            check(m, "api");
            check(m, "web");
        }
        assertThat(m.snapshot("db").orElseThrow().state()).isEqualTo(HealthState.UNHEALTHY);
        assertThat(m.snapshot("api").orElseThrow().state()).isEqualTo(HealthState.BLOCKED);
        assertThat(m.snapshot("api").orElseThrow().blockedBy()).containsExactly("db");
        assertThat(m.snapshot("web").orElseThrow().state()).isEqualTo(HealthState.BLOCKED);
        assertThat(m.snapshot("web").orElseThrow().blockedBy()).containsExactly("db");
        await("the transitions are heard", Duration.ofSeconds(5), () -> transitions.size() >= 6);
        List<HealthTransition> failures = transitions.stream().filter(HealthTransition::isRootCause).toList();
        assertThat(failures).extracting(HealthTransition::service).containsExactly("db");
        assertThat(transitions.stream().filter(t -> t.to() == HealthState.BLOCKED))
                .allSatisfy(t -> assertThat(t.rootCause()).containsExactly("db"));

        ServerSocket again = closing(new ServerSocket());
        again.setReuseAddress(true);
        again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), dbPort));
        acceptForever(again);
        assertThat(check(m, "db")).isEqualTo(HealthState.HEALTHY);
        assertThat(check(m, "api")).isEqualTo(HealthState.HEALTHY);
        assertThat(check(m, "web")).isEqualTo(HealthState.HEALTHY);
        await("back to healthy is heard", Duration.ofSeconds(5), () -> transitionsOf("web").size() == 3);
        assertThat(transitionsOf("web")).containsExactly("UNKNOWN->HEALTHY", "HEALTHY->BLOCKED", "BLOCKED->HEALTHY");
    }

    @Test
    void aFailingServiceBecomesBlockedOnceItsDependencyTurnsUnhealthy() throws Exception {
        Endpoint app = closing(new Endpoint());
        HealthMonitor m = started(monitor(
                "  db: {type: local, path: /srv/db, machine: here, command: ./db, " + "health: {port: " + app.port()
                        + ", type: http, endpoint: /db, retries: 3}}\n"
                + "  api: {type: local, path: /srv/api, machine: here, command: ./api, " + "depends_on: [db], health: {port: " + app.port()
                        + ", type: http, endpoint: /api, retries: 1}}\n")
                .scheduling(false));
        app.status.put("/db", 500);
        app.status.put("/api", 500);
        assertThat(check(m, "api")).isEqualTo(HealthState.UNHEALTHY); // its dependency is not yet known to fail
        check(m, "db");
        check(m, "db");
        assertThat(check(m, "db")).isEqualTo(HealthState.UNHEALTHY);
        assertThat(m.snapshot("api").orElseThrow().state()).isEqualTo(HealthState.BLOCKED);
    }

    @Test
    void aDependentIsNotReportedFailingWhileItsFailingDependencyHasNotReachedItsRetries() throws Exception {
        Endpoint app = closing(new Endpoint());
        HealthMonitor m = started(monitor(
                "  db: {type: local, path: /srv/db, machine: here, command: ./db, " + "health: {port: " + app.port()
                        + ", type: http, endpoint: /db, retries: 3}}\n"
                + "  api: {type: local, path: /srv/api, machine: here, command: ./api, " + "depends_on: [db], health: {port: " + app.port()
                        + ", type: http, endpoint: /api, retries: 1}}\n")
                .scheduling(false));
        check(m, "db");
        check(m, "api");
        app.status.put("/db", 500);
        app.status.put("/api", 500);
        check(m, "db");
        assertThat(check(m, "api")).as("held while db is only suspect").isEqualTo(HealthState.HEALTHY);
        check(m, "db");
        assertThat(check(m, "db")).isEqualTo(HealthState.UNHEALTHY);
        assertThat(m.snapshot("api").orElseThrow().state()).isEqualTo(HealthState.BLOCKED);
        await("transitions heard", Duration.ofSeconds(5), () -> transitionsOf("api").size() == 2);
        assertThat(transitionsOf("api")).containsExactly("UNKNOWN->HEALTHY", "HEALTHY->BLOCKED");

        app.status.put("/db", 200); // db recovers, api does not: now api fails by itself
        assertThat(check(m, "db")).isEqualTo(HealthState.HEALTHY);
        assertThat(check(m, "api")).isEqualTo(HealthState.UNHEALTHY);
    }

    private static Thread acceptForever(ServerSocket socket) {
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    socket.accept().close();
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-accept");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void anEndpointThatKeepsChangingIsFlappingUntilItSettles() throws Exception {
        Endpoint web = closing(new Endpoint());
        web.alternate = true;
        HealthMonitor m = started(monitor("  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                + web.port() + ", health: {type: http, retries: 1}}\n").scheduling(false));
        List<HealthState> seen = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            seen.add(check(m, "web"));
        }
        assertThat(seen.subList(0, 10)).containsOnly(HealthState.HEALTHY, HealthState.UNHEALTHY);
        assertThat(seen.get(10)).isEqualTo(HealthState.FLAPPING);

        web.alternate = false;
        int stable = 0;
        while (check(m, "web") == HealthState.FLAPPING) {
            stable++;
            assertThat(stable).as("settles within one window").isLessThan(21);
        }
        assertThat(m.snapshot("web").orElseThrow().state()).isEqualTo(HealthState.HEALTHY);
        await("transitions heard", Duration.ofSeconds(5), () -> transitionsOf("web").contains("FLAPPING->HEALTHY"));
        assertThat(transitionsOf("web")).containsOnlyOnce("FLAPPING->HEALTHY");
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersTimesOutWithinTheCheckTimeout() throws Exception {
        ServerSocket silent = closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept()); // accepted, never answered
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        cleanup.add(() -> held.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }));
        HealthMonitor m = started(monitor("  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                + silent.getLocalPort() + ", health: {type: http, timeout: 300ms, retries: 1}}\n").scheduling(false));
        long start = System.nanoTime();
        ServiceHealth h = m.checkNow("web").get(10, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(h.state()).isEqualTo(HealthState.UNHEALTHY);
        assertThat(h.lastResult().detail()).contains("timed out after 300 ms");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofMillis(1200));
        assertThat(held).isNotEmpty();
    }

    @Test
    void aServerThatClosesIdleConnectionsWithoutSayingSoStaysHealthy() throws Exception {
        // like python3 -m http.server: answers HTTP/1.1 without "Connection: close", then closes the connection
        ServerSocket server = closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    java.io.InputStream in = s.getInputStream();
                    int state = 0;
                    while (state < 4) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                                ? state + 1 : 0;
                    }
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    // next connection
                }
            }
        }, "test-closing-server");
        t.setDaemon(true);
        t.start();
        HealthMonitor m = started(monitor("  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                + server.getLocalPort() + ", health: {type: http, retries: 1}}\n").scheduling(false));
        for (int i = 0; i < 10; i++) {
            assertThat(check(m, "web")).as("check %d: %s", i, m.snapshot("web").orElseThrow().lastResult())
                    .isEqualTo(HealthState.HEALTHY);
        }
    }

    @Test
    void aTcpCheckOfAClosedPortFailsAndOfAnOpenOneSucceeds() throws Exception {
        ServerSocket open = closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        acceptForever(open);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        HealthMonitor m = started(monitor(
                "  up: {type: local, path: /srv/a, machine: here, command: ./a, " + "health: {port: " + open.getLocalPort()
                        + ", type: tcp, retries: 1}}\n"
                + "  down: {type: local, path: /srv/b, machine: here, command: ./b, port: " + closedPort
                        + ", health: {type: tcp, retries: 1}}\n").scheduling(false));
        assertThat(check(m, "up")).isEqualTo(HealthState.HEALTHY);
        assertThat(check(m, "down")).isEqualTo(HealthState.UNHEALTHY);
        assertThat(m.snapshot("down").orElseThrow().lastResult().detail()).startsWith("TCP localhost:" + closedPort
                + " failed");
    }

    @Test
    void aProcessCheckSeesAKilledProcessAndChecksOfOneMachineShareOneCommand(@TempDir Path dir) throws Exception {
        List<Process> processes = new ArrayList<>();
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Process p = new ProcessBuilder("sleep", "600").start();
            processes.add(p);
            cleanup.add(p::destroyForcibly);
            Path pidFile = dir.resolve("w" + i + ".pid");
            Files.writeString(pidFile, p.pid() + "\n");
            yaml.append("  w").append(i).append(": {type: local, path: /srv/w, machine: here, command: ./w, ")
                    .append("health: {type: process, pid_file: ").append(pidFile).append(", retries: 2}}\n");
        }
        HealthMonitor m = started(monitor(yaml.toString()).batchWindow(Duration.ofMillis(300)).scheduling(false));

        List<CompletableFuture<ServiceHealth>> all = List.of(m.checkNow("w0"), m.checkNow("w1"), m.checkNow("w2"));
        for (CompletableFuture<ServiceHealth> f : all) {
            assertThat(f.get(10, TimeUnit.SECONDS).state()).isEqualTo(HealthState.HEALTHY);
        }
        assertThat(m.batchedCommands("here")).isEqualTo(1);
        assertThat(m.snapshot("w1").orElseThrow().lastResult().detail())
                .isEqualTo("process " + processes.get(1).pid() + " is alive");

        processes.get(1).destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        assertThat(check(m, "w1")).isEqualTo(HealthState.HEALTHY); // one failure of two
        assertThat(check(m, "w1")).isEqualTo(HealthState.UNHEALTHY);
        assertThat(m.snapshot("w1").orElseThrow().lastResult().detail()).contains("is not running");
        assertThat(check(m, "w0")).isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void processChecksInOneBatchEachGetTheirOwnAnswer(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("alive.pid"), String.valueOf(ProcessHandle.current().pid())); // no newline
        Files.writeString(dir.resolve("junk.pid"), "12ab\n");
        HealthMonitor m = started(monitor(
                "  alive: {type: local, path: /srv/a, machine: here, command: ./a, health: {type: process, pid_file: "
                        + dir.resolve("alive.pid") + ", retries: 1}}\n"
                + "  missing: {type: local, path: /srv/b, machine: here, command: ./b, health: {type: process, pid_file: "
                        + dir.resolve("missing.pid") + ", retries: 1}}\n"
                + "  junk: {type: local, path: /srv/c, machine: here, command: ./c, health: {type: process, pid_file: "
                        + dir.resolve("junk.pid") + ", retries: 1}}\n")
                .batchWindow(Duration.ofMillis(300)).scheduling(false));
        List<CompletableFuture<ServiceHealth>> all = List.of(m.checkNow("alive"), m.checkNow("missing"),
                m.checkNow("junk"));
        assertThat(all.get(0).get(10, TimeUnit.SECONDS).lastResult().detail())
                .isEqualTo("process " + ProcessHandle.current().pid() + " is alive");
        assertThat(all.get(1).get(10, TimeUnit.SECONDS).lastResult().detail())
                .isEqualTo("no PID file " + dir.resolve("missing.pid"));
        assertThat(all.get(2).get(10, TimeUnit.SECONDS).lastResult().detail())
                .isEqualTo("PID file " + dir.resolve("junk.pid") + " holds no process id");
        assertThat(m.snapshot("alive").orElseThrow().state()).isEqualTo(HealthState.HEALTHY);
        assertThat(m.snapshot("missing").orElseThrow().state()).isEqualTo(HealthState.UNHEALTHY);
        assertThat(m.batchedCommands("here")).isEqualTo(1);
    }

    @Test
    void eachServiceIsCheckedAtItsIntervalNeverTwiceAtOnceAndTheMachineCapHolds() throws Exception {
        Endpoint slow = closing(new Endpoint());
        slow.delayMillis = 150;
        List<Duration> lateness = new CopyOnWriteArrayList<>();
        HealthMonitor m = started(monitor(
                "  a: {type: local, path: /srv/a, machine: here, command: ./a, " + "health: {port: " + slow.port()
                        + ", type: http, endpoint: /a, interval: 50ms, timeout: 2s}}\n"
                + "  b: {type: local, path: /srv/b, machine: here, command: ./b, " + "health: {port: " + slow.port()
                        + ", type: http, endpoint: /b, interval: 50ms, timeout: 2s}}\n"
                + "  c: {type: local, path: /srv/c, machine: here, command: ./c, " + "health: {port: " + slow.port()
                        + ", type: http, endpoint: /c, interval: 1h}}\n")
                .maxConcurrentPerMachine(1)
                .listener(new HealthListener() {
                    @Override
                    public void transition(HealthTransition t) {
                    }

                    @Override
                    public void checked(String service, HealthResult result, Duration late) {
                        lateness.add(late);
                    }
                }));
        await("a and b checked several times", Duration.ofSeconds(10), () -> slow.hits("/a") >= 4
                && slow.hits("/b") >= 4);
        assertThat(slow.maxInFlight.get()).isEqualTo(1);
        assertThat(m.snapshot("a").orElseThrow().state()).isEqualTo(HealthState.HEALTHY);
        assertThat(slow.hits("/c")).isLessThanOrEqualTo(1); // a service with a 1 h interval: at most its first check
        assertThat(lateness).isNotEmpty();
    }

    @Test
    void checksAreSpreadOverTheIntervalNotBunched() throws Exception {
        Endpoint web = closing(new Endpoint());
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            yaml.append("  s").append(i).append(": {type: local, path: /srv/s, machine: here, command: ./s, ")
                    .append("health: {port: ").append(web.port()).append(", type: http, endpoint: /s").append(i)
                    .append(", interval: 2s}}\n");
        }
        List<Long> firstChecks = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        started(monitor(yaml.toString()).jitterSeed(42).listener(t -> firstChecks.add(System.nanoTime() - start)));
        await("all 40 checked once", Duration.ofSeconds(10), () -> firstChecks.size() == 40);
        long inFirstQuarter = firstChecks.stream().filter(n -> n < Duration.ofMillis(500).toNanos()).count();
        assertThat(inFirstQuarter).as("first checks in the first quarter of the interval").isBetween(2L, 25L);
    }

    @Test
    void aThrowingListenerIsIgnoredAndTheOthersStillHear() throws Exception {
        Endpoint web = closing(new Endpoint());
        HealthMonitor m = started(monitor("  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                + web.port() + ", health: {type: http}}\n")
                .listener(t -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(recorder).scheduling(false));
        check(m, "web");
        web.status.put("/", 500);
        check(m, "web");
        check(m, "web");
        check(m, "web");
        await("both transitions heard", Duration.ofSeconds(5), () -> transitions.size() >= 4);
        // the recorder is registered twice (by monitor() and here): each hears every transition
        assertThat(transitionsOf("web")).containsExactly("UNKNOWN->HEALTHY", "UNKNOWN->HEALTHY", "HEALTHY->UNHEALTHY",
                "HEALTHY->UNHEALTHY");
    }

    @Test
    void updateKeepsTheStateOfServicesWhoseCheckDidNotChange() throws Exception {
        Endpoint web = closing(new Endpoint());
        String base = "machines:\n  here: {host: localhost, user: me, platform: linux}\nservices:\n"
                + "  a: {type: local, path: /srv/a, machine: here, command: ./a, " + "description: %s, health: {port: " + web.port()
                + ", type: http, endpoint: /a}}\n"
                + "  b: {type: local, path: /srv/b, machine: here, command: ./b, " + "health: {port: " + web.port()
                + ", type: http, endpoint: %s}}\n";
        TestClock clock = new TestClock();
        HealthMonitor m = closing(HealthMonitor.builder(Registry.parse(base.formatted("one", "/b")))
                .deployers(Deployers.of()).clock(clock).scheduling(false).start());
        check(m, "a");
        check(m, "b");
        Instant since = m.snapshot("a").orElseThrow().since();
        clock.now = clock.now.plusSeconds(60);

        m.update(Registry.parse(base.formatted("two", "/b2")));
        assertThat(m.snapshot("a").orElseThrow().state()).isEqualTo(HealthState.HEALTHY);
        assertThat(m.snapshot("a").orElseThrow().since()).isEqualTo(since);
        assertThat(m.snapshot("b").orElseThrow().state()).isEqualTo(HealthState.UNKNOWN);
        assertThat(check(m, "b")).isEqualTo(HealthState.HEALTHY);
        assertThat(web.hits("/b2")).isEqualTo(1);

        m.update(Registry.parse("machines:\n  here: {host: localhost, user: me, platform: linux}\nservices:\n"
                + "  b: {type: local, path: /srv/b, machine: here, command: ./b, " + "health: {port: " + web.port()
                + ", type: http, endpoint: /b2}}\n"));
        assertThat(m.snapshots()).containsOnlyKeys("b");
    }

    @Test
    void checksADeployerContributesRunFirstAndAnInstanceGoneIsUnhealthyAtOnce() throws Exception {
        Endpoint web = closing(new Endpoint());
        AtomicInteger contributed = new AtomicInteger();
        Deployer gone = new Deployer() {
            @Override
            public ServiceType type() {
                return ServiceType.LOCAL;
            }

            @Override
            public List<HealthCheck> healthChecks(Service service) {
                return List.of(target -> {
                    contributed.incrementAndGet();
                    return HealthResult.down("process 4242 exited with status 1", System.nanoTime());
                });
            }

            @Override
            public DeployResult deploy(DeployContext context) {
                throw new UnsupportedOperationException("not used by the monitor");
            }

            @Override
            public void start(DeployContext context) {
                throw new UnsupportedOperationException("not used by the monitor");
            }

            @Override
            public void stop(DeployContext context) {
                throw new UnsupportedOperationException("not used by the monitor");
            }

            @Override
            public ServiceStatus status(DeployContext context) {
                throw new UnsupportedOperationException("not used by the monitor");
            }

            @Override
            public String logs(DeployContext context, int lines) {
                throw new UnsupportedOperationException("not used by the monitor");
            }
        };
        HealthMonitor m = started(monitor("  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                + web.port() + ", health: {type: http, retries: 3}}\n").deployers(Deployers.of(gone))
                .scheduling(false));
        assertThat(check(m, "web")).isEqualTo(HealthState.UNHEALTHY);
        assertThat(m.snapshot("web").orElseThrow().lastResult().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(contributed.get()).isEqualTo(1);
        assertThat(web.hits("/")).isZero();
    }

    @Test
    void closeIsIdempotentAndStopsTheChecks() throws Exception {
        Endpoint web = closing(new Endpoint());
        HealthMonitor m = monitor("  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                + web.port() + ", health: {type: http, interval: 20ms}}\n").start();
        await("checked", Duration.ofSeconds(5), () -> web.hits("/") >= 2);
        m.close();
        m.close();
        int after = web.hits("/");
        await("the monitor's threads end", Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("portoser-health-scheduler") && t.isAlive()));
        CompletableFuture<ServiceHealth> late = m.checkNow("web");
        assertThat(late).isCompleted();
        assertThat(web.hits("/")).isLessThanOrEqualTo(after + 1);
    }
}

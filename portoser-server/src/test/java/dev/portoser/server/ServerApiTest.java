package dev.portoser.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of a real server on a loopback port, over a fleet of real local services: every endpoint, and the
 * refusals a user meets (bad input, a stale registry, a conflicting edit, no token, a change from another site).
 */
class ServerApiTest {
    @TempDir
    Path dir;
    LocalFleet fleet;
    PortoserServer server;
    ApiClient api;

    @BeforeEach
    void start() throws Exception {
        fleet = new LocalFleet(dir);
        server = fleet.server().start();
        api = new ApiClient(server.url(), server.token());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        fleet.close();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void theRegistryMachinesAndServicesAreServedWithoutSecretsOrEnvironmentValues() {
        var reg = api.get("/api/v1/registry");
        assertThat(reg.status()).isEqualTo(200);
        assertThat(reg.json().path("machines").asInt()).isEqualTo(2);
        assertThat(reg.json().path("services").asInt()).isEqualTo(3);
        assertThat(reg.header("ETag")).isEqualTo("\"" + reg.json().path("registrySha256").asText() + "\"");

        var machines = api.get("/api/v1/machines");
        assertThat(machines.json().path("machines").findValuesAsText("name")).containsExactly("alpha", "beta");
        assertThat(machines.json().path("machines").get(0).path("services").toString()).contains("db", "api");

        var services = api.get("/api/v1/services");
        assertThat(services.status()).isEqualTo(200);
        assertThat(services.json().path("services")).hasSize(3);
        JsonNode apiService = services.json().path("services").get(1);
        assertThat(apiService.path("name").asText()).isEqualTo("api");
        assertThat(apiService.path("envKeys").toString()).contains("API_SECRET_LOOKALIKE");
        assertThat(apiService.path("dependents").toString()).contains("web");
        assertThat(services.text()).doesNotContain("do-not-send-me");
        assertThat(api.get("/api/v1/services/api").text()).doesNotContain("do-not-send-me");

        assertThat(api.get("/api/v1/services/nope").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/services/nope").json().path("error").asText())
                .isEqualTo("no service 'nope' in the registry");
        assertThat(api.get("/api/v1/machines/beta").json().path("description").asText())
                .isEqualTo("the second machine");
        assertThat(api.get("/api/v1/groups").json().path("groups")).isEmpty();
        var graph = api.get("/api/v1/graph").json();
        assertThat(graph.path("edges").toString()).contains("{\"from\":\"api\",\"to\":\"db\"}");
    }

    @Test
    void withoutTheTokenEveryApiRequestIsRefusedButTheLoginLinkSetsACookieOnce() throws Exception {
        ApiClient anonymous = new ApiClient(server.url(), null);
        var refused = anonymous.get("/api/v1/services");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().path("error").asText()).startsWith("the token is required");
        assertThat(new ApiClient(server.url(), "wrong").get("/api/v1/services").status()).isEqualTo(401);

        URI login = server.loginUrl();
        var first = anonymous.get(login.getPath());
        assertThat(first.status()).isEqualTo(303);
        String cookie = first.header("Set-Cookie");
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
        var withCookie = anonymous.send("GET", "/api/v1/services", null,
                Map.of("Cookie", cookie.substring(0, cookie.indexOf(';'))));
        assertThat(withCookie.status()).isEqualTo(200);
        assertThat(anonymous.get(login.getPath()).status()).as("a login link works once").isEqualTo(403);
    }

    @Test
    void aRequestAddressedToAnotherHostIsRefused() throws Exception {
        // a DNS-rebinding page reaches 127.0.0.1 under its own name
        String reply = raw("GET /api/v1/services HTTP/1.1\r\nHost: evil.example:" + server.port()
                + "\r\nAuthorization: Bearer " + server.token() + "\r\nConnection: close\r\n\r\n");
        assertThat(reply).startsWith("HTTP/1.1 403").contains("addressed to host 'evil.example:");
    }

    String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void anAddedServiceLandsInTheFileWithEveryOtherByteUnchanged() throws Exception {
        String before = Files.readString(fleet.registry);
        var added = api.send("POST", "/api/v1/services", Map.of("name", "extra", "fields", Map.of(
                "type", "local", "path", dir.resolve("sites/extra").toString(), "machine", "beta",
                "command", "exec python3 -m http.server $PORT --bind 127.0.0.1", "port", fleet.ports.get(3))),
                Map.of("If-Match", "\"" + api.version() + "\""));
        assertThat(added.status()).as(added.text()).isEqualTo(201);
        assertThat(added.json().path("diff").asText()).contains("+  extra:");
        String after = Files.readString(fleet.registry);
        assertThat(after).startsWith(before);
        assertThat(after.substring(before.length())).startsWith("  extra:\n").contains("    machine: beta\n");
        assertThat(added.json().path("registrySha256").asText()).isEqualTo(api.version());
        assertThat(api.get("/api/v1/services/extra").status()).isEqualTo(200);
    }

    @Test
    void anInvalidServiceIsRefusedAtItsFieldAndNothingIsWritten() throws Exception {
        String before = Files.readString(fleet.registry);
        var refused = api.send("POST", "/api/v1/services", Map.of("name", "extra", "fields", Map.of(
                "type", "local", "path", "/srv/extra", "machine", "alpha", "command", "true", "port", 70000)),
                Map.of("If-Match", api.version()));
        assertThat(refused.status()).as(refused.text()).isEqualTo(422);
        assertThat(refused.json().path("error").asText()).startsWith("refused: expected a port number");
        JsonNode problem = refused.json().path("problems").get(0);
        assertThat(problem.path("field").asText()).isEqualTo("port");
        assertThat(problem.path("line").asInt()).isPositive();
        assertThat(Files.readString(fleet.registry)).isEqualTo(before);

        var unknownMachine = api.send("POST", "/api/v1/services", Map.of("name", "extra", "fields", Map.of(
                "type", "local", "path", "/srv/extra", "machine", "gamma", "command", "true")),
                Map.of("If-Match", api.version()));
        assertThat(unknownMachine.status()).isEqualTo(422);
        assertThat(unknownMachine.json().path("problems").get(0).path("field").asText()).isEqualTo("machine");

        var duplicate = api.send("POST", "/api/v1/machines", Map.of("name", "alpha", "fields", Map.of(
                "host", "10.200.0.9", "user", "u", "platform", "linux")), Map.of("If-Match", api.version()));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().path("error").asText()).contains("alpha");

        assertThat(api.send("POST", "/api/v1/services", "{\"name\": ", Map.of("If-Match", api.version()))
                .json().path("error").asText()).startsWith("the body is not valid JSON");
        assertThat(api.send("POST", "/api/v1/services", Map.of("name", "x"), Map.of("If-Match", api.version()))
                .status()).isEqualTo(400);
        assertThat(Files.readString(fleet.registry)).isEqualTo(before);
    }

    @Test
    void anEditOfAStaleVersionOrWithoutOneIsRefused() throws Exception {
        String seen = api.version();
        Files.writeString(fleet.registry, Files.readString(fleet.registry) + "# someone else's edit\n");
        String before = Files.readString(fleet.registry);
        var stale = api.send("PATCH", "/api/v1/services/web", Map.of("fields", Map.of("description", "x")),
                Map.of("If-Match", seen));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().path("error").asText()).isEqualTo("the registry changed since you read it; reload "
                + "and edit again");
        var unversioned = api.send("PATCH", "/api/v1/services/web", Map.of("fields", Map.of("description", "x")),
                Map.of());
        assertThat(unversioned.status()).isEqualTo(428);
        assertThat(Files.readString(fleet.registry)).isEqualTo(before);

        var ok = api.send("PATCH", "/api/v1/services/web", Map.of("fields", Map.of("description", "the site")),
                Map.of("If-Match", RegistrySha.of(fleet.registry)));
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(Files.readString(fleet.registry)).contains("description: the site").endsWith("# someone else's edit\n");
    }

    @Test
    void aChangeFromAnotherSiteOrNotInJsonIsRefused() throws Exception {
        String before = Files.readString(fleet.registry);
        var crossSite = api.send("DELETE", "/api/v1/services/web", null,
                Map.of("Origin", "http://evil.example", "If-Match", api.version()));
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.json().path("error").asText()).isEqualTo("refused: a change requested from another site "
                + "(http://evil.example)");
        var fetchMeta = api.send("POST", "/api/v1/plans", Map.of("action", "stop", "services", List.of("web")),
                Map.of("Sec-Fetch-Site", "cross-site"));
        assertThat(fetchMeta.status()).isEqualTo(403);
        var form = api.send("POST", "/api/v1/services", "name=x", Map.of("Content-Type",
                "application/x-www-form-urlencoded", "If-Match", api.version()));
        assertThat(form.status()).isEqualTo(415);
        var sameOrigin = api.send("PATCH", "/api/v1/services/web", Map.of("fields", Map.of("description", "ok")),
                Map.of("Origin", "http://127.0.0.1:" + server.port(), "If-Match", api.version()));
        assertThat(sameOrigin.status()).as(sameOrigin.text()).isEqualTo(200);
        assertThat(Files.readString(fleet.registry)).isNotEqualTo(before).contains("description: ok");
    }

    @Test
    void removingADependedOnServiceNamesItsDependentsUntilForced() throws Exception {
        var refused = api.send("DELETE", "/api/v1/services/db", null, Map.of("If-Match", api.version()));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("dependents").toString()).isEqualTo("[\"api\"]");
        assertThat(refused.json().path("forceable").asBoolean()).isTrue();
        var preview = api.send("DELETE", "/api/v1/services/db?force=true&dryRun=true", null,
                Map.of("If-Match", api.version()));
        assertThat(preview.status()).isEqualTo(200);
        assertThat(preview.json().path("written").asBoolean()).isFalse();
        assertThat(Files.readString(fleet.registry)).contains("  db:");
        var forced = api.send("DELETE", "/api/v1/services/db?force=true", null, Map.of("If-Match", api.version()));
        assertThat(forced.status()).as(forced.text()).isEqualTo(200);
        assertThat(Files.readString(fleet.registry)).doesNotContain("  db:").doesNotContain("depends_on: [db]");
        assertThat(api.get("/api/v1/services").json().path("services")).hasSize(2);

        var machineInUse = api.send("DELETE", "/api/v1/machines/beta", null, Map.of("If-Match", api.version()));
        assertThat(machineInUse.status()).isEqualTo(409);
        assertThat(machineInUse.json().path("services").toString()).isEqualTo("[\"web\"]");
    }

    @Test
    void aPlanRunsLiveWithItsEventsAndTheServicesTurnHealthy() throws Exception {
        List<String> events = new ArrayList<>();
        Thread follower = follow(events);
        var plan = api.post("/api/v1/plans", Map.of("action", "deploy", "services", List.of("web")));
        assertThat(plan.status()).as(plan.text()).isEqualTo(201);
        assertThat(plan.json().path("steps").findValuesAsText("service")).containsExactly("db", "api", "web");
        assertThat(api.get("/api/v1/plans/" + plan.json().path("id").asText()).status()).isEqualTo(200);

        var run = api.post("/api/v1/runs", Map.of("plan", plan.json().path("id").asText()));
        assertThat(run.status()).as(run.text()).isEqualTo(202);
        String runId = run.json().path("id").asText();
        await("the run to end", () -> !api.get("/api/v1/runs/" + runId).json().path("status").asText()
                .equals("RUNNING"));
        JsonNode done = api.get("/api/v1/runs/" + runId).json();
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.path("steps").findValuesAsText("outcome")).containsOnly("SUCCEEDED");
        assertThat(done.path("events").findValuesAsText("event")).contains("runStarted", "stepStarted", "stepEnded");
        assertThat(api.get("/api/v1/runs").json().path("runs").get(0).path("id").asText()).isEqualTo(runId);

        await("web to be healthy", () -> api.get("/api/v1/services/web").json().path("state").asText()
                .equals("HEALTHY"));
        await("the stream to carry the run and the health", () -> {
            synchronized (events) {
                return events.stream().anyMatch(e -> e.startsWith("run ") && e.contains(runId))
                        && events.stream().anyMatch(e -> e.startsWith("health ") && e.contains("\"to\":\"HEALTHY\""));
            }
        });
        follower.interrupt();

        var history = api.get("/api/v1/services/web/history");
        assertThat(history.json().path("records")).hasSize(1);
        assertThat(history.json().path("records").get(0).path("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(api.get("/api/v1/services/web").json().path("lastDeploy").path("outcome").asText())
                .isEqualTo("SUCCEEDED");
        var logs = api.get("/api/v1/services/web/logs?lines=20");
        assertThat(logs.status()).as(logs.text()).isEqualTo(200);
        assertThat(logs.json().path("text").asText()).contains("GET /index.html");
        assertThat(api.get("/api/v1/services/web/logs?lines=0").status()).isEqualTo(400);

        String record = history.json().path("records").get(0).path("id").asText();
        var rollback = api.post("/api/v1/history/" + record + "/rollback", Map.of());
        assertThat(rollback.status()).as(rollback.text()).isEqualTo(202);
        String rollbackId = rollback.json().path("id").asText();
        await("the rollback to end", () -> !api.get("/api/v1/runs/" + rollbackId).json().path("status").asText()
                .equals("RUNNING"));
        assertThat(api.get("/api/v1/runs/" + rollbackId).json().path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(api.post("/api/v1/history/nope/rollback", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aCancelledRunStartsNoNewStep() throws Exception {
        var slow = api.send("PATCH", "/api/v1/services/db", Map.of("fields", Map.of("command",
                "sleep 3; exec python3 -m http.server $PORT --bind 127.0.0.1")), Map.of("If-Match", api.version()));
        assertThat(slow.status()).as(slow.text()).isEqualTo(200);
        var plan = api.post("/api/v1/plans", Map.of("action", "deploy", "services", List.of("web")));
        String runId = api.post("/api/v1/runs", Map.of("plan", plan.json().path("id").asText())).json().path("id")
                .asText();
        // db takes three seconds to serve, and api may start only after it does: the cancel lands before that
        await("the run to have its handle", () -> api.get("/api/v1/runs/" + runId).json().path("events").size() > 1);
        var cancelled = api.post("/api/v1/runs/" + runId + "/cancel", Map.of());
        assertThat(cancelled.status()).isEqualTo(200);
        await("the run to end", () -> !api.get("/api/v1/runs/" + runId).json().path("status").asText()
                .equals("RUNNING"));
        JsonNode done = api.get("/api/v1/runs/" + runId).json();
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("CANCELLED");
        assertThat(api.get("/api/v1/services/web/history").json().path("records")).isEmpty();
        assertThat(api.post("/api/v1/runs/nope/cancel", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aFailedRunSaysWhichStepFailedAndWhy() throws Exception {
        var broken = api.send("PATCH", "/api/v1/services/db", Map.of("fields", Map.of("command", "exec false")),
                Map.of("If-Match", api.version()));
        assertThat(broken.status()).as(broken.text()).isEqualTo(200);
        var plan = api.post("/api/v1/plans", Map.of("action", "deploy", "services", List.of("db")));
        String runId = api.post("/api/v1/runs", Map.of("plan", plan.json().path("id").asText())).json().path("id")
                .asText();
        await("the run to end", () -> !api.get("/api/v1/runs/" + runId).json().path("status").asText()
                .equals("RUNNING"));
        JsonNode done = api.get("/api/v1/runs/" + runId).json();
        assertThat(done.path("status").asText()).isEqualTo("FAILED");
        assertThat(done.path("failure").asText()).startsWith("deploy:db@alpha: FAILED: ");
    }

    /** Follows the event stream on a thread, adding "TYPE DATA" for each event. */
    Thread follow(List<String> events) throws Exception {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) server.url().resolve("/api/v1/events").toURL()
                .openConnection();
        c.setRequestProperty("Authorization", "Bearer " + server.token());
        c.setReadTimeout(60_000);
        assertThat(c.getResponseCode()).isEqualTo(200);
        assertThat(c.getContentType()).startsWith("text/event-stream");
        BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
        Thread t = new Thread(() -> {
            String type = "";
            try {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        synchronized (events) {
                            events.add(type + " " + line.substring(6));
                        }
                    }
                }
            } catch (java.io.IOException e) {
                // the server closed the stream
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void aMovePlanShowsItsStepsTheRegistryDiffAndWhatStaysBehindAndGoesStaleWhenTheFileChanges() throws Exception {
        var plan = api.post("/api/v1/plans", Map.of("action", "move", "services", List.of("web"), "machine", "alpha"));
        assertThat(plan.status()).as(plan.text()).isEqualTo(201);
        assertThat(plan.json().path("steps").findValuesAsText("action")).contains("MIGRATE");
        assertThat(plan.json().path("diff").asText()).contains("-    machine: beta").contains("+    machine: alpha");
        assertThat(plan.json().path("warnings").toString()).contains("are not copied");
        String before = Files.readString(fleet.registry);

        Files.writeString(fleet.registry, before + "# changed meanwhile\n");
        var stale = api.post("/api/v1/runs", Map.of("plan", plan.json().path("id").asText()));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().path("error").asText()).isEqualTo("the registry changed since this plan was made; "
                + "make the plan again");
        assertThat(Files.readString(fleet.registry)).doesNotContain("machine: alpha\n    command: \"exec python3 -m "
                + "http.server $PORT --bind 127.0.0.1\"\n    port: " + fleet.ports.get(2));

        assertThat(api.post("/api/v1/plans", Map.of("action", "explode")).status()).isEqualTo(400);
        assertThat(api.post("/api/v1/plans", Map.of("action", "move", "services", List.of("web"), "machine", "nope"))
                .status()).isEqualTo(404);
        assertThat(api.post("/api/v1/runs", Map.of("plan", "p999")).status()).isEqualTo(404);
    }

    @Test
    void theServerReadsTheFileAgainWhenItChangesAndKeepsTheLastValidRegistryWhileItIsBroken() throws Exception {
        String text = Files.readString(fleet.registry);
        Files.writeString(fleet.registry, text.replace("description: the second machine", "description: renamed"));
        await("the change to be read", () -> api.get("/api/v1/machines/beta").json().path("description").asText()
                .equals("renamed"));
        Files.writeString(fleet.registry, text.replace("platform: linux\n    description", "platform: plan9\n    description"));
        await("the problem to be reported", () -> api.get("/api/v1/registry").json().path("problems").size() > 0);
        var reg = api.get("/api/v1/registry").json();
        assertThat(reg.path("problems").get(0).path("text").asText()).contains("registry.yml:").contains("platform");
        assertThat(api.get("/api/v1/services").json().path("services")).hasSize(3);

        Files.writeString(fleet.registry, text);
        var reloaded = api.post("/api/v1/registry/reload", Map.of());
        assertThat(reloaded.status()).isEqualTo(200);
        assertThat(reloaded.json().path("problems")).isEmpty();
        assertThat(RunningServer.find(fleet.state)).hasValueSatisfying(s -> {
            assertThat(s.url()).isEqualTo(server.url());
            assertThat(s.reload()).contains("re-read").contains("2 machines, 3 services");
        });
    }

    @Test
    void everyRouteIsInTheOpenApiDocumentAndEveryDocumentedPathIsARoute() {
        JsonNode doc = api.get("/api/v1/openapi.json").json();
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        Set<String> documented = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            var path = it.next();
            path.getValue().fieldNames().forEachRemaining(m -> {
                if (!m.equals("parameters")) {
                    documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
                }
            });
        }
        Set<String> routes = new HashSet<>();
        for (var r : server.routes()) {
            routes.add(r.method() + " " + r.template());
        }
        assertThat(documented).isEqualTo(routes);
    }

    @Test
    void everyResponseCarriesTheSecurityHeadersAndThePageHasNoInlineScript() throws Exception {
        var page = api.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline")
                .contains("frame-ancestors 'none'");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.text()).containsPattern("<script[^>]*src=").doesNotContainPattern("<script>\\s*\\S");
        assertThat(api.get("/api/v1/services").header("Cache-Control")).isEqualTo("no-store");
        assertThat(api.get("/../../etc/passwd").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/nothing").status()).isEqualTo(404);
        assertThat(api.send("PUT", "/api/v1/services", Map.of(), Map.of()).status()).isEqualTo(405);
    }

    @Test
    void aServerWithoutATokenMayListenOnlyOnLoopbackAndATakenPortIsSaidInWords() throws Exception {
        assertThatThrownBy(() -> fleet.server().bind("0.0.0.0", 0).requireToken(false).start())
                .isInstanceOf(ServerException.class)
                .hasMessage("refusing to serve 0.0.0.0 without a token: only a loopback server may do without one");
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> fleet.server().bind("127.0.0.1", taken.getLocalPort()).start())
                    .isInstanceOf(ServerException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": the port is taken (choose "
                            + "another with --port)");
        }
        try (PortoserServer open = fleet.server().requireToken(false).stateDirectory(dir.resolve("other")).start()) {
            assertThat(new ApiClient(open.url(), null).get("/api/v1/services").status()).isEqualTo(200);
        }
    }

    @Test
    void theTokenFileIsOwnerOnlyAndTheAddressFileGoesAwayOnClose() throws Exception {
        Path token = fleet.state.resolve(PortoserServer.TOKEN_FILE);
        assertThat(Files.getPosixFilePermissions(token)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(token).trim()).isEqualTo(server.token());
        assertThat(fleet.state.resolve(PortoserServer.ADDRESS_FILE)).exists();
        server.close();
        assertThat(fleet.state.resolve(PortoserServer.ADDRESS_FILE)).doesNotExist();
        assertThat(RunningServer.find(fleet.state)).isEmpty();
        server = null;
    }
}

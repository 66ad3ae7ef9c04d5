package dev.portoser.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portoser.server.PortoserServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Embeds the dashboard's server for a registry of one local service, and drives it through its HTTP API as a
 * script would: list the services, plan a deploy, run it, follow it to the end, and see the service healthy; then
 * stop it. {@code server.loginUrl()} is the link a person would open in a browser instead.
 */
public final class ServeADashboard {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServeADashboard() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("portoser-serve-example");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(dir.resolve("index.html"), "hello from the dashboard example\n");
        Path registry = dir.resolve("registry.yml");
        Files.writeString(registry, """
                machines:
                  laptop: {host: localhost, user: me, platform: linux}
                services:
                  hello:
                    type: local
                    path: %s
                    machine: laptop
                    command: "exec python3 -m http.server $PORT --bind 127.0.0.1"
                    port: %d
                    health: {type: http, endpoint: /index.html, interval: 1s, retries: 2}
                """.formatted(dir, port));

        try (PortoserServer server = PortoserServer.builder(registry).bind("127.0.0.1", 0)
                .stateDirectory(dir.resolve("state")).start()) {
            System.out.println("dashboard at " + server.url() + " (a browser opens " + server.url().resolve("/login/…")
                    + ", the one-time link server.loginUrl() gives)");
            Api api = new Api(server.url(), server.token());
            for (JsonNode s : api.get("/api/v1/services").path("services")) {
                System.out.println("service " + s.path("name").asText() + " on " + s.path("machine").asText() + ": "
                        + s.path("state").asText());
            }
            System.out.println("deploy: " + api.runToEnd("deploy"));
            JsonNode hello = api.get("/api/v1/services/hello");
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!hello.path("state").asText().equals("HEALTHY") && System.nanoTime() < end) {
                Thread.sleep(100); // the monitor checks every second; poll its view until it says so
                hello = api.get("/api/v1/services/hello");
            }
            System.out.println("hello is " + hello.path("state").asText() + ", last deploy "
                    + hello.path("lastDeploy").path("outcome").asText());
            System.out.println("stop: " + api.runToEnd("stop"));
        }
    }

    /** The API as any HTTP client sees it: bearer token, JSON bodies. */
    private record Api(URI base, String token) {
        JsonNode get(String path) throws Exception {
            return send(HttpRequest.newBuilder(base.resolve(path)).GET());
        }

        JsonNode post(String path, Object body) throws Exception {
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        }

        private JsonNode send(HttpRequest.Builder request) throws Exception {
            HttpResponse<String> r = HttpClient.newHttpClient().send(request.header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode doc = JSON.readTree(r.body());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(r.statusCode() + ": " + doc.path("error").asText());
            }
            return doc;
        }

        /** Plans an action on hello, runs it and waits (at most a minute) for the run to end. */
        String runToEnd(String action) throws Exception {
            JsonNode plan = post("/api/v1/plans", java.util.Map.of("action", action, "services",
                    java.util.List.of("hello")));
            String run = post("/api/v1/runs", java.util.Map.of("plan", plan.path("id").asText())).path("id").asText();
            long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            JsonNode doc = get("/api/v1/runs/" + run);
            while (doc.path("status").asText().equals("RUNNING") && System.nanoTime() < end) {
                Thread.sleep(100);
                doc = get("/api/v1/runs/" + run);
            }
            return doc.path("status").asText() + " (" + doc.path("steps").size() + " step)";
        }
    }
}

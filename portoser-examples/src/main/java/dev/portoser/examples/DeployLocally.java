package dev.portoser.examples;

import dev.portoser.exec.ConsoleProgress;
import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import dev.portoser.state.FileStateStore;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Deploys a two-service registry to this machine (a site and the API it needs, as {@code python3 -m http.server}),
 * fetches the site, and stops both. The sites and history live in a temporary directory, removed at the end; the
 * PID, log and env files go to {@code ~/.portoser} as for any local service.
 */
public final class DeployLocally {
    private DeployLocally() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("portoser-example-");
        int apiPort = freePort();
        int sitePort = freePort();
        for (String name : new String[] {"api", "site"}) {
            Files.createDirectories(dir.resolve(name));
            Files.writeString(dir.resolve(name).resolve("index.html"), "hello from " + name);
        }
        Registry registry = Registry.parse("""
                machines:
                  laptop: {host: localhost, user: me, platform: linux}
                services:
                  api: {type: local, path: %s/api, machine: laptop, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d, health: {type: http}}
                  site: {type: local, path: %s/site, machine: laptop, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d, depends_on: [api], health: {type: http}}
                """.formatted(dir, apiPort, dir, sitePort));
        try (Executor executor = Executor.builder().state(new FileStateStore(dir.resolve("state")))
                .listener(new ConsoleProgress(new PrintWriter(System.out, true), false)).build()) {
            try {
                RunResult result = executor.run(registry, Planner.of(registry).deploy("site"));
                System.out.print(result.render());
                String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + sitePort + "/")).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
                System.out.println("site says: " + body);
            } finally {
                System.out.print(executor.run(registry, Planner.of(registry).stop("api")).render());
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

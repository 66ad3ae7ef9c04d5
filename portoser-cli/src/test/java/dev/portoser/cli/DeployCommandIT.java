package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portoser deploy} and {@code stop} for real, on this machine, as separate processes. */
class DeployCommandIT {
    @TempDir
    Path dir;

    @Test
    void deployRunsThePlanAndStopTakesItDownDependentsFirst() throws Exception {
        int dbPort;
        int webPort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            dbPort = a.getLocalPort();
            webPort = b.getLocalPort();
        }
        for (String s : new String[] {"db", "web"}) {
            Files.createDirectories(dir.resolve(s));
            Files.writeString(dir.resolve(s).resolve("index.html"), s + " is up");
        }
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  db: {type: local, path: %s/db, machine: here, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d, health: {type: tcp}}
                  web: {type: local, path: %s/web, machine: here, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d, depends_on: [db], health: {type: http}}
                """.formatted(dir, dbPort, dir, webPort));
        Map<String, String> sandbox = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + dir.resolve("home"));
        Files.createDirectories(dir.resolve("home"));
        CliProcess.Result deploy = CliProcess.run(dir, sandbox, "deploy", "web", "--state-dir", dir.resolve("state").toString());
        assertThat(deploy.exitCode()).as(deploy.stdout() + deploy.stderr()).isZero();
        assertThat(deploy.stdout()).contains("done: 2 of 2 steps succeeded").contains("SUCCEEDED       DEPLOY   web");
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).isEqualTo("web is up");
        assertThat(dir.resolve("home/.portoser/run/web.pid")).exists();
        assertThat(Files.list(dir.resolve("state/history/web")).count()).isEqualTo(1);

        CliProcess.Result stop = CliProcess.run(dir, sandbox, "stop", "db", "--state-dir", dir.resolve("state").toString());
        assertThat(stop.exitCode()).as(stop.stdout() + stop.stderr()).isZero();
        assertThat(stop.stdout().indexOf("STOP web")).isLessThan(stop.stdout().indexOf("STOP db"));
        assertThat(dir.resolve("home/.portoser/run/web.pid")).doesNotExist();
        assertThat(dir.resolve("home/.portoser/run/db.pid")).doesNotExist();
    }
}

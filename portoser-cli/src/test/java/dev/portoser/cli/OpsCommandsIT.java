package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status}, {@code health}, {@code logs}, {@code history}, {@code completion} on a real local service. */
class OpsCommandsIT {
    @TempDir
    Path dir;

    @Test
    void theReadVerbsDescribeARunningServiceAndItsHistory() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("site"));
        Files.writeString(dir.resolve("site/index.html"), "up");
        Files.createDirectories(dir.resolve("home/.portoser"));
        Files.writeString(dir.resolve("home/.portoser/config.yml"), "registry: " + dir.resolve("registry.yml") + "\n"
                + "state_dir: " + dir.resolve("state") + "\n");
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  site: {type: local, path: %s/site, machine: here, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d, health: {type: http}}
                """.formatted(dir, port));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Map<String, String> home = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + dir.resolve("home"));
        try {
            // The registry and state directory come from ~/.portoser/config.yml: no --registry, no ./registry.yml.
            assertThat(CliProcess.run(elsewhere, home, "deploy", "site").exitCode()).isZero();
            CliProcess.Result status = CliProcess.run(elsewhere, home, "status", "--json");
            JsonNode row = new ObjectMapper().readTree(status.stdout()).get("services").get(0);
            assertThat(row.get("process").asText()).isEqualTo("running");
            assertThat(row.get("health").asText()).isEqualTo("healthy");
            CliProcess.Result health = CliProcess.run(elsewhere, home, "health");
            assertThat(health.exitCode()).isZero();
            assertThat(health.stdout()).containsPattern("site +here +healthy +GET http://localhost:" + port + "/ -> 200");
            assertThat(CliProcess.run(elsewhere, home, "logs", "site", "-n", "5").stdout()).contains("GET / HTTP/1.1");
            CliProcess.Result list = CliProcess.run(elsewhere, home, "history", "list", "site", "--json");
            JsonNode records = new ObjectMapper().readTree(list.stdout()).get("records");
            assertThat(records).hasSize(1);
            String id = records.get(0).get("id").asText();
            assertThat(new ObjectMapper().readTree(CliProcess.run(elsewhere, home, "history", "show", id).stdout())
                    .get("outcome").asText()).isEqualTo("SUCCEEDED");
            assertThat(CliProcess.run(elsewhere, home, "history", "rollback", id).stdout()).startsWith("SUCCEEDED");
            assertThat(CliProcess.run(elsewhere, home, "completion").stdout()).contains("complete -F");
        } finally {
            assertThat(CliProcess.run(elsewhere, home, "stop", "site").exitCode()).isZero();
        }
        CliProcess.Result after = CliProcess.run(elsewhere, home, "health");
        assertThat(after.exitCode()).isEqualTo(1);
        assertThat(after.stdout()).containsPattern("site +here +unhealthy");
    }
}

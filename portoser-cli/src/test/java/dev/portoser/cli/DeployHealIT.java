package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portoser deploy --heal}: our own instance still holds the port but its records are gone (as a killed
 * controller, or a wiped run directory, leaves it): without --heal the deploy fails; with it, the stale instance is
 * stopped and the deploy succeeds.
 */
class DeployHealIT {
    @TempDir
    Path dir;

    @AfterEach
    void killWhatIsLeft() throws Exception {
        CliProcess.killLeftovers(dir, dir.resolve("home"));
    }

    @Test
    void aDeployBlockedByOurOwnStaleInstanceSucceedsWithHealAndFailsWithout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("site"));
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web: {type: local, path: %s/site, machine: here, port: %d, health: {type: http},
                        command: "exec python3 -m http.server $PORT --bind 127.0.0.1"}
                """.formatted(dir, port));
        Map<String, String> sandbox = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
        String state = dir.resolve("state").toString();
        CliProcess.Result first = CliProcess.run(dir, sandbox, "deploy", "web", "--state-dir", state);
        assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isZero();
        for (String f : new String[] {"web.pid", "web.pid.start", "web.pid.config"}) {
            Files.delete(home.resolve(".portoser/run").resolve(f));
        }

        CliProcess.Result plain = CliProcess.run(dir, sandbox, "deploy", "web", "--state-dir", state, "--no-rollback");
        assertThat(plain.exitCode()).as(plain.stdout() + plain.stderr()).isEqualTo(ExitCodes.FAILED);

        CliProcess.Result healed = CliProcess.run(dir, sandbox, "deploy", "web", "--state-dir", state, "--heal");
        assertThat(healed.exitCode()).as(healed.stdout() + healed.stderr()).isZero();
        assertThat(healed.stdout()).contains("SUCCEEDED       DEPLOY   web").contains("healed (");
        assertThat(home.resolve(".portoser/run/web.pid")).exists();
    }
}

package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kill -9} of {@code portoser deploy} in the middle of a step, then an immediate second run. */
class CrashRecoveryIT {
    @TempDir
    Path dir;

    @AfterEach
    void killWhatIsLeft() throws Exception {
        CliProcess.killLeftovers(dir, dir.resolve("home"));
    }

    @Test
    void aRunAfterAKilledControllerTakesOverItsLockNamesTheStepAndEndsWithExactlyOneProcess() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("site"));
        // It answers HTTP only 3 s after it starts, so the first controller is killed while it waits for health.
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  slow: {type: local, path: %s/site, machine: here, port: %d, health: {type: http},
                         command: "sleep 3; exec python3 -m http.server $PORT --bind 127.0.0.1"}
                """.formatted(dir, port));
        Map<String, String> sandbox = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
        String state = dir.resolve("state").toString();

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", CliProcess.JAR.toString(), "deploy", "slow", "--state-dir", state));
        ProcessBuilder first = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        first.environment().putAll(sandbox);
        Process controller = first.start();
        Path pidFile = home.resolve(".portoser/run/slow.pid");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(pidFile) && System.nanoTime() < deadline && controller.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(pidFile).as("the first run started the service").exists();
        controller.destroyForcibly(); // SIGKILL, mid-step: the lock and the journal entry stay behind
        assertThat(controller.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(home.resolve(".portoser/locks/slow")).exists();

        CliProcess.Result again = CliProcess.run(dir, sandbox, "deploy", "slow", "--state-dir", state);
        assertThat(again.exitCode()).as(again.stdout() + again.stderr()).isZero();
        assertThat(again.stderr()).contains("was interrupted during DEPLOY of slow on here");
        assertThat(again.stdout()).contains("SUCCEEDED       DEPLOY   slow");
        Process count = new ProcessBuilder("pgrep", "-f", home + "/.portoser/run/portoser-run " + home
                + "/.portoser slow").start();
        assertThat(new String(count.getInputStream().readAllBytes()).strip().lines().count())
                .as("exactly one instance").isEqualTo(1);
    }
}

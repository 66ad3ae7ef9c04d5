package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portoser health --watch} as a user runs it: transition lines, then a clean stop on a signal. */
class HealthWatchIT {
    @TempDir
    Path dir;


    private static java.util.regex.Pattern literally(String text) {
        return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(text));
    }

    @Test
    void watchPrintsTransitionsAndStopsCleanlyOnASignal() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("site"));
        Files.createDirectories(dir.resolve("home"));
        Path registry = dir.resolve("registry.yml");
        Files.writeString(registry, """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  site: {type: local, path: %s/site, machine: here, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d, health: {type: http, interval: 300ms, retries: 2}}
                """.formatted(dir, port));
        Map<String, String> home = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + dir.resolve("home"));
        assertThat(CliProcess.run(dir, home, "deploy", "site", "--registry", registry.toString()).exitCode()).isZero();
        Path out = dir.resolve("watch.out");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliProcess.JAR.toString(), "health", "--watch", "--registry", registry.toString())
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true);
        builder.environment().putAll(home);
        Process watch = builder.start();
        try {
            CliProcess.awaitOutput(out, literally("site: UNKNOWN -> HEALTHY"), Duration.ofSeconds(60));
            assertThat(CliProcess.run(dir, home, "stop", "site", "--registry", registry.toString()).exitCode()).isZero();
            CliProcess.awaitOutput(out, literally("site: HEALTHY -> UNHEALTHY"), Duration.ofSeconds(30));
            watch.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown path is the same
            assertThat(watch.waitFor(20, TimeUnit.SECONDS)).isTrue();
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            assertThat(lines).contains("watching 1 service; Ctrl-C stops").last().isEqualTo("stopped watching");
        } finally {
            watch.destroyForcibly();
            CliProcess.run(dir, home, "stop", "site", "--registry", registry.toString());
        }
    }

    @Test
    void watchWithHealRestartsAKilledServiceAndRecordsWhatItDid() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("site"));
        Files.createDirectories(dir.resolve("home"));
        Path registry = dir.resolve("registry.yml");
        Path state = dir.resolve("state");
        Files.writeString(registry, """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  site: {type: local, path: %s/site, machine: here, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d, health: {type: http, interval: 300ms, retries: 2}}
                """.formatted(dir, port));
        Map<String, String> home = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + dir.resolve("home"));
        assertThat(CliProcess.run(dir, home, "deploy", "site", "--registry", registry.toString(), "--state-dir",
                state.toString()).exitCode()).isZero();
        Path out = dir.resolve("watch.out");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliProcess.JAR.toString(), "health", "--watch", "--heal", "--state-dir", state.toString(),
                "--registry", registry.toString()).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(home);
        Process watch = builder.start();
        try {
            CliProcess.awaitOutput(out, literally("site: UNKNOWN -> HEALTHY"), Duration.ofSeconds(60));
            Path pidFile = dir.resolve("home/.portoser/run/site.pid");
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            assertThat(new ProcessBuilder("kill", "-KILL", "--", "-" + pid).start().waitFor()).isZero();
            CliProcess.awaitOutput(out, literally("site: HEALTHY -> UNHEALTHY"), Duration.ofSeconds(30));
            String text = CliProcess.awaitOutput(out, literally("heal site: healed"), Duration.ofSeconds(60));
            assertThat(text).contains("heal site: restarted");
            CliProcess.awaitOutput(out, literally("site: UNHEALTHY -> HEALTHY"), Duration.ofSeconds(30));
            long again = Long.parseLong(Files.readString(pidFile).strip());
            assertThat(again).isNotEqualTo(pid);
            assertThat(ProcessHandle.of(again).map(ProcessHandle::isAlive)).contains(true);
            watch.destroy();
            assertThat(watch.waitFor(20, TimeUnit.SECONDS)).isTrue();
            var history = CliProcess.run(dir, home, "history", "list", "site", "--state-dir", state.toString());
            assertThat(history.stdout()).as(history.stdout()).containsIgnoringCase("heal");
        } finally {
            watch.destroyForcibly();
            CliProcess.run(dir, home, "stop", "site", "--registry", registry.toString());
        }
    }
}

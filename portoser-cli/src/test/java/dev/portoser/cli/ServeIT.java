package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portoser serve} as a user runs it: it prints its address and a one-time login link, serves the API,
 * {@code portoser registry reload} finds it through the state directory, and a signal stops it cleanly (its
 * address file goes with it).
 */
class ServeIT {
    @TempDir
    Path dir;


    @Test
    void serveListensReloadFindsItAndASignalStopsItCleanly() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("site"));
        Path state = Files.createDirectories(dir.resolve("state"));
        Path registry = dir.resolve("registry.yml");
        Files.writeString(registry, """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  site: {type: local, path: %s/site, machine: here, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d}
                """.formatted(dir, port));
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + dir.resolve("home"),
                "PORTOSER_STATE_DIR", state.toString());
        Path out = dir.resolve("serve.out");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliProcess.JAR.toString(), "serve", "--port", "0", "--registry", registry.toString())
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process serve = builder.start();
        try {
            String text = CliProcess.awaitOutput(out, Pattern.compile("open (http://127\\.0\\.0\\.1:\\d+/login/\\S+)"),
                    Duration.ofSeconds(60));
            Matcher login = Pattern.compile("open (http://127\\.0\\.0\\.1:(\\d+)/login/\\S+)").matcher(text);
            assertThat(login.find()).isTrue();
            assertThat(text).contains("serving " + registry + " at http://127.0.0.1:" + login.group(2) + "/");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(login.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(303);
            String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
            HttpResponse<String> services = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + login.group(2) + "/api/v1/services"))
                    .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(services.statusCode()).isEqualTo(200);
            assertThat(services.body()).contains("\"name\":\"site\"");

            CliProcess.Result reload = CliProcess.run(dir, env, "registry", "reload", "--registry", registry.toString());
            assertThat(reload.exitCode()).as(reload.stderr()).isZero();
            assertThat(reload.stdout()).contains("valid: 1 machines, 1 services")
                    .contains("the server at http://127.0.0.1:" + login.group(2) + "/ re-read");

            serve.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown path is the same
            assertThat(serve.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(out)).endsWith("stopped serving\n");
            assertThat(state.resolve("server.json")).doesNotExist();
            CliProcess.Result none = CliProcess.run(dir, env, "registry", "reload", "--registry", registry.toString());
            assertThat(none.exitCode()).isZero();
            assertThat(none.stdout()).contains("no portoser serve is running for " + state);
        } finally {
            serve.destroyForcibly();
        }
    }
}

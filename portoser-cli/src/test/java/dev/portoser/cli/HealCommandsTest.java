package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** diagnose, heal and knowledge, in process, against a real foreign listener on a service's port. */
class HealCommandsTest {
    @TempDir
    Path home;
    @TempDir
    Path dir;
    String realHome;
    Path registry;
    Path state;
    int port;
    Process foreign;

    record Run(int code, String out, String err) {
    }

    Run run(String... args) {
        var cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void setUp() throws Exception {
        realHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString()); // the local transport's home: keep the real one clean
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("web"));
        registry = dir.resolve("registry.yml");
        state = dir.resolve("state");
        Files.writeString(registry, """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web: {type: local, path: %s/web, machine: here, port: %d, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", health: {type: http}}
                """.formatted(dir, port));
        foreign = new ProcessBuilder("python3", "-m", "http.server", String.valueOf(port), "--bind", "127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20); // polling a condition with a bound
            }
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        foreign.destroyForcibly().waitFor();
        System.setProperty("user.home", realHome);
    }

    @Test
    void diagnoseNamesTheForeignProcessAndHealLeavesItAlone() throws Exception {
        Run d = run("diagnose", "web", "--registry", registry.toString(), "--state-dir", state.toString());
        assertThat(d.code()).as(d.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(d.out()).contains("port." + "foreign: port " + port + " is taken by a process Portoser did not start: "
                + "PID " + foreign.pid()).contains("http.server").contains("heal would:")
                .contains("nothing: the fix is yours");

        Run json = run("diagnose", "web", "--json", "--registry", registry.toString(), "--state-dir", state.toString());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertThat(doc.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(doc.get("ok").asBoolean()).isFalse();
        assertThat(doc.get("diagnoses").get(0).get("fingerprint").asText()).isEqualTo("port.foreign");
        assertThat(doc.get("diagnoses").get(0).get("facts").get("pid").asText()).isEqualTo(String.valueOf(foreign.pid()));
        assertThat(doc.get("observations").findValuesAsText("kind")).contains("PortOwner", "Reachability", "DiskUsage");

        Run heal = run("heal", "web", "--registry", registry.toString(), "--state-dir", state.toString());
        assertThat(heal.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(heal.out()).contains("web: needs user: left alone; the fix is yours").contains("PID " + foreign.pid());
        assertThat(foreign.isAlive()).isTrue();

        Run stats = run("knowledge", "stats", "--state-dir", state.toString());
        assertThat(stats.out()).containsPattern("port\\.foreign +1 +0");
    }

    @Test
    void aFixRecordedByHandIsShownAndCounted() {
        Run r = run("knowledge", "record", "disk.full", "--service", "web", "--machine", "here", "--playbook",
                "clear-tmp", "--state-dir", state.toString(), "--", "rm", "-rf", "${path}/tmp");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("it is now a candidate fix for disk.full");
        Run show = run("knowledge", "show", "disk.full", "--state-dir", state.toString());
        assertThat(show.out()).contains("disk.full: seen 1 times, fixed 1").contains("playbook clear-tmp: fixed 1 of 1 (100%)");
        Run list = run("knowledge", "list", "--json", "--state-dir", state.toString());
        assertThat(list.out()).contains("\"source\" : \"by_hand\"").contains("\"${path}/tmp\"");
        Run bad = run("knowledge", "record", "disk.ful", "--service", "web", "--machine", "here", "--state-dir",
                state.toString());
        assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).startsWith("portoser: unknown fingerprint 'disk.ful'; known: ");
    }

    @Test
    void theBackOffOfOneHealHoldsForTheNextInvocation() throws Exception {
        Path crashing = dir.resolve("crashing.yml");
        Files.createDirectories(dir.resolve("crash"));
        Files.writeString(crashing, """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  crash: {type: local, path: %s/crash, machine: here, port: %d, command: "echo crashing; exit 3", health: {type: http}}
                """.formatted(dir, port + 1 > 65535 ? port - 1 : port + 1));
        Run first = run("heal", "crash", "--registry", crashing.toString(), "--state-dir", state.toString());
        assertThat(first.code()).as(first.out() + first.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(first.out()).contains("crash: failed");
        Run second = run("heal", "crash", "--registry", crashing.toString(), "--state-dir", state.toString());
        assertThat(second.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(second.out()).as("a new invocation knows the last attempt")
                .contains("crash: refused: not healed now: backing off after 1 attempt in a row");
        Run diagnose = run("diagnose", "crash", "--registry", crashing.toString(), "--state-dir", state.toString());
        assertThat(diagnose.out()).contains("policy: not now: backing off after 1 attempt in a row");
        assertThat(state.resolve("healing/crash.json")).isRegularFile();
    }
}

package dev.portoser.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.LocalTransport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real faults under {@code ~/.portoser} on this machine: PID files that lie, planted symlinks. */
class LocalProcessFaultsTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    @TempDir
    Path elsewhere;

    LocalTransport transport;
    final LocalProcessDeployer deployer = new LocalProcessDeployer(Duration.ofSeconds(3), 1 << 20);
    DeployContext context;
    int port;

    @BeforeEach
    void setUp() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        context = context("exec python3 -m http.server $PORT --bind 127.0.0.1");
    }

    DeployContext context(String command) {
        Registry registry = Registry.parse("""
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web: {type: local, path: %s, machine: here, port: %d, command: "%s"}
                """.formatted(site, port, command));
        Machine machine = registry.machine("here").orElseThrow();
        if (transport == null) {
            transport = new LocalTransport(machine, home);
        }
        Service web = registry.service("web").orElseThrow();
        return new DeployContext(web, machine, transport, port, Duration.ofSeconds(30));
    }

    @AfterEach
    void tearDown() {
        transport.exec(Command.script(KillRecorded.SCRIPT));
        transport.close();
    }

    Path run(String file) {
        return home.resolve(".portoser/run").resolve(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "0", "1"})
    void aPidFileHoldingMinusOneZeroOrOneSignalsNothing(String planted) {
        dev.portoser.RootOnly.assume("a PID namespace of its own (unshare)");
        // In a PID namespace of its own, so that a wrong kill could only hit the bystander, never this machine.
        CommandResult r = transport.exec(Command.script("""
                exec unshare --pid --fork --mount-proc sh -c '
                  sleep 300 & bystander=$!
                  mkdir -p "$HOME/.portoser/run"; echo "$1" > "$HOME/.portoser/run/web.pid"
                  sh -c "$2" stop web 5 >/dev/null 2>&1
                  sh -c "$3" status web
                  if kill -0 "$bystander" 2>/dev/null; then echo bystander-alive; fi
                  kill "$bystander"' sh "$1" "$2" "$3"
                """, planted, LocalScripts.STOP, LocalScripts.STATUS).timeout(Duration.ofSeconds(20)));
        assertThat(r.stdout()).contains("bystander-alive");
    }

    @Test
    void aGarbagePidFileIsReportedAndTheProcessItHidesIsStillFoundAndStopped() throws Exception {
        deployer.deploy(context);
        long pid = Long.parseLong(Files.readString(run("web.pid")).strip());
        Files.writeString(run("web.pid"), "garbage\n");
        ServiceStatus status = deployer.status(context);
        assertThat(status.isRunning()).as(status.toString()).isTrue();
        assertThat(status.ids()).containsExactly(String.valueOf(pid));
        assertThat(deployer.deploy(context).change()).as("no second process").isEqualTo(DeployResult.Change.UNCHANGED);
        deployer.stop(context);
        assertThat(Processes.running(pid)).isFalse();
    }

    @Test
    void aPidFileNamingAForeignProcessIsReportedAsNotOursAndLeftAlone() throws Exception {
        Process foreign = new ProcessBuilder("sleep", "300").start();
        try {
            Files.createDirectories(run(""));
            Files.writeString(run("web.pid"), foreign.pid() + "\n");
            Files.writeString(run("web.pid.start"), foreign.pid() + " 12345\n");
            ServiceStatus status = deployer.status(context);
            assertThat(status.state()).isEqualTo(ServiceStatus.State.FAILED);
            assertThat(status.detail()).contains("process " + foreign.pid()).contains("not the one Portoser started");
            deployer.stop(context);
            assertThat(foreign.isAlive()).isTrue();
        } finally {
            foreign.destroyForcibly().waitFor();
        }
    }

    @Test
    void aStalePidFileOfAProcessThatExitedReportsItsExitStatus() throws Exception {
        DeployContext dying = context("exit 7");
        deployer.deploy(dying);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!Files.exists(run("web.exit")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        ServiceStatus status = deployer.status(dying);
        assertThat(status.state()).isEqualTo(ServiceStatus.State.FAILED);
        assertThat(status.exitCode()).isEqualTo(7);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run/web.pid.start", "run/web.pid.config", "run/web.pid", "logs/web.log", "env/web.env"})
    void aPlantedSymlinkIsNeverWrittenThrough(String planted) throws Exception {
        Path victim = elsewhere.resolve("victim");
        Files.writeString(victim, "precious\n");
        Path link = home.resolve(".portoser").resolve(planted);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, victim);
        assertThatThrownBy(() -> deployer.deploy(context)).isInstanceOf(DeployException.class)
                .hasMessageContaining("it is a symbolic link");
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
        assertThat(run("web.pid")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(p).isSymbolicLink());
    }

    @Test
    void aSymlinkedEnvDirectoryIsRefusedSoTheServiceNeverStartsWithoutItsEnvironment() throws Exception {
        Files.createDirectories(home.resolve(".portoser"));
        Files.createSymbolicLink(home.resolve(".portoser/env"), elsewhere);
        assertThatThrownBy(() -> deployer.deploy(context)).isInstanceOf(DeployException.class)
                .hasMessageContaining(".portoser/env: it is a symbolic link");
        try (var files = Files.list(elsewhere)) {
            assertThat(files).isEmpty();
        }
    }
}

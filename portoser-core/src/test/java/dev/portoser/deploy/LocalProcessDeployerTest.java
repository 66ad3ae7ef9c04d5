package dev.portoser.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthGate;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthTarget;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.transport.Command;
import dev.portoser.transport.LocalTransport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code type: local} on this machine, with a real {@code python3 -m http.server} as the service. */
class LocalProcessDeployerTest {
    @TempDir
    Path home;
    @TempDir
    Path site;

    LocalTransport transport;
    final LocalProcessDeployer deployer = new LocalProcessDeployer(Duration.ofSeconds(3), 1 << 20);
    final HealthChecks checks = new HealthChecks();
    int port;

    @BeforeEach
    void setUp() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(site.resolve("index.html"), "version one");
    }

    @AfterEach
    void stopEverything() {
        if (transport != null) {
            transport.exec(Command.script(KillRecorded.SCRIPT));
            transport.close();
        }
    }

    DeployContext context(String command, String extraEnv) {
        Registry registry = Registry.parse("""
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web:
                    type: local
                    path: %s
                    machine: here
                    command: "%s"
                    port: %d
                    health: {type: http, endpoint: /index.html}
                    env: {GREETING: "hello 'quoted' $HOME world"%s}
                """.formatted(site, command, port, extraEnv));
        Machine machine = registry.machine("here").orElseThrow();
        if (transport == null) {
            transport = new LocalTransport(machine, home);
        }
        Service web = registry.service("web").orElseThrow();
        return new DeployContext(web, machine, transport, port, Duration.ofSeconds(30));
    }

    HealthResult awaitHealthy(DeployContext c) throws InterruptedException {
        return new HealthGate(Duration.ofMillis(100)).await(checks.forService(c.service()),
                new HealthTarget(c.service(), c.machine(), port, c.transport()), Duration.ofSeconds(20));
    }

    static final String SERVER = "printf '%s' \\\"$GREETING\\\" > greeting.txt; exec python3 -m http.server $PORT --bind 127.0.0.1";

    @Test
    void deployStartsTheServiceDetachedWithItsEnvironmentFromA0600File() throws Exception {
        DeployContext c = context(SERVER, "");
        deployer.deploy(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();
        assertThat(Files.readString(site.resolve("greeting.txt"))).isEqualTo("hello 'quoted' $HOME world");
        Path envFile = home.resolve(".portoser/env/web.env");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(envFile))).isEqualTo("rw-------");
        assertThat(deployer.status(c).isRunning()).isTrue();
        String pid = Files.readString(home.resolve(".portoser/run/web.pid")).strip();
        String ps = transport.exec(Command.of("ps", "-o", "pid=,pgid=,args=", "-p", pid)).stdout();
        assertThat(ps.strip().split("\\s+")[1]).as("its own process group").isEqualTo(pid);
        assertThat(ps).doesNotContain("hello").as("the environment is not on the command line");
        assertThat(Files.readString(home.resolve(".portoser/logs/web.log"))).contains("Serving HTTP");
    }

    @Test
    void aDeployThatChangesNothingSeesItsInstanceListeningSoTheCheckRightAfterNeedsNoRoundTrip() throws Exception {
        DeployContext c = context(SERVER, "");
        deployer.deploy(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();
        assertThat(deployer.deploy(c).change()).isEqualTo(DeployResult.Change.UNCHANGED);
        java.util.concurrent.atomic.AtomicInteger commands = new java.util.concurrent.atomic.AtomicInteger();
        dev.portoser.transport.Transport counting = new dev.portoser.transport.WatchedTransport(transport,
                command -> {
                    commands.incrementAndGet();
                    return command;
                });
        var own = deployer.healthChecks(c.service()).get(0);
        HealthTarget target = new HealthTarget(c.service(), c.machine(), port, counting);
        HealthResult first = own.check(target);
        assertThat(first.isHealthy()).isTrue();
        assertThat(first.detail()).contains("listens on port " + port).contains("seen by the deploy");
        assertThat(commands).hasValue(0);
        HealthResult next = own.check(target); // what the deploy saw stands in once, never again
        assertThat(next.isHealthy()).isTrue();
        assertThat(next.detail()).doesNotContain("seen by the deploy");
        assertThat(commands).hasValue(1);
    }

    @Test
    void aDeployThatChangesNothingOfAnInstanceNotListeningLeavesTheCheckToTheMachine() throws Exception {
        DeployContext c = context("exec sleep 60", "");
        deployer.deploy(c);
        assertThat(deployer.deploy(c).change()).isEqualTo(DeployResult.Change.UNCHANGED);
        HealthResult r = deployer.healthChecks(c.service()).get(0).check(new HealthTarget(c.service(), c.machine(),
                port, transport));
        assertThat(r.detail()).doesNotContain("seen by the deploy").contains("not yet listening on port " + port);
    }

    @Test
    void secretsReachTheProcessEnvironmentThroughThe0600FileOnly() throws Exception {
        DeployContext plain = context(SERVER, "");
        String canary = "canary-" + java.util.UUID.randomUUID() + " with 'quotes' and = signs";
        DeployContext c = new DeployContext(plain.service(), plain.machine(), transport, port,
                java.util.Map.of("API_KEY", new dev.portoser.secret.Secret(canary, "1")), Duration.ofSeconds(30));
        deployer.deploy(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();
        String pid = Files.readString(home.resolve(".portoser/run/web.pid")).strip();
        String children = transport.exec(Command.of("sh", "-c", "pgrep -P " + pid + " | head -1")).stdout().strip();
        String environ = Files.readString(Path.of("/proc", children, "environ")).replace('\0', '\n');
        assertThat(environ).contains("API_KEY=" + canary);
        assertThat(transport.exec(Command.of("ps", "-eo", "args")).stdout()).doesNotContain("canary-");
        assertThat(Files.readString(home.resolve(".portoser/logs/web.log"))).doesNotContain("canary-");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(".portoser/env/web.env"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(".portoser/run/web.pid.config"))))
                .isEqualTo("rw-------");
        ServiceStatus before = deployer.status(c);
        DeployContext rotated = new DeployContext(plain.service(), plain.machine(), transport, port,
                java.util.Map.of("API_KEY", new dev.portoser.secret.Secret(canary + "-2", "2")), Duration.ofSeconds(30));
        deployer.deploy(rotated);
        assertThat(deployer.status(rotated)).as("a rotated secret restarts the service").isNotEqualTo(before);
    }

    @Test
    void deployingTheSameConfigurationAgainIsANoOpAndAChangedOneRestarts() throws Exception {
        DeployContext c = context(SERVER, "");
        deployer.deploy(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();
        ServiceStatus first = deployer.status(c);
        deployer.deploy(c);
        assertThat(deployer.status(c)).isEqualTo(first);
        DeployContext changed = context(SERVER, ", EXTRA: x");
        deployer.deploy(changed);
        assertThat(awaitHealthy(changed).isHealthy()).isTrue();
        assertThat(deployer.status(changed)).isNotEqualTo(first).matches(ServiceStatus::isRunning);
    }

    @Test
    void stopEndsTheWholeProcessGroupAndIsIdempotent() throws Exception {
        DeployContext c = context("sleep 300 & exec python3 -m http.server $PORT --bind 127.0.0.1", "");
        deployer.deploy(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();
        String pid = Files.readString(home.resolve(".portoser/run/web.pid")).strip();
        deployer.stop(c);
        assertThat(deployer.status(c).state()).isEqualTo(ServiceStatus.State.STOPPED);
        String left = transport.exec(Command.of("sh", "-c", "ps -e -o pgid=,stat=,pid=,args= | awk -v g=" + pid
                + " '$1 == g && $2 !~ /^Z/'")).stdout().strip();
        assertThat(left).as("processes left in the group").isEmpty();
        deployer.stop(c);
        assertThat(checks.forService(c.service()).check(new HealthTarget(c.service(), c.machine(), port, transport))
                .isHealthy()).isFalse();
    }

    @Test
    void aLogOverItsSizeIsRotatedAtTheNextStart() throws Exception {
        LocalProcessDeployer small = new LocalProcessDeployer(Duration.ofSeconds(3), 100);
        DeployContext c = context(SERVER, "");
        Path log = home.resolve(".portoser/logs/web.log");
        Files.createDirectories(log.getParent());
        Files.writeString(log, "old line\n".repeat(50));
        small.deploy(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();
        assertThat(Files.readString(home.resolve(".portoser/logs/web.log.1"))).startsWith("old line");
        assertThat(Files.readString(log)).doesNotContain("old line");
    }

    @Test
    void aRecycledPidThatIsNotOursIsNeverKilled() throws Exception {
        DeployContext c = context(SERVER, "");
        deployer.deploy(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();
        Process stranger = new ProcessBuilder("sleep", "60").start();
        try {
            Path pidFile = home.resolve(".portoser/run/web.pid");
            String ours = Files.readString(pidFile).strip();
            Files.writeString(pidFile, stranger.pid() + "\n"); // as if our process died and the PID was reused
            deployer.stop(c);
            assertThat(stranger.isAlive()).isTrue();
            transport.exec(Command.of("kill", "-s", "KILL", "--", "-" + ours));
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void aCommandThatCannotStartLeavesEvidence() {
        DeployContext c = context(SERVER, "");
        Path missing = site.resolve("gone");
        DeployContext broken = new DeployContext(new Service(c.service().name(), c.service().type(), missing.toString(),
                c.service().machine(), port, false, java.util.List.of(), null, null, java.util.List.of(),
                java.util.Map.of(), null, java.util.List.of(), null, java.util.List.of(), null, null, "true", null,
                null, null), c.machine(), transport, port, Duration.ofSeconds(10));
        assertThatThrownBy(() -> deployer.deploy(broken)).isInstanceOf(DeployException.class)
                .hasMessageContaining("cannot start web on here: the path " + missing + " of web does not exist");
    }
}

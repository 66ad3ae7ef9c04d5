package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.DockerComposeDeployer;
import dev.portoser.heal.Diagnosis;
import dev.portoser.heal.FailurePatterns;
import dev.portoser.heal.HealReport;
import dev.portoser.heal.Healer;
import dev.portoser.heal.Observation;
import dev.portoser.heal.Observations;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The observer and the patterns against a real Docker engine over SSH: a container that exits at once is
 * diagnosed with its exit code and its last output, a login whose engine does not answer is diagnosed as such, and a
 * stopped engine is started where the login may (and left alone where it may not).
 */
class HealerDockerIT {
    static DockerHost host;
    static Transport transport;
    static final DockerComposeDeployer DEPLOYER = new DockerComposeDeployer();

    @BeforeAll
    static void startHost() throws Exception {
        host = DockerHost.get();
        transport = host.open();
    }

    @AfterAll
    static void close() {
        if (transport != null) {
            transport.close();
        }
    }

    @Test
    void aContainerThatExitsAtOnceIsDiagnosedWithItsExitCodeAndLastOutput() {
        String path = "/root/heal-crash";
        DockerHost.sh(transport, "mkdir -p \"$1\"", path);
        transport.upload("""
                services:
                  app:
                    image: portoser/busybox:1
                    command: ["sh", "-c", "echo boom-on-start; exit 3"]
                """.getBytes(StandardCharsets.UTF_8), path + "/docker-compose.yml", 0644);
        Registry registry = Registry.parse("""
                machines:
                  %s
                services:
                  crash: {type: docker, path: %s, machine: docker}
                """.formatted(DockerHost.yaml(host.machine), path));
        DeployContext c = new DeployContext(registry.service("crash").orElseThrow(),
                registry.machine("docker").orElseThrow(), transport, null, Duration.ofSeconds(90));
        try {
            try {
                DEPLOYER.deploy(c);
            } catch (RuntimeException expected) {
                // it exits at once: the deployer says so; the healer is to say why
            }
            Healer healer = Healer.builder(registry).transports(host.ssh).build();
            Observations seen = healer.observer().observe("crash");
            assertThat(seen.first(Observation.DockerDaemon.class).orElseThrow().state())
                    .isEqualTo(Observation.DockerDaemon.DaemonState.UP);
            assertThat(seen.first(Observation.ComposeFile.class).orElseThrow().exists()).isTrue();
            Observation.Container container = seen.first(Observation.Container.class).orElseThrow();
            assertThat(container.status()).isEqualTo("exited");
            assertThat(container.exitCode()).isEqualTo(3);
            List<Diagnosis> found = healer.diagnose("crash").diagnoses();
            assertThat(found).extracting(Diagnosis::fingerprint).containsExactly(FailurePatterns.CONTAINER_EXITS);
            assertThat(found.get(0).cause()).contains("exits at once with status 3");
            assertThat(found.get(0).evidence()).contains("boom-on-start");
        } finally {
            DEPLOYER.remove(c);
            DockerHost.sh(transport, "rm -rf -- \"$1\"", path);
        }
    }

    @Test
    void aLoginWhoseEngineDoesNotAnswerIsDiagnosedAsDaemonDown() {
        Registry registry = Registry.parse("""
                machines:
                  %s
                services:
                  idle: {type: docker, path: /root/idle, machine: docker-off}
                """.formatted(DockerHost.yaml(host.machineWithoutEngine)));
        Healer healer = Healer.builder(registry).transports(host.ssh).build();
        Observations seen = healer.observer().observe("idle");
        Observation.DockerDaemon daemon = seen.first(Observation.DockerDaemon.class).orElseThrow();
        assertThat(daemon.state()).isEqualTo(Observation.DockerDaemon.DaemonState.DOWN);
        assertThat(daemon.detail()).contains("no-engine.sock");
        assertThat(healer.diagnose("idle").diagnoses()).extracting(Diagnosis::fingerprint)
                .contains(FailurePatterns.DOCKER_DOWN);
    }

    /** Runs a command on this machine (as root), failing on a non-zero exit. */
    static String local(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " -> " + out);
        }
        return out;
    }

    /** Stops the host's dockerd and waits (bounded) until it is gone. */
    static void stopEngine() throws Exception {
        String pid = Files.readString(host.dir.resolve("dockerd.pid")).strip();
        local("kill", "-TERM", pid);
        local("sh", "-c", "i=0; while kill -0 \"$1\" 2>/dev/null; do [ $i -gt 600 ] && exit 1; sleep 0.1; "
                + "i=$((i+1)); done", "-", pid);
    }

    /** Starts the host's dockerd again if it does not answer, and waits (bounded) until it does. */
    static void ensureEngine() throws Exception {
        String sock = "unix://" + host.dir.resolve("docker.sock");
        local("sh", "-c", "DOCKER_HOST=$1 docker version >/dev/null 2>&1 || \"$2\"; i=0; until DOCKER_HOST=$1 "
                + "docker version >/dev/null 2>&1; do [ $i -gt 600 ] && exit 1; sleep 0.1; i=$((i+1)); done", "-",
                sock, host.dir.resolve("start-dockerd").toString());
    }

    @Test
    void aStoppedEngineIsStartedWhereTheLoginMayAndLeftAloneWhereItMayNot() throws Exception {
        String path = "/root/heal-engine";
        String hook = "/root/.config/portoser/start-docker";
        DockerHost.sh(transport, "mkdir -p \"$1\"", path);
        transport.upload("""
                services:
                  app:
                    image: portoser/busybox:1
                    command: ["sleep", "3600"]
                """.getBytes(StandardCharsets.UTF_8), path + "/docker-compose.yml", 0644);
        Registry registry = Registry.parse("""
                machines:
                  %s
                services:
                  engine: {type: docker, path: %s, machine: docker}
                """.formatted(DockerHost.yaml(host.machine), path));
        DeployContext c = new DeployContext(registry.service("engine").orElseThrow(),
                registry.machine("docker").orElseThrow(), transport, null, Duration.ofSeconds(90));
        try {
            stopEngine();
            Healer healer = Healer.builder(registry).transports(host.ssh).build();
            assertThat(healer.diagnose("engine").diagnoses()).extracting(Diagnosis::fingerprint)
                    .contains(FailurePatterns.DOCKER_DOWN);

            // Not allowed: no init system runs this engine and the login has no start command of its own.
            DockerHost.sh(transport, "rm -f \"$1\"", hook);
            HealReport refused = healer.heal("engine");
            assertThat(refused.healthy()).as(refused.toString()).isFalse();
            assertThat(refused.actions()).extracting(HealReport.Action::playbook).containsExactly("start-docker-engine");
            assertThat(refused.actions().get(0).fixed()).isFalse();
            assertThat(refused.actions().get(0).detail()).contains("the login may not start the Docker engine here")
                    .contains("nothing was done");
            assertThat(DockerHost.sh(transport, "docker version >/dev/null 2>&1 && echo up || echo down").strip())
                    .isEqualTo("down");

            // Allowed: the login's own start command, which starts the engine as this host runs it.
            DockerHost.sh(transport, "mkdir -p \"${1%/*}\" && printf '#!/bin/sh\\nexec %s\\n' \"$2\" > \"$1\" && "
                    + "chmod 755 \"$1\"", hook, host.dir.resolve("start-dockerd").toString());
            HealReport healed = Healer.builder(registry).transports(host.ssh).build().heal("engine");
            assertThat(healed.outcome()).as(healed.toString()).isEqualTo(HealReport.Outcome.HEALED);
            assertThat(healed.actions().get(0).playbook()).isEqualTo("start-docker-engine");
            assertThat(healed.actions().get(0).detail()).contains("the engine answers");
            assertThat(DockerHost.sh(transport, "docker ps -q --filter label=com.docker.compose.project=$1 "
                    + "--filter status=running", dev.portoser.deploy.DockerComposeDeployer.projectName(
                    registry.service("engine").orElseThrow()))).isNotBlank();
            DEPLOYER.deploy(c);
        } finally {
            ensureEngine();
            DEPLOYER.remove(c);
            DockerHost.sh(transport, "rm -rf -- \"$1\" \"$2\"", path, hook);
        }
    }
}

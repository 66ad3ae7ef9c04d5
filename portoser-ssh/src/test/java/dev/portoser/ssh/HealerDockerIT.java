package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.DockerComposeDeployer;
import dev.portoser.heal.Diagnosis;
import dev.portoser.heal.FailurePatterns;
import dev.portoser.heal.Healer;
import dev.portoser.heal.Observation;
import dev.portoser.heal.Observations;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The observer and the patterns against a real Docker engine over SSH: a container that exits at once is
 * diagnosed with its exit code and its last output, and a login whose engine does not answer is diagnosed as such.
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
}

package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.DeployException;
import dev.portoser.deploy.DeployResult;
import dev.portoser.deploy.DockerComposeDeployer;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthGate;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthTarget;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import dev.portoser.transport.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code type: docker} on a real Docker engine with real Compose, over SSH: a busybox httpd stack with a
 * healthcheck and a named volume, published on the docker host's own address and checked over HTTP from here.
 */
class DockerComposeIT {
    static DockerHost host;
    static Transport transport;
    static final DockerComposeDeployer DEPLOYER = new DockerComposeDeployer(Duration.ofSeconds(2));
    static final HealthChecks CHECKS = new HealthChecks();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** A busybox httpd serving the named volume 'site', which it seeds with $GREETING once. */
    static final String WEB = """
            services:
              web:
                image: portoser/busybox:1
                command: ["sh", "-c", "[ -f /www/index.html ] || echo \\"$$GREETING\\" > /www/index.html; echo httpd starting; exec httpd -f -p 8080 -h /www"]
                init: true
                healthcheck:
                  test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/index.html"]
                  interval: 1s
                  timeout: 2s
                  retries: 10
                volumes: ["site:/www"]
            volumes:
              site:
            """;

    final List<DeployContext> deployed = new ArrayList<>();
    final List<String> volumes = new ArrayList<>();

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

    @AfterEach
    void removeEverything() {
        for (DeployContext c : deployed) {
            DEPLOYER.remove(c);
            DockerHost.sh(transport, "rm -rf -- \"$1\"", c.service().path());
        }
        for (String v : volumes) {
            DockerHost.sh(transport, "docker volume rm -f \"$1\" >/dev/null", v);
        }
    }

    /** A service NAME at /root/DIR with the compose file, port 18080 and extra registry lines. */
    DeployContext service(String name, String dir, String compose, String extra, Map<String, Secret> secrets) {
        String path = "/root/" + dir;
        DockerHost.sh(transport, "mkdir -p \"$1\" && cat > \"$1/docker-compose.yml\"", path);
        transport.upload(compose.getBytes(java.nio.charset.StandardCharsets.UTF_8), path + "/docker-compose.yml", 0644);
        Registry registry = Registry.parse("""
                machines:
                  %s
                services:
                  %s:
                    type: docker
                    path: %s
                    machine: docker
                    port: 18080
                    port_mapping: {host: 18080, container: 8080}
                    health: {type: http, endpoint: /index.html, timeout: 2s}
                %s
                """.formatted(DockerHost.yaml(host.machine), name, path, extra.indent(4)));
        Machine m = registry.machine("docker").orElseThrow();
        DeployContext c = new DeployContext(registry.service(name).orElseThrow(), m, transport, 18080, secrets,
                Duration.ofSeconds(90));
        deployed.add(c);
        volumes.add(DockerComposeDeployer.projectName(c.service()) + "_site");
        return c;
    }

    DeployContext web(String name, String extra) {
        return service(name, name, WEB, extra, Map.of());
    }

    static HealthResult awaitHealthy(DeployContext c) throws InterruptedException {
        Service s = c.service();
        return new HealthGate(Duration.ofMillis(200)).await(CHECKS.forService(s, DEPLOYER.healthChecks(s)),
                new HealthTarget(s, c.machine(), 18080, transport), Duration.ofSeconds(30));
    }

    static String get(String file) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.machine.host()
                + ":18080/" + file)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().strip();
    }

    static String containerIds(DeployContext c) {
        return DockerHost.sh(transport, "docker ps -aq --no-trunc --filter label=com.docker.compose.project=$1",
                DockerComposeDeployer.projectName(c.service())).strip();
    }

    @Test
    void anHttpdStackDeploysIsHealthyOverHttpAndHasItsMemoryLimit() throws Exception {
        DeployContext c = web("web", "resources: {memory: 64M, cpus: 0.5}\nenv: {GREETING: \"hello from $HOME\"}");

        long start = System.nanoTime();
        DeployResult first = DEPLOYER.deploy(c);
        long deployMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(first.change()).isEqualTo(DeployResult.Change.STARTED);
        HealthResult health = awaitHealthy(c);
        assertThat(health.isHealthy()).as(health.detail()).isTrue();
        assertThat(health.detail()).contains("web healthy").contains("GET http://10.200.0.130:18080/index.html -> 200");
        assertThat(get("index.html")).isEqualTo("200 hello from $HOME");
        String id = containerIds(c);
        assertThat(DockerHost.sh(transport, "docker inspect --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' \"$1\"",
                id).strip()).isEqualTo(64L * 1024 * 1024 + " 500000000");
        assertThat(DEPLOYER.status(c).ids()).containsExactly(id);
        System.out.printf("docker: first deploy of web took %d ms%n", deployMillis);
    }

    @Test
    void aRedeployWithoutChangesRecreatesNothing() throws Exception {
        DeployContext c = web("same", "");
        DEPLOYER.deploy(c);
        String id = containerIds(c);
        String started = DockerHost.sh(transport, "docker inspect --format '{{.State.StartedAt}}' \"$1\"", id);

        long start = System.nanoTime();
        DeployResult again = DEPLOYER.deploy(c);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(again.change()).isEqualTo(DeployResult.Change.UNCHANGED);
        assertThat(containerIds(c)).isEqualTo(id);
        assertThat(DockerHost.sh(transport, "docker inspect --format '{{.State.StartedAt}}' \"$1\"", id)).isEqualTo(started);
        assertThat(DEPLOYER.explain(c)).contains("would do nothing");
        System.out.printf("docker: a no-change redeploy took %d ms%n", millis);
    }

    @Test
    void aNamedVolumesDataSurvivesStopRedeployAndRemove() throws Exception {
        DeployContext c = web("keeper", "env: {GREETING: one}");
        DEPLOYER.deploy(c);
        DockerHost.sh(transport, "docker exec \"$1\" sh -c 'echo kept > /www/kept.txt'", containerIds(c));

        DEPLOYER.stop(c);
        assertThat(DEPLOYER.status(c).state()).isEqualTo(ServiceStatus.State.STOPPED);
        DEPLOYER.start(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();
        assertThat(get("kept.txt")).isEqualTo("200 kept");

        DeployContext changed = web("keeper", "env: {GREETING: two}");
        DeployResult redeploy = DEPLOYER.deploy(changed);
        assertThat(redeploy.change()).isEqualTo(DeployResult.Change.RESTARTED);
        assertThat(redeploy.detail()).contains("env changed");
        assertThat(awaitHealthy(changed).isHealthy()).isTrue();
        assertThat(get("kept.txt")).isEqualTo("200 kept");

        DEPLOYER.remove(changed);
        assertThat(containerIds(changed)).as("down removed the containers").isEmpty();
        assertThat(DockerHost.sh(transport, "docker volume ls -q")).contains("portoser-keeper_site");
        DEPLOYER.deploy(changed);
        assertThat(awaitHealthy(changed).isHealthy()).isTrue();
        assertThat(get("kept.txt")).isEqualTo("200 kept");
        assertThat(get("index.html")).as("seeded once, by the first deploy").isEqualTo("200 one");
    }

    @Test
    void aSecretReachesTheContainerEnvironmentAndNoFileArgvLogOrEvent() throws Exception {
        String canary = "canary-" + UUID.randomUUID();
        Instant since = Instant.now().minusSeconds(1);
        DeployContext c = service("vaulted", "vaulted", WEB, "vault_secrets: [{path: secret/data/vaulted, keys: [api_token]}]",
                Map.of("API_TOKEN", new Secret(canary, "7")));

        DEPLOYER.deploy(c);
        assertThat(awaitHealthy(c).isHealthy()).isTrue();

        String id = containerIds(c);
        assertThat(DockerHost.sh(transport, "docker exec \"$1\" env", id)).contains("API_TOKEN=" + canary);
        String dir = "/root/.portoser/compose/vaulted";
        assertThat(DockerHost.sh(transport, "cat \"$1/portoser.env\"", dir)).contains("API_TOKEN='" + canary + "'");
        assertThat(DockerHost.sh(transport, "stat -c %a \"$1/portoser.env\"", dir).strip()).isEqualTo("600");
        assertThat(DockerHost.sh(transport, "cat /root/vaulted/docker-compose.yml \"$1/override.yml\" \"$1/digest\"", dir))
                .doesNotContain(canary);
        assertThat(DockerHost.sh(transport, "ps -eo args")).doesNotContain(canary);
        assertThat(DEPLOYER.logs(c, 50)).contains("httpd starting").doesNotContain(canary);
        assertThat(DockerHost.sh(transport, "docker events --since \"$1\" --until \"$(date +%s)\" --format '{{json .}}'",
                String.valueOf(since.getEpochSecond()))).contains("vaulted").doesNotContain(canary);
        String explained = DEPLOYER.explain(c);
        assertThat(explained).contains("API_TOKEN='********'").doesNotContain(canary);
        assertThat(DEPLOYER.deploy(c).change()).as("the secret counts by version").isEqualTo(DeployResult.Change.UNCHANGED);
    }

    @Test
    void aBrokenComposeFileFailsWithComposesMessageAndLeavesTheRunningVersionAlone() throws Exception {
        DeployContext c = web("broken", "");
        DEPLOYER.deploy(c);
        String id = containerIds(c);
        String override = DockerHost.sh(transport, "cat /root/.portoser/compose/broken/override.yml");

        transport.upload("services:\n  web:\n    image: portoser/busybox:1\n    imagee: typo\n".getBytes(),
                "/root/broken/docker-compose.yml", 0644);
        assertThatThrownBy(() -> DEPLOYER.deploy(c)).isInstanceOf(DeployException.class)
                .hasMessageContaining("the compose file /root/broken/docker-compose.yml of broken is invalid on docker")
                .hasMessageContaining("imagee")
                .hasMessageContaining("nothing was changed");
        transport.upload("services: {web: [\n".getBytes(), "/root/broken/docker-compose.yml", 0644);
        assertThatThrownBy(() -> DEPLOYER.deploy(c)).isInstanceOf(DeployException.class)
                .hasMessageContaining("is invalid").hasMessageContaining("line");

        assertThat(containerIds(c)).isEqualTo(id);
        assertThat(DEPLOYER.status(c).isRunning()).isTrue();
        assertThat(DockerHost.sh(transport, "cat /root/.portoser/compose/broken/override.yml")).isEqualTo(override);
        assertThat(get("index.html")).startsWith("200");
        transport.upload(WEB.getBytes(), "/root/broken/docker-compose.yml", 0644);
    }

    @Test
    void aMissingComposeFileAndAnImageThatCannotBePulledFailWithOneClearLine() {
        DeployContext missing = web("nofile", "");
        DockerHost.sh(transport, "rm /root/nofile/docker-compose.yml");
        assertThatThrownBy(() -> DEPLOYER.deploy(missing)).isInstanceOf(DeployException.class)
                .hasMessage("the compose file /root/nofile/docker-compose.yml of nofile does not exist on docker");

        DeployContext unpullable = service("nopull", "nopull", "services:\n  web:\n    image: portoser/absent:1\n", "",
                Map.of());
        assertThatThrownBy(() -> DEPLOYER.deploy(unpullable)).isInstanceOf(DeployException.class)
                .hasMessageStartingWith("an image of nopull cannot be pulled on docker: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aMachineWhoseEngineDoesNotRunFailsWithOneClearLine() {
        Machine off = host.machineWithoutEngine;
        Registry registry = Registry.parse("""
                machines:
                  %s
                services:
                  idle: {type: docker, path: /root/idle, machine: docker-off}
                """.formatted(DockerHost.yaml(off)));
        try (Transport t = host.ssh.open(off)) {
            DeployContext c = new DeployContext(registry.service("idle").orElseThrow(),
                    registry.machine("docker-off").orElseThrow(), t, null, Duration.ofSeconds(30));
            assertThatThrownBy(() -> DEPLOYER.deploy(c)).isInstanceOf(DeployException.class)
                    .hasMessageStartingWith("Docker is not running on docker-off: Cannot connect to the Docker daemon at "
                            + "unix://" + host.dir + "/no-engine.sock")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(DEPLOYER.status(c).state()).isEqualTo(ServiceStatus.State.UNKNOWN);
        }
    }

    @Test
    void aDeployThatWouldChangeTheProjectNameOfAStackWithNamedVolumesIsRefused() throws Exception {
        // Started by hand first: Compose named the project after the directory, and the data is in handmade_site.
        DeployContext c = web("handmade", "");
        volumes.add("handmade_site");
        DockerHost.sh(transport, "cd /root/handmade && docker compose -p handmade up -d >/dev/null 2>&1 "
                + "|| docker-compose -p handmade up -d >/dev/null 2>&1; docker compose -p handmade down >/dev/null 2>&1 "
                + "|| docker-compose -p handmade down >/dev/null 2>&1; docker volume ls -q | grep -x handmade_site");

        assertThatThrownBy(() -> DEPLOYER.deploy(c)).isInstanceOf(DeployException.class)
                .hasMessageContaining("refusing to deploy handmade as Compose project portoser-handmade")
                .hasMessageContaining("'site' holds the data of project 'handmade' (volume handmade_site)");
        assertThat(DEPLOYER.explain(c)).contains("would refuse: refusing to deploy handmade");
        assertThat(containerIds(c)).isEmpty();

        // A renamed service: the same stack deployed as 'first', then as 'second'.
        DeployContext first = web("first", "");
        DEPLOYER.deploy(first);
        DEPLOYER.stop(first);
        DeployContext second = service("second", "first", WEB, "", Map.of());
        assertThatThrownBy(() -> DEPLOYER.deploy(second)).isInstanceOf(DeployException.class)
                .hasMessageContaining("holds the data of project 'portoser-first'");
    }
}

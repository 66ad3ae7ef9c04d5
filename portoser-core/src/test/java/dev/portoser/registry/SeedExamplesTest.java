package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example of the registry documentation loads, with the values and defaults the documentation states. */
class SeedExamplesTest {
    static final Path SEED = Path.of("src/test/resources/seed");

    static Stream<Path> seedFiles() throws IOException {
        try (Stream<Path> files = Files.list(SEED)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
            assertThat(list).hasSizeGreaterThanOrEqualTo(8);
            return list.stream();
        }
    }

    private static Registry load(String name) {
        return Registry.loader().variable("ENVIRONMENT", "production").build().load(SEED.resolve(name));
    }

    @ParameterizedTest
    @MethodSource("seedFiles")
    void everySeedExampleLoadsWithoutWarnings(Path file) {
        Registry registry = Registry.loader().variable("ENVIRONMENT", "production").build().load(file);
        assertThat(registry.machines()).isNotEmpty();
        assertThat(registry.warnings()).isEmpty();
    }

    @Test
    void theRepositoryExampleLoads() {
        Registry registry = Registry.loader().variable("ENVIRONMENT", "production").build()
                .load(Path.of("../examples/registry.yml"));
        assertThat(registry.services()).containsKeys("postgres", "redis", "api", "worker", "nginx");
        assertThat(registry.group("web-stack").orElseThrow().members()).containsExactly("api", "nginx", "postgres", "redis");
        assertThat(registry.warnings()).isEmpty();
    }

    @Test
    void machinesKeepEveryFieldAndTheSshDefaults() {
        Machine m1 = load("machines.yml").machine("m1").orElseThrow();
        assertThat(m1).isEqualTo(new Machine("m1", "192.168.0.245", "admin", Platform.DARWIN, 22, "~/.ssh/id_rsa",
                "m1-approle", null, null, "Main server - macOS", List.of("production", "macos")));
        assertThat(load("machines.yml").machine("mini1").orElseThrow().platform()).isEqualTo(Platform.LINUX);
    }

    @Test
    void serviceTypesBindTheirOwnFields() {
        Registry registry = load("service-types.yml");
        Service docker = registry.service("my-docker-app").orElseThrow();
        assertThat(docker.type()).isEqualTo(ServiceType.DOCKER);
        assertThat(docker.composeFile()).isEqualTo("docker-compose.yml");
        assertThat(docker.envFile()).isEqualTo(".env");
        Service local = registry.service("my-python-app").orElseThrow();
        assertThat(local.command()).isEqualTo("uv run python main.py");
        assertThat(local.port()).isEqualTo(8080);
        assertThat(local.logFile()).isEqualTo("/var/log/my-app.log");
        assertThat(local.composeFile()).isNull();
        Service nativeService = registry.service("my-system-service").orElseThrow();
        assertThat(nativeService.unitName()).isEqualTo("my-service");
        assertThat(registry.servicesOn("m1")).extracting(Service::name)
                .containsExactly("my-docker-app", "my-python-app", "my-system-service");
    }

    @Test
    void healthChecksBindEveryField() {
        Registry registry = load("health-checks.yml");
        assertThat(registry.service("web-app").orElseThrow().health()).isEqualTo(new HealthSpec(HealthType.HTTP,
                "/health", 8080, Duration.ofSeconds(30), Duration.ofSeconds(5), 3, 200, null));
        assertThat(registry.service("database").orElseThrow().health()).isEqualTo(new HealthSpec(HealthType.TCP,
                "/", 5432, Duration.ofSeconds(15), Duration.ofSeconds(3), 2, 200, null));
        HealthSpec process = registry.service("background-worker").orElseThrow().health();
        assertThat(process.type()).isEqualTo(HealthType.PROCESS);
        assertThat(process.pidFile()).isEqualTo("/var/run/worker.pid");
        assertThat(process.interval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void dependenciesKeepTheirOrder() {
        assertThat(load("dependencies.yml").service("web-app").orElseThrow().dependsOn())
                .containsExactly("database", "redis", "vault");
    }

    @Test
    void environmentAndVaultSecretsBind() {
        Service app = load("environment.yml").service("my-app").orElseThrow();
        assertThat(app.env()).containsExactly(java.util.Map.entry("NODE_ENV", "production"),
                java.util.Map.entry("PORT", "3000"), java.util.Map.entry("LOG_LEVEL", "info"));
        assertThat(app.envFile()).isEqualTo(".env.production");
        assertThat(app.vaultSecrets()).containsExactly(
                new SecretRef("secret/data/myapp", List.of("api_key", "database_url", "jwt_secret")),
                new SecretRef("secret/data/shared", List.of("smtp_password")));
        assertThat(app.toString()).contains("env=[NODE_ENV, PORT, LOG_LEVEL]").doesNotContain("3000");
    }

    @Test
    void portsMappingsResourcesAndAutoPortsBind() {
        Registry registry = load("ports-and-resources.yml");
        Service web = registry.service("web-app").orElseThrow();
        assertThat(web.ports()).containsExactly(8080, 8443);
        assertThat(web.portMapping()).isEqualTo(new PortMapping(80, 8080));
        assertThat(web.boundPorts()).containsExactly(8080, 8443, 80);
        assertThat(registry.service("my-app").orElseThrow().resources()).isEqualTo(new Resources("512M", 0.5, "1G"));
        Service auto = registry.service("auto-app").orElseThrow();
        assertThat(auto.autoPort()).isTrue();
        assertThat(auto.port()).isNull();
    }

    @Test
    void templatesResolveAndGroupsCollectTheirMembers() {
        Registry registry = load("templates-and-groups.yml");
        assertThat(registry.service("my-app").orElseThrow().env()).containsEntry("NODE_ENV", "production");
        assertThat(registry.group("web-stack").orElseThrow().members()).containsExactly("nginx", "redis", "web-app");
    }

    @Test
    void bestPracticeTagsAndHealthBind() {
        Registry registry = load("best-practices.yml");
        assertThat(registry.machine("m1").orElseThrow().tags()).containsExactly("production", "macos", "high-memory");
        Service api = registry.service("critical-api").orElseThrow();
        assertThat(api.health().interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(api.health().retries()).isEqualTo(2);
    }
}

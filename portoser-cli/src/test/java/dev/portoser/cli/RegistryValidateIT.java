package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portoser registry validate} run as a separate process, as a user runs it. */
class RegistryValidateIT {
    private static final String VALID = """
            machines:
              m1: {host: 10.200.0.11, user: deploy, platform: linux}
            services:
              web: {type: local, path: /opt/web, machine: m1, command: ./run, env: {API_TOKEN: abc}}
            """;
    private static final String INVALID = """
            machines:
              m1: {host: 10.200.0.11, user: deploy, platform: windows}
            services:
              web: {type: local, path: /opt/web, machine: m2, command: ./run}
            """;

    @TempDir
    Path dir;

    @Test
    void aValidRegistryExitsZeroAndPrintsWarningsAndASummary() throws Exception {
        Files.writeString(dir.resolve("r.yml"), VALID);
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "registry", "validate", "--registry", "r.yml");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout().lines()).containsExactly(
                "r.yml:4:84: warning: services.web.env.API_TOKEN: 'API_TOKEN' looks like a secret stored in the "
                        + "registry; move it to vault_secrets",
                "r.yml: valid: 1 machine, 1 service, 0 groups, 1 warning");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void anInvalidRegistryPrintsEveryProblemAndExitsOne() throws Exception {
        Files.writeString(dir.resolve("r.yml"), INVALID);
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "registry", "validate", "--registry", "r.yml");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout().lines()).containsExactly(
                "r.yml:2:51: error: machines.m1.platform: expected one of darwin, linux, bsd, found 'windows'",
                "r.yml:4:47: error: services.web.machine: unknown machine 'm2' (did you mean 'm1'?); machines are: m1",
                "r.yml: invalid: 2 errors");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "registry", "validate", "--no-such-flag");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("portoser: Unknown option: '--no-such-flag'");
    }

    @Test
    void aMissingRegistryIsAUsageErrorThatSaysWhereItLooked() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "registry", "validate");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr().strip()).isEqualTo(
                "portoser: no registry found: give --registry FILE, set REGISTRY_FILE, set 'registry:' in "
                        + "~/.portoser/config.yml, or create ./registry.yml");
    }

    @Test
    void theRegistryIsFoundThroughTheFlagThenRegistryFileThenTheWorkingDirectory() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), VALID);
        Files.writeString(dir.resolve("env.yml"), INVALID);
        Files.writeString(dir.resolve("flag.yml"), "machines: {}\n");
        assertThat(CliProcess.run(dir, Map.of(), "registry", "validate").stdout())
                .contains("registry.yml: valid: 1 machine");
        assertThat(CliProcess.run(dir, Map.of("REGISTRY_FILE", "env.yml"), "registry", "validate").stdout())
                .contains("env.yml: invalid: 2 errors");
        assertThat(CliProcess.run(dir, Map.of("REGISTRY_FILE", "env.yml"), "registry", "validate",
                "--registry", "flag.yml").stdout()).contains("flag.yml: valid: 0 machines");
    }

    @Test
    void jsonOutputIsOneVersionedDocument() throws Exception {
        Files.writeString(dir.resolve("r.yml"), INVALID);
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "registry", "validate", "--registry", "r.yml", "--json");
        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode doc = new ObjectMapper().readTree(r.stdout());
        assertThat(doc.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(doc.get("valid").asBoolean()).isFalse();
        JsonNode first = doc.get("problems").get(0);
        assertThat(first.get("severity").asText()).isEqualTo("error");
        assertThat(first.get("line").asInt()).isEqualTo(2);
        assertThat(first.get("column").asInt()).isEqualTo(51);
        assertThat(first.get("path").asText()).isEqualTo("machines.m1.platform");
    }

    @Test
    void templateVariablesComeFromVarFlagsAndTheEnvironmentOnlyWhenAsked() throws Exception {
        Files.writeString(dir.resolve("r.yml"), "machines:\n  m1: {host: \"{{ HOST }}\", user: u, platform: linux}\n");
        assertThat(CliProcess.run(dir, Map.of("HOST", "h1"), "registry", "validate", "--registry", "r.yml")
                .exitCode()).isEqualTo(1);
        assertThat(CliProcess.run(dir, Map.of("HOST", "h1"), "registry", "validate", "--registry", "r.yml",
                "--env-vars").exitCode()).isZero();
        assertThat(CliProcess.run(dir, Map.of(), "registry", "validate", "--registry", "r.yml", "--var",
                "HOST=10.0.0.1").exitCode()).isZero();
    }

    @Test
    void checkConflictsReportsOnlyClashesBetweenEntries() throws Exception {
        Files.writeString(dir.resolve("r.yml"), """
                machines:
                  m1: {host: 10.200.0.11, user: deploy, platform: windows}
                services:
                  a: {type: docker, path: /opt/a, machine: m1, port: 8080, depends_on: [b]}
                  b: {type: docker, path: /opt/b, machine: m1, ports: [8080], depends_on: [a]}
                """);
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "registry", "check-conflicts", "--registry", "r.yml");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).contains("circular dependency: a -> b -> a")
                .contains("port 8080 on machine 'm1' is already used by service 'a'")
                .contains("r.yml: 2 conflicts (and 1 other errors: run 'portoser registry validate')")
                .doesNotContain("windows");
        Files.writeString(dir.resolve("ok.yml"), VALID);
        assertThat(CliProcess.run(dir, Map.of(), "registry", "check-conflicts", "--registry", "ok.yml").stdout())
                .contains("ok.yml: no conflicts");
    }

    @Test
    void versionAndHelpWork() throws Exception {
        CliProcess.Result version = CliProcess.run(dir, Map.of(), "--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.stdout()).startsWith("portoser 0.");
        CliProcess.Result help = CliProcess.run(dir, Map.of(), "--help");
        assertThat(help.stdout()).contains("registry", "Exit codes:");
    }

    @Test
    void theLauncherAtTheRootRunsTheSameCli() throws Exception {
        Path launcher = Path.of("..", "portoser").toAbsolutePath().normalize();
        Files.writeString(dir.resolve("registry.yml"), VALID);
        CliProcess.Result r = CliProcess.exec(List.of(launcher.toString(), "registry", "validate"), dir, Map.of());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("registry.yml: valid: 1 machine, 1 service, 0 groups, 1 warning");
    }
}

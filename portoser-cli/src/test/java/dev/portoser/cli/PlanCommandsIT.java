package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deploy --dry-run}, {@code graph} and {@code impact}, run as separate processes. */
class PlanCommandsIT {
    private static final String REGISTRY = """
            machines:
              app: {host: 10.200.0.12, user: deploy, platform: linux}
              data: {host: 10.200.0.13, user: deploy, platform: linux}
            groups:
              front: [api]
            services:
              db: {type: docker, path: /opt/db, machine: data, port: 5432, health: {type: tcp}}
              api: {type: local, path: /srv/api, machine: app, command: ./api, port: 8080, depends_on: [db]}
              web: {type: local, path: /srv/web, machine: app, command: ./web, port: 8081, depends_on: [api]}
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void writeRegistry() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), REGISTRY);
    }

    @Test
    void deployDryRunPrintsThePlan() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "deploy", "api", "--dry-run");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("Plan: deploy api — 2 steps in 2 waves, registry ")
                .contains("  DEPLOY  db   on data  docker  needed by api\n")
                .contains("  DEPLOY  api  on app   local   requested; starts when db is healthy\n");
    }

    @Test
    void deployDryRunOfAGroupAndOfAllAndAsJson() throws Exception {
        assertThat(CliProcess.run(dir, Map.of(), "deploy", "--group", "front", "--dry-run").stdout())
                .startsWith("Plan: deploy group front — 2 steps");
        assertThat(CliProcess.run(dir, Map.of(), "deploy", "--all", "--dry-run").stdout())
                .startsWith("Plan: deploy all services — 3 steps in 3 waves");
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "deploy", "web", "--dry-run", "--json");
        JsonNode plan = new ObjectMapper().readTree(r.stdout());
        assertThat(plan.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(plan.get("steps")).hasSize(3);
        assertThat(plan.get("steps").get(2).get("waitsFor").get(0).asText()).isEqualTo("deploy:api@app");
    }

    @Test
    void deployWithoutATargetIsAUsageError() throws Exception {
        CliProcess.Result nothing = CliProcess.run(dir, Map.of(), "deploy", "--dry-run");
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.stderr()).contains("name what to deploy: SERVICE..., --group GROUP or --all");
    }

    @Test
    void anUnknownServiceFailsWithASuggestion() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "deploy", "apu", "--dry-run");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr().strip()).isEqualTo(
                "portoser: unknown service 'apu' (did you mean 'api'?); services are: api, db, web");
    }

    @Test
    void anInvalidRegistryPrintsItsProblemsAndFails() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), REGISTRY.replace("machine: data", "machine: dta"));
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "deploy", "api", "--dry-run");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("registry.yml:7:46: error: services.db.machine: unknown machine 'dta' "
                + "(did you mean 'data'?)").contains("invalid: fix the registry first");
    }

    @Test
    void graphPrintsDotOrMermaid() throws Exception {
        assertThat(CliProcess.run(dir, Map.of(), "graph").stdout())
                .startsWith("digraph portoser {").contains("\"deploy:db@data\" -> \"deploy:api@app\";");
        assertThat(CliProcess.run(dir, Map.of(), "graph", "--format", "mermaid").stdout())
                .startsWith("flowchart LR").contains("s0 --> s1");
        assertThat(CliProcess.run(dir, Map.of(), "graph", "--format", "png").exitCode()).isEqualTo(2);
    }

    @Test
    void impactListsDependentsAsTextAndJson() throws Exception {
        assertThat(CliProcess.run(dir, Map.of(), "impact", "db").stdout()).isEqualTo("""
                2 services depend on db (directly: api)
                  app: api, web
                """);
        JsonNode doc = new ObjectMapper().readTree(CliProcess.run(dir, Map.of(), "impact", "db", "--json").stdout());
        assertThat(doc.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(doc.get("byMachine").get("app")).hasSize(2);
    }
}

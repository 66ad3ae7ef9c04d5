package dev.portoser.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Registry;
import org.junit.jupiter.api.Test;

/** Saved plans: JSON round trip, rendering, and refusal when the registry changed. */
class PlanDocumentTest {
    static final String SMALL = """
            machines:
              m1: {host: h1, user: u, platform: linux}
              m2: {host: h2, user: u, platform: linux}
            services:
              db: {type: docker, path: /opt/db, machine: m1, port: 5432, health: {type: tcp}}
              api: {type: local, path: /srv/api, machine: m2, command: ./api, port: 8080, depends_on: [db], env: {A: "1"}}
              other: {type: docker, path: /opt/other, machine: m1}
            """;

    @Test
    void aPlanSurvivesTheJsonRoundTrip() {
        Plan plan = Planner.of(Registry.parse(SMALL)).deploy("api");
        String json = plan.toJson();
        assertThat(json).contains("\"schemaVersion\" : 1").doesNotContain("\"1\"");
        assertThat(Plan.fromJson(json)).isEqualTo(plan);
    }

    @Test
    void aCurrentPlanPassesAndUnrelatedChangesDoNotMakeItStale() {
        Plan plan = Planner.of(Registry.parse(SMALL)).deploy("api");
        plan.requireCurrent(Registry.parse(SMALL));
        plan.requireCurrent(Registry.parse(SMALL.replace("/opt/other", "/opt/other2")));
    }

    @Test
    void aStalePlanIsRefusedNamingWhatChangedWithoutValues() {
        Plan plan = Plan.fromJson(Planner.of(Registry.parse(SMALL)).deploy("api").toJson());
        String changed = SMALL.replace("port: 8080", "port: 8081").replace("A: \"1\"", "A: \"secret-ish\"")
                .replace("host: h1", "host: h9");
        assertThatThrownBy(() -> plan.requireCurrent(Registry.parse(changed)))
                .isInstanceOf(StalePlanException.class)
                .hasMessage("The plan is stale: the registry changed since it was made: machines.m1: host changed; "
                        + "services.api: env, port changed. Make a new plan.")
                .hasMessageNotContaining("secret-ish");
        String removed = SMALL.replace("  db: {type: docker, path: /opt/db, machine: m1, port: 5432, health: {type: tcp}}\n", "")
                .replace("depends_on: [db], ", "");
        assertThat(plan.changesSince(Registry.parse(removed))).containsExactly("services.api: depends_on changed",
                "services.db was removed");
    }

    @Test
    void aBrokenOrForeignDocumentIsRefusedClearly() {
        assertThatThrownBy(() -> Plan.fromJson("{not json")).isInstanceOf(PlanningException.class)
                .hasMessageStartingWith("not a Portoser plan:");
        String json = Planner.of(Registry.parse(SMALL)).deploy("api").toJson();
        assertThatThrownBy(() -> Plan.fromJson(json.replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 9")))
                .isInstanceOf(PlanningException.class)
                .hasMessage("the plan has schemaVersion 9; this version of Portoser reads 1");
        assertThatThrownBy(() -> Plan.fromJson(json.replace("\"waitsFor\" : [ \"deploy:db@m1\" ]",
                "\"waitsFor\" : [ \"deploy:ghost@m1\" ]"))).isInstanceOf(PlanningException.class)
                .hasMessage("step deploy:api@m2 waits for deploy:ghost@m1, which is not an earlier step of the plan");
    }

    @Test
    void theDryRunTextShowsWavesReasonsAndGates() {
        Plan plan = Planner.of(Registry.parse(SMALL)).deploy("api");
        assertThat(plan.render()).isEqualTo("""
                Plan: deploy api — 2 steps in 2 waves, registry %s
                Wave 1
                  DEPLOY  db   on m1  docker  needed by api
                Wave 2
                  DEPLOY  api  on m2  local   requested; starts when db is healthy
                """.formatted(plan.registryFingerprint().substring(0, 12)));
    }

    @Test
    void graphsHaveOneNodePerStepAndOneEdgePerWait() {
        Plan plan = Planner.of(Registry.parse(SMALL)).deploy("api");
        assertThat(plan.toDot()).isEqualTo("""
                digraph portoser {
                  rankdir=LR;
                  node [shape=box];
                  "deploy:db@m1" [label="DEPLOY db\\non m1 (docker)"];
                  "deploy:api@m2" [label="DEPLOY api\\non m2 (local)"];
                  "deploy:db@m1" -> "deploy:api@m2";
                }
                """);
        assertThat(plan.toMermaid()).isEqualTo("""
                flowchart LR
                  s0["DEPLOY db on m1 (docker)"]
                  s1["DEPLOY api on m2 (local)"]
                  s0 --> s1
                """);
    }
}

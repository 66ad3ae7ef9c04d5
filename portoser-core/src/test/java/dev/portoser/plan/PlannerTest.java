package dev.portoser.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Registry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ordering, scope and reasons of plans. */
class PlannerTest {
    /** web-stack: nginx -> api -> (postgres, redis); worker -> redis; report (no deps) on its own machine. */
    static final String STACK = """
            machines:
              edge: {host: 10.200.0.11, user: deploy, platform: linux}
              app: {host: 10.200.0.12, user: deploy, platform: linux}
              data: {host: 10.200.0.13, user: deploy, platform: linux}
              spare: {host: 10.200.0.14, user: deploy, platform: linux}
            groups:
              web-stack: [nginx, api]
            services:
              postgres: {type: docker, path: /opt/pg, machine: data, port: 5432, health: {type: tcp}}
              redis: {type: docker, path: /opt/redis, machine: data, port: 6379, health: {type: tcp}}
              api:
                type: local
                path: /srv/api
                machine: app
                command: ./api
                port: 8080
                depends_on: [redis, postgres]
                health: {type: http, endpoint: /health}
              worker: {type: native, path: /srv/worker, machine: app, command: ./worker, depends_on: [redis]}
              nginx: {type: docker, path: /opt/nginx, machine: edge, port: 80, depends_on: [api]}
              report: {type: local, path: /srv/report, machine: spare, command: ./report, port: auto}
            """;

    static Planner stack() {
        return Planner.of(Registry.parse(STACK));
    }

    static List<String> ids(Plan plan) {
        return plan.steps().stream().map(Step::id).toList();
    }

    @Test
    void planOrdersDependenciesBeforeDependents() {
        Plan plan = stack().deploy("nginx");
        assertThat(ids(plan)).containsExactly("deploy:postgres@data", "deploy:redis@data", "deploy:api@app",
                "deploy:nginx@edge");
        Step api = plan.step("deploy:api@app").orElseThrow();
        assertThat(api.waitsFor()).containsExactly("deploy:postgres@data", "deploy:redis@data");
        assertThat(api.healthGates()).containsExactly("postgres", "redis");
        assertThat(api.wave()).isEqualTo(1);
        assertThat(plan.step("deploy:nginx@edge").orElseThrow().wave()).isEqualTo(2);
    }

    @Test
    void pulledInDependenciesSayWhoNeedsThem() {
        Plan plan = stack().deploy("api", "worker");
        assertThat(plan.steps()).extracting(Step::service, Step::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("postgres", "needed by api"),
                org.assertj.core.groups.Tuple.tuple("redis", "needed by api, worker"),
                org.assertj.core.groups.Tuple.tuple("api", "requested"),
                org.assertj.core.groups.Tuple.tuple("worker", "requested"));
        assertThat(plan.targets()).containsExactly("api", "worker");
    }

    @Test
    void aDiamondRunsItsSidesInOneWave() {
        Plan plan = Planner.of(Registry.parse("""
                machines:
                  m1: {host: h1, user: u, platform: linux}
                services:
                  top: {type: docker, path: /opt/t, machine: m1, depends_on: [left, right]}
                  left: {type: docker, path: /opt/l, machine: m1, depends_on: [bottom]}
                  right: {type: docker, path: /opt/r, machine: m1, depends_on: [bottom]}
                  bottom: {type: docker, path: /opt/b, machine: m1}
                """)).deploy("top");
        assertThat(plan.waves()).extracting(w -> w.stream().map(Step::service).toList())
                .containsExactly(List.of("bottom"), List.of("left", "right"), List.of("top"));
        assertThat(plan.step("deploy:left@m1").orElseThrow().waitsFor()).containsExactly("deploy:bottom@m1");
    }

    @Test
    void aDeepChainGetsOneWavePerLink() {
        StringBuilder yaml = new StringBuilder("machines:\n  m1: {host: h1, user: u, platform: linux}\nservices:\n");
        for (int i = 0; i < 200; i++) {
            yaml.append("  s").append(i).append(": {type: docker, path: /opt/s").append(i).append(", machine: m1")
                    .append(i > 0 ? ", depends_on: [s" + (i - 1) + "]" : "").append("}\n");
        }
        Plan plan = Planner.of(Registry.parse(yaml.toString())).deploy("s199");
        assertThat(plan.steps()).hasSize(200);
        assertThat(plan.waves()).hasSize(200);
        assertThat(plan.steps().get(0).service()).isEqualTo("s0");
        assertThat(plan.steps().get(199).service()).isEqualTo("s199");
    }

    @Test
    void disconnectedPartsAreIndependent() {
        Plan plan = stack().deploy("worker", "report");
        assertThat(ids(plan)).containsExactly("deploy:redis@data", "deploy:report@spare", "deploy:worker@app");
        assertThat(plan.step("deploy:report@spare").orElseThrow().waitsFor()).isEmpty();
        assertThat(plan.step("deploy:worker@app").orElseThrow().waitsFor()).containsExactly("deploy:redis@data");
    }

    @Test
    void aGroupPullsInDependenciesFromOutsideIt() {
        Plan plan = stack().group("web-stack");
        assertThat(plan.scope()).isEqualTo("group web-stack");
        assertThat(plan.targets()).containsExactly("api", "nginx");
        assertThat(plan.steps()).extracting(Step::service).containsExactly("postgres", "redis", "api", "nginx");
        assertThat(plan.step("deploy:redis@data").orElseThrow().reason()).isEqualTo("needed by api");
    }

    @Test
    void allDeploysEveryService() {
        Plan plan = stack().all();
        assertThat(plan.steps()).hasSize(6);
        assertThat(plan.scope()).isEqualTo("all services");
        assertThat(plan.waves().get(0)).extracting(Step::service).containsExactly("postgres", "redis", "report");
    }

    @Test
    void stoppingAServiceStopsItsDependentsFirst() {
        Plan plan = stack().stop("redis");
        assertThat(ids(plan)).containsExactly("stop:nginx@edge", "stop:worker@app", "stop:api@app", "stop:redis@data");
        assertThat(plan.step("stop:redis@data").orElseThrow().waitsFor()).containsExactly("stop:api@app", "stop:worker@app");
        assertThat(plan.step("stop:api@app").orElseThrow().waitsFor()).containsExactly("stop:nginx@edge");
        assertThat(plan.step("stop:api@app").orElseThrow().reason()).isEqualTo("depends on redis");
        assertThat(plan.steps()).allSatisfy(s -> assertThat(s.healthGates()).isEmpty());
    }

    @Test
    void startFollowsDependencyOrderWithTheStartAction() {
        Plan plan = stack().start("api");
        assertThat(ids(plan)).containsExactly("start:postgres@data", "start:redis@data", "start:api@app");
        assertThat(plan.action()).isEqualTo(Action.START);
    }

    @Test
    void restartTouchesOnlyTheNamedServicesButIsGatedOnDependencies() {
        Plan plan = stack().restart("nginx", "api");
        assertThat(ids(plan)).containsExactly("restart:api@app", "restart:nginx@edge");
        assertThat(plan.step("restart:nginx@edge").orElseThrow().waitsFor()).containsExactly("restart:api@app");
        assertThat(plan.step("restart:api@app").orElseThrow().waitsFor()).isEmpty();
        assertThat(plan.step("restart:api@app").orElseThrow().healthGates()).containsExactly("postgres", "redis");
    }

    @Test
    void aMoveDeploysOnTheNewMachineThenStopsTheOldOne() {
        Plan plan = stack().move("api", "spare");
        assertThat(plan.action()).isEqualTo(Action.MIGRATE);
        assertThat(ids(plan)).containsExactly("migrate:api@spare", "stop:api@app");
        Step migrate = plan.steps().get(0);
        assertThat(migrate.fromMachine()).isEqualTo("app");
        assertThat(migrate.healthGates()).containsExactly("postgres", "redis");
        assertThat(plan.steps().get(1).waitsFor()).containsExactly("migrate:api@spare");
        assertThat(plan.fingerprints()).containsKeys("services.api", "machines.app", "machines.spare",
                "services.postgres");
    }

    @Test
    void aDeployOfAServiceThatStillRunsOnItsOldMachineMovesItAndItsDependentsWaitForTheMove() {
        // The registry says api is on app; the history says it runs on spare (it was edited since).
        Planner planner = stack().knowingWhereServicesRun(Map.of("api", List.of("spare"), "redis", List.of("data"),
                "gone", List.of("app"), "postgres", List.of("no-such-machine")));
        Plan plan = planner.deploy("nginx");
        assertThat(plan.action()).isEqualTo(Action.DEPLOY);
        assertThat(ids(plan)).containsExactly("deploy:postgres@data", "deploy:redis@data", "migrate:api@app",
                "stop:api@spare", "deploy:nginx@edge");
        Step migrate = plan.steps().get(2);
        assertThat(migrate.fromMachine()).isEqualTo("spare");
        assertThat(migrate.reason()).contains("runs on spare since it was deployed: moves to app");
        assertThat(plan.steps().get(3).waitsFor()).containsExactly("migrate:api@app");
        assertThat(plan.steps().get(4).waitsFor()).as("nginx waits for the move").containsExactly("migrate:api@app");
        assertThat(plan.fingerprints()).containsKeys("machines.spare");
        assertThat(plan.render()).contains("MIGRATE  api       spare -> app").contains("STOP     api       on spare");
        // Without that knowledge, or for a start, nothing moves.
        assertThat(ids(stack().deploy("nginx"))).doesNotContain("migrate:api@app");
        assertThat(ids(planner.start("api"))).containsExactly("start:postgres@data", "start:redis@data",
                "start:api@app");
    }

    @Test
    void aMoveIsRefusedWhenItCannotWork() {
        assertThatThrownBy(() -> stack().move("api", "app")).isInstanceOf(PlanningException.class)
                .hasMessage("service 'api' already runs on machine 'app'");
        assertThatThrownBy(() -> stack().move("api", "sparr")).isInstanceOf(PlanningException.class)
                .hasMessage("unknown machine 'sparr' (did you mean 'spare'?); machines are: app, data, edge, spare");
        Planner planner = Planner.of(Registry.parse(STACK.replace("port: 6379", "port: 8080")));
        assertThatThrownBy(() -> planner.move("api", "data")).isInstanceOf(PlanningException.class)
                .hasMessage("cannot move 'api' to 'data': port 8080 is already used there by service 'redis'");
    }

    @Test
    void unknownNamesGetSuggestions() {
        assertThatThrownBy(() -> stack().deploy("nginx", "apii")).isInstanceOf(PlanningException.class)
                .hasMessage("unknown service 'apii' (did you mean 'api'?); services are: api, nginx, postgres, "
                        + "redis, report, worker");
        assertThatThrownBy(() -> stack().group("web")).isInstanceOf(PlanningException.class)
                .hasMessage("unknown group 'web'; groups are: web-stack");
        assertThatThrownBy(() -> stack().deploy()).isInstanceOf(PlanningException.class)
                .hasMessage("name at least one service");
    }

    @Test
    void theSameRegistryGivesTheSamePlanWhateverTheFileOrder() {
        String reordered = STACK.replace("""
                  postgres: {type: docker, path: /opt/pg, machine: data, port: 5432, health: {type: tcp}}
                  redis: {type: docker, path: /opt/redis, machine: data, port: 6379, health: {type: tcp}}
                """, "") + """
                  redis: {type: docker, path: /opt/redis, machine: data, port: 6379, health: {type: tcp}}
                  postgres: {type: docker, path: /opt/pg, machine: data, port: 5432, health: {type: tcp}}
                """;
        assertThat(Planner.of(Registry.parse(reordered)).all()).isEqualTo(stack().all());
        assertThat(stack().deploy("nginx")).isEqualTo(stack().deploy("nginx"));
    }

    @Test
    void impactListsDirectAndTransitiveDependentsByMachine() {
        Impact impact = stack().impact("redis");
        assertThat(impact.direct()).containsExactly("api", "worker");
        assertThat(impact.transitive()).containsExactly("api", "nginx", "worker");
        assertThat(impact.byMachine()).containsExactly(Map.entry("app", List.of("api", "worker")),
                Map.entry("edge", List.of("nginx")));
        assertThat(impact.render()).isEqualTo("""
                3 services depend on redis (directly: api, worker)
                  app: api, worker
                  edge: nginx
                """);
        assertThat(stack().impact("nginx").render()).isEqualTo("Nothing depends on nginx.\n");
    }
}

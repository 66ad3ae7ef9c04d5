package dev.portoser.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every example runs and prints what it promises. */
class ExamplesTest {
    interface Main {
        void run() throws Exception;
    }

    static synchronized String output(Main main) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void loadAndValidatePrintsTheServicesOrTheProblems() throws Exception {
        assertThat(output(() -> LoadAndValidate.main(new String[] {"../examples/registry.yml", "ENVIRONMENT=prod"})))
                .startsWith("3 machines, 5 services").contains("api (local) on app, after [postgres, redis]");
        assertThat(output(() -> LoadAndValidate.main(new String[] {"../examples/registry.yml"})))
                .contains("undefined template variable 'ENVIRONMENT'");
    }

    @Test
    void dryRunPlanPrintsThePlanTheGraphAndTheImpact() throws Exception {
        assertThat(output(() -> DryRunPlan.main(new String[] {"../examples/registry.yml", "nginx", "ENVIRONMENT=prod"})))
                .contains("Plan: deploy nginx — 4 steps in 3 waves").contains("flowchart LR")
                .contains("2 services depend on postgres (directly: api)");
    }

    @Test
    void deployLocallyServesTheSiteThenStopsEverything(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        String realHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString()); // the local transport's home: keep the real one clean
        try {
            String out = output(() -> DeployLocally.main(new String[0]));
            assertThat(out).contains("site says: hello from site").contains("SUCCEEDED       STOP     api");
            assertThat(home.resolve(".portoser/logs/site.log")).exists();
            assertThat(home.resolve(".portoser/run/site.pid")).doesNotExist();
        } finally {
            System.setProperty("user.home", realHome);
        }
    }

    @Test
    void customTransportAuditsEveryCommand() throws Exception {
        assertThat(output(() -> CustomTransport.main(new String[0])))
                .contains("[audit] laptop: Command[script, 1 arguments, timeout=PT2M] -> exit 0")
                .contains("hello, audited world");
    }

    @Test
    void customSecretProviderResolvesWithoutShowingValues() throws Exception {
        String out = output(() -> CustomSecretProvider.main(new String[0]));
        assertThat(out).contains("API_KEY = Secret[***]", "DB_URL = Secret[***]").doesNotContain("k-123");
    }

    @Test
    void editRegistryChangesOnlyTheEditedLinesAndSavesWithABackup() throws Exception {
        String before = java.nio.file.Files.readString(java.nio.file.Path.of("../examples/registry.yml"));
        String out = output(() -> EditRegistry.main(new String[] {"../examples/registry.yml", "ENVIRONMENT=prod"}));
        assertThat(out).contains("+  app2:\n+    host: 10.200.0.14\n+    user: deploy\n+    platform: linux\n")
                .contains("-    machine: app\n+    machine: app2\n")
                .contains("refused: service 'postgres' is a dependency of api; remove it from their depends_on first")
                .contains("previous version in registry.yml.bak")
                .contains("worker now runs on app2");
        assertThat(out.lines().filter(l -> l.startsWith("+") || l.startsWith("-"))).hasSize(2 + 4 + 2);
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("../examples/registry.yml"))).isEqualTo(before);
    }

    @Test
    void checkHealthSeesTheServiceComeUp() throws Exception {
        assertThat(output(() -> CheckHealth.main(new String[0])))
                .contains("before start: UNHEALTHY").contains("after start:  HEALTHY");
    }

    @Test
    void runEverywherePrintsEachMachinesAnswer() throws Exception {
        assertThat(output(() -> RunEverywhere.main(new String[0]))).contains("left: Linux").contains("right: Linux");
    }

    @Test
    void watchHealthReportsTheRootCauseOnceAndTheDependentAsBlocked() throws Exception {
        String out = output(() -> WatchHealth.main(new String[0]));
        assertThat(out).contains("      api: UNKNOWN -> HEALTHY").contains("ALERT api: HEALTHY -> UNHEALTHY")
                .contains("      web: HEALTHY -> BLOCKED (blocked by api)")
                .contains("web is BLOCKED by [api]").contains("all healthy: true")
                .doesNotContain("ALERT web");
    }

    @Test
    void serveADashboardDeploysThroughTheHttpApiAndSeesTheServiceHealthy(@org.junit.jupiter.api.io.TempDir
                                                                          java.nio.file.Path home) throws Exception {
        String realHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString()); // the local transport's home: keep the real one clean
        try {
            String out = output(() -> ServeADashboard.main(new String[0]));
            assertThat(out).contains("dashboard at http://127.0.0.1:")
                    // before the deploy: UNKNOWN, or UNHEALTHY when the monitor's first check came first
                    .containsPattern("service hello on laptop: (UNKNOWN|UNHEALTHY)\n")
                    .contains("deploy: SUCCEEDED (1 step)").contains("hello is HEALTHY, last deploy SUCCEEDED")
                    .contains("stop: SUCCEEDED (1 step)");
            assertThat(home.resolve(".portoser/run/hello.pid")).doesNotExist();
        } finally {
            System.setProperty("user.home", realHome);
        }
    }

    @Test
    void healAServiceStopsOurStaleInstanceAndTheDeploySucceeds(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        String realHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString()); // the local transport's home: keep the real one clean
        try {
            String out = output(() -> HealAService.main(new String[0]));
            assertThat(out).contains("deploy: SUCCEEDED").contains("deploy again: FAILED")
                    .contains("diagnosis: port.own-stale").contains("would: stop-own-stale-instance")
                    .contains("[heal] demo-api: playbook fixed port.own-stale (stop-own-stale-instance)")
                    .contains("heal: HEALED").contains("attempts a new healer remembers: 1")
                    .contains("deploy after healing: SUCCEEDED")
                    .contains("learnt: port.own-stale seen 1, fixed 1 by stop-own-stale-instance");
            assertThat(home.resolve(".portoser/run/demo-api.pid")).doesNotExist();
        } finally {
            System.setProperty("user.home", realHome);
        }
    }

    @Test
    void renderSystemdUnitPrintsTheUserUnitOfTheExampleWorker() throws Exception {
        String out = output(() -> RenderSystemdUnit.main(new String[] {"../examples/registry.yml", "worker",
                "ENVIRONMENT=prod"}));
        assertThat(out).startsWith("# /home/deploy/.config/systemd/user/shop-worker.service on app (user unit of deploy")
                .contains("[Unit]\nDescription=Portoser service worker\n")
                .contains("ExecStart=/srv/worker/bin/worker\n").contains("EnvironmentFile=/home/deploy/.portoser/env/worker.env\n")
                .contains("Restart=on-failure\n").contains("RestartSteps=5\nRestartMaxDelaySec=60\n")
                .contains("WantedBy=default.target\n");
    }
}

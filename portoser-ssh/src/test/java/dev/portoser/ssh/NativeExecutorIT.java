package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.exec.StepOutcome;
import dev.portoser.exec.StepResult;
import dev.portoser.health.HealthGate;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import dev.portoser.state.FileStateStore;
import dev.portoser.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor deploys native services on the real systemd host: dependencies first, each health-gated over HTTP,
 * ordered in systemd after its same-machine dependency; a service that exits at once fails its step at once, with
 * its exit status, instead of waiting out the health timeout.
 */
class NativeExecutorIT {
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path stateDir;

    SystemdHost host;
    Transport root;

    @BeforeEach
    void setUp() throws Exception {
        host = SystemdHost.get();
        root = host.ssh.open(host.root);
        SystemdHost.sh(root, "for s in db web; do mkdir -p /srv/ex/$s && echo \"$s on systemd\" > /srv/ex/$s/index.html; done");
    }

    @AfterEach
    void tearDown() {
        SystemdHost.sh(root, """
                for u in portoser-db portoser-web portoser-broken; do systemctl disable --now $u.service 2>/dev/null
                  rm -f /etc/systemd/system/$u.service; done
                systemctl daemon-reload; systemctl reset-failed; rm -rf /srv/ex /root/.portoser""");
        root.close();
    }

    Registry registry() {
        return Registry.parse("""
                machines:
                  %s
                services:
                  db: {type: native, path: /srv/ex/db, machine: systemd, command: python3 -m http.server 8311, port: 8311, health: {type: http, endpoint: /index.html}}
                  web: {type: native, path: /srv/ex/web, machine: systemd, command: python3 -m http.server 8312, port: 8312, depends_on: [db], health: {type: http, endpoint: /index.html}}
                  broken: {type: native, path: /srv/ex, machine: systemd, command: "python3 -c 'raise SystemExit(3)'", port: 8313, health: {type: http}}
                """.formatted(SystemdHost.yaml(host.root)));
    }

    String get(int port) {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + host.root.host() + ":" + port
                            + "/index.html")).timeout(Duration.ofSeconds(5)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body().strip();
        } catch (Exception e) {
            return "no answer: " + e;
        }
    }

    Executor executor() {
        return Executor.builder().transports(host.ssh).state(new FileStateStore(stateDir)).healthTimeout(HEALTH_TIMEOUT)
                .healthGate(new HealthGate(Duration.ofMillis(100))).build();
    }

    @Test
    void aChainOfNativeServicesDeploysInOrderHealthyOverHttpAndStops() {
        Registry registry = registry();
        try (Executor executor = executor()) {
            RunResult result = executor.run(registry, Planner.of(registry).deploy("web"));
            assertThat(result.succeeded()).as(result.render()).isTrue();
            assertThat(get(8312)).isEqualTo("200 web on systemd");
            assertThat(SystemdHost.sh(root, "cat /etc/systemd/system/portoser-web.service"))
                    .contains("After=network-online.target portoser-db.service\n")
                    .contains("Wants=network-online.target portoser-db.service\n")
                    .contains("EnvironmentFile=/root/.portoser/env/web.env\n");
            assertThat(SystemdHost.sh(root, "cat /root/.portoser/env/web.env")).contains("PORT=\"8312\"\n");

            RunResult again = executor.run(registry, Planner.of(registry).deploy("web"));
            assertThat(again.succeeded()).as(again.render()).isTrue();

            RunResult stopped = executor.run(registry, Planner.of(registry).stop("db"));
            assertThat(stopped.succeeded()).as(stopped.render()).isTrue();
        }
        assertThat(SystemdHost.sh(root, "systemctl is-active portoser-web.service portoser-db.service; true").lines())
                .containsExactly("inactive", "inactive");
    }

    @Test
    void aServiceThatExitsAtOnceFailsItsStepAtOnceWithItsExitStatus() {
        Registry registry = registry();
        try (Executor executor = executor()) {
            long start = System.nanoTime();
            RunResult result = executor.run(registry, Planner.of(registry).deploy("broken"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            StepResult step = result.service("broken").orElseThrow();
            assertThat(step.outcome()).as(result.render()).isIn(StepOutcome.FAILED, StepOutcome.FAILED_REVERTED);
            assertThat(step.detail()).contains("exited with status 3");
            assertThat(took).as("failed at once, not at the health timeout").isLessThan(HEALTH_TIMEOUT.dividedBy(2));
        }
    }
}

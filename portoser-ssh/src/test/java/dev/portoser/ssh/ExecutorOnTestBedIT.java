package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.exec.StepOutcome;
import dev.portoser.health.HealthGate;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.state.FileStateStore;
import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor on real hosts: services are {@code python3 -m http.server} processes started over SSH on two test
 * bed hosts, checked over HTTP from the controller.
 */
@ExtendWith(TestBed.class)
class ExecutorOnTestBedIT {
    @TempDir
    Path stateDir;
    @TempDir
    Path work;

    TestBed bed;
    SshTransportFactory ssh;

    @BeforeEach
    void setUp() throws Exception {
        bed = TestBed.get();
        ssh = SshTransportFactory.builder().knownHosts(bed.knownHosts()).build();
        for (int i = 1; i <= 2; i++) {
            try (Transport t = ssh.open(bed.machine(i))) {
                t.exec(Command.script("for s in db api web report slow; do mkdir -p /root/sites/$s/v1 /root/sites/$s/v2; "
                        + "printf '%s version one on %s' $s \"$(hostname)\" > /root/sites/$s/v1/index.html; done"));
            }
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = 1; i <= 2; i++) {
            try (Transport t = ssh.open(bed.machine(i))) {
                t.exec(Command.script(dev.portoser.deploy.KillRecorded.SCRIPT));
                t.exec(Command.of("rm", "-rf", "/root/.portoser", "/root/sites"));
            }
        }
        ssh.close();
    }

    String registry(String apiCommand) {
        Machine h1 = bed.machine(1);
        Machine h2 = bed.machine(2);
        String serve = "exec python3 -m http.server $PORT --directory v1";
        return """
                machines:
                  h1: {host: %s, user: root, platform: linux, ssh_key: %s}
                  h2: {host: %s, user: root, platform: linux, ssh_key: %s}
                services:
                  db: {type: local, path: /root/sites/db, machine: h1, command: "%s", port: 8101, health: {type: http, endpoint: /index.html}}
                  api: {type: local, path: /root/sites/api, machine: h2, command: "%s", port: 8102, depends_on: [db], health: {type: http, endpoint: /index.html}}
                  web: {type: local, path: /root/sites/web, machine: h1, command: "%s", port: 8103, depends_on: [api], health: {type: http, endpoint: /index.html}}
                  report: {type: local, path: /root/sites/report, machine: h2, command: "%s", port: 8104, health: {type: tcp}}
                  slow: {type: local, path: /root/sites/slow, machine: h2, command: "sleep 8; %s", port: 8105, health: {type: http, endpoint: /index.html}}
                """.formatted(h1.host(), h1.sshKey(), h2.host(), h2.sshKey(), serve, apiCommand.isEmpty() ? serve : apiCommand,
                serve, serve, serve);
    }

    Executor executor() {
        return Executor.builder().transports(ssh).state(new FileStateStore(stateDir)).healthTimeout(Duration.ofSeconds(15))
                .healthGate(new HealthGate(Duration.ofMillis(100))).build();
    }

    static String get(String host, int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port
                + "/index.html")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aChainAcrossTwoHostsBecomesHealthyInOrder() throws Exception {
        Registry registry = Registry.parse(registry(""));
        try (Executor executor = executor()) {
            RunResult result = executor.run(registry, Planner.of(registry).deploy("web"));
            assertThat(result.succeeded()).as(result.render()).isTrue();
        }
        assertThat(get(bed.ip(2), 8102)).isEqualTo("api version one on ptsr-h2");
        assertThat(get(bed.ip(1), 8103)).isEqualTo("web version one on ptsr-h1");
    }

    @Test
    void aFailingServiceInTheMiddleSkipsItsDependentsAndAnIndependentBranchStaysHealthy() throws Exception {
        Registry registry = Registry.parse(registry("exec false"));
        try (Executor executor = executor()) {
            RunResult result = executor.run(registry, Planner.of(registry).deploy("web", "report"));
            assertThat(result.service("api").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(result.service("web").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
            assertThat(result.service("report").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(result.service("db").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        }
    }

    @Test
    void aBadNewVersionIsRolledBackAsTheServedContentShows() throws Exception {
        Registry good = Registry.parse(registry(""));
        try (Executor executor = executor()) {
            assertThat(executor.run(good, Planner.of(good).deploy("api")).succeeded()).isTrue();
            assertThat(get(bed.ip(2), 8102)).isEqualTo("api version one on ptsr-h2");
            Registry bad = Registry.parse(registry("exec python3 -m http.server $PORT --directory v2"));
            RunResult result = executor.run(bad, Planner.of(bad).deploy("api"));
            assertThat(result.service("api").orElseThrow().outcome()).as(result.render())
                    .isEqualTo(StepOutcome.FAILED_REVERTED);
        }
        assertThat(get(bed.ip(2), 8102)).isEqualTo("api version one on ptsr-h2");
    }

    @Test
    void twoExecutorsOnOneServiceNeverInterleave() throws Exception {
        Registry registry = Registry.parse(registry(""));
        try (Executor first = executor(); Executor second = executor()) {
            var running = first.start(registry, Planner.of(registry).deploy("slow"));
            TimeUnit.SECONDS.sleep(2);
            RunResult blocked = second.run(registry, Planner.of(registry).deploy("slow"));
            assertThat(blocked.service("slow").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(blocked.service("slow").orElseThrow().detail()).contains("is locked by another run");
            assertThat(running.result().get().succeeded()).isTrue();
        }
    }

    @Test
    void aControllerKilledMidRunIsReconciledByTheNextRun() throws Exception {
        Path file = Files.writeString(work.resolve("registry.yml"), registry(""));
        Process controller = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ControllerMain.class.getName(), file.toString(),
                bed.knownHosts().toString(), stateDir.toString(), "slow").redirectErrorStream(true)
                .redirectOutput(work.resolve("controller.log").toFile()).start();
        try {
            FileStateStore store = new FileStateStore(stateDir);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (store.inFlight().isEmpty() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            assertThat(store.inFlight()).as(Files.readString(work.resolve("controller.log"))).isNotEmpty();
            TimeUnit.SECONDS.sleep(1);
            controller.destroyForcibly().waitFor(); // SIGKILL: no cleanup at all
        } finally {
            controller.destroyForcibly();
        }
        Registry registry = Registry.load(file);
        try (Executor next = Executor.builder().transports(ssh).state(new FileStateStore(stateDir))
                .healthTimeout(Duration.ofSeconds(30)).lockWait(Duration.ofSeconds(30)).build()) {
            RunResult result = next.run(registry, Planner.of(registry).deploy("slow"));
            assertThat(result.recovered()).extracting(e -> e.stepId()).containsExactly("deploy:slow@h2");
            assertThat(result.succeeded()).as(result.render()).isTrue();
        }
        assertThat(new FileStateStore(stateDir).inFlight()).isEmpty();
        assertThat(get(bed.ip(2), 8105)).isEqualTo("slow version one on ptsr-h2");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"env", "logs/report.log", "run/report.pid.start"})
    void overSshAPlantedSymlinkUnderPortoserIsRefusedAndItsTargetUntouched(String planted) throws Exception {
        Registry registry = Registry.parse(registry(""));
        try (Transport t = ssh.open(bed.machine(2))) {
            // A victim directory and file elsewhere on the host; the link is planted where our files go.
            assertThat(t.exec(Command.script("mkdir -p /root/victim-dir /root/.portoser/logs /root/.portoser/run && "
                    + "printf precious > /root/victim-file && "
                    + "ln -s \"$1\" \"/root/.portoser/$2\"", planted.equals("env") ? "/root/victim-dir"
                    : "/root/victim-file", planted)).succeeded()).isTrue();
            try (Executor executor = executor()) {
                RunResult result = executor.run(registry, Planner.of(registry).deploy("report"));
                assertThat(result.service("report").orElseThrow().outcome()).as(result.render())
                        .isEqualTo(StepOutcome.FAILED);
                assertThat(result.service("report").orElseThrow().detail()).contains("symbolic link");
            }
            assertThat(t.exec(Command.script("ls -A /root/victim-dir; cat /root/victim-file")).stdout())
                    .isEqualTo("precious");
            t.exec(Command.of("rm", "-rf", "/root/victim-dir", "/root/victim-file"));
        }
    }

    @Test
    void aDeployAfterTheRegistryMovedAServiceMigratesItFromWhereTheHistorySaysItRuns() throws Exception {
        Registry before = Registry.parse(registry(""));
        Registry after = Registry.parse(registry("").replace("report: {type: local, path: /root/sites/report, machine: h2",
                "report: {type: local, path: /root/sites/report, machine: h1"));
        try (Executor executor = executor()) {
            assertThat(executor.run(before, Planner.of(before).deploy("report")).succeeded()).isTrue();
            assertThat(get(bed.ip(2), 8104)).isEqualTo("report version one on ptsr-h2");

            var running = java.util.Map.of("report", executor.state().machinesRunning("report"));
            assertThat(running.get("report")).containsExactly("h2");
            var plan = Planner.of(after).knowingWhereServicesRun(running).deploy("report");
            assertThat(plan.steps()).extracting(s -> s.id()).containsExactly("migrate:report@h1", "stop:report@h2");
            RunResult moved = executor.run(after, plan);
            assertThat(moved.succeeded()).as(moved.render()).isTrue();
            assertThat(executor.state().machinesRunning("report")).containsExactly("h1");
        }
        assertThat(get(bed.ip(1), 8104)).isEqualTo("report version one on ptsr-h1");
        try (Transport t = ssh.open(bed.machine(2))) {
            assertThat(t.exec(Command.script("ss -ltn 'sport = :8104' | tail -n +2")).stdout()).as("old one stopped")
                    .isBlank();
        }
    }
}

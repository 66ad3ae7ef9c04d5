package dev.portoser.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.health.HealthGate;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
import dev.portoser.plan.StalePlanException;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.state.FileStateStore;
import dev.portoser.state.JournalEntry;
import dev.portoser.state.LockManager;
import dev.portoser.transport.Command;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import dev.portoser.state.DeploymentRecord;
import java.util.concurrent.TimeUnit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor on this machine, with real {@code python3 -m http.server} services started by the local deployer,
 * real HTTP health checks, a sandbox home and a temporary state directory.
 */
class ExecutorTest {
    @TempDir
    Path home;
    @TempDir
    Path sites;
    @TempDir
    Path stateDir;

    final List<Integer> ports = new ArrayList<>();
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    Executor executor;
    TransportFactory sandbox;

    @BeforeEach
    void setUp() throws IOException {
        // all sockets open at once: a port closed and asked for again can come back, and two services would share it
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports.add(s.getLocalPort());
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        sandbox = new TransportFactory() {
            @Override
            public Transport open(Machine machine) {
                return new LocalTransport(machine, home);
            }

            @Override
            public void close() {
            }
        };
        executor = executor("ctl-test");
    }

    Executor executor(String controller) {
        return Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                .healthTimeout(Duration.ofSeconds(8)).healthGate(new HealthGate(Duration.ofMillis(100)))
                .controllerId(controller).lockLease(Duration.ofSeconds(30))
                .listener(new ExecutionListener() {
                    @Override
                    public void stepEnded(StepResult result) {
                        events.add(result.step().service() + ":" + result.outcome());
                    }
                }).build();
    }

    @AfterEach
    void tearDown() {
        executor.close();
        try (Transport t = new LocalTransport(Registry.parse(registry("")).machine("here").orElseThrow(), home)) {
            t.exec(Command.script(dev.portoser.deploy.KillRecorded.SCRIPT));
        }
    }

    /** db <- api <- web (a chain), plus report (independent); each serves sites/NAME/index.html. */
    String registry(String apiCommand) {
        String api = apiCommand.isEmpty() ? server("api") : apiCommand;
        return """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  db: {type: local, path: %s, machine: here, command: "%s", port: %d, health: {type: http, endpoint: /index.html}}
                  api: {type: local, path: %s, machine: here, command: "%s", port: %d, depends_on: [db], health: {type: http, endpoint: /index.html}}
                  web: {type: local, path: %s, machine: here, command: "%s", port: %d, depends_on: [api], health: {type: http, endpoint: /index.html}}
                  report: {type: local, path: %s, machine: here, command: "%s", port: %d, health: {type: tcp}}
                """.formatted(site("db"), server("db"), ports.get(0), site("api"), api, ports.get(1),
                site("web"), server("web"), ports.get(2), site("report"), server("report"), ports.get(3));
    }

    Path site(String name) {
        Path dir = sites.resolve(name);
        try {
            Files.createDirectories(dir.resolve("v1"));
            if (!Files.exists(dir.resolve("v1/index.html"))) {
                Files.writeString(dir.resolve("v1/index.html"), name + " version one");
            }
            Files.createDirectories(dir.resolve("v2"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return dir;
    }

    static String server(String name) {
        return "exec python3 -m http.server $PORT --bind 127.0.0.1 --directory v1";
    }

    static String get(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aChainIsDeployedInOrderAndEveryStepIsHealthyAndRecorded() throws Exception {
        Registry registry = Registry.parse(registry(""));
        RunResult result = executor.run(registry, Planner.of(registry).deploy("web"));
        assertThat(result.succeeded()).as(result.render()).isTrue();
        assertThat(events).containsExactly("db:SUCCEEDED", "api:SUCCEEDED", "web:SUCCEEDED");
        assertThat(get(ports.get(2))).isEqualTo("web version one");
        assertThat(result.service("api").orElseThrow().detail()).contains("-> 200");
        assertThat(executor.state().history("api")).singleElement().satisfies(r -> {
            assertThat(r.healthy()).isTrue();
            assertThat(r.config().command()).isEqualTo(server("api"));
            assertThat(r.controller()).isEqualTo("ctl-test");
        });
        assertThat(executor.state().inFlight()).isEmpty();
    }

    @Test
    void aFailingStepSkipsItsDependentsWhileAnIndependentBranchSucceeds() {
        Registry registry = Registry.parse(registry("exec python3 -c 'import sys; sys.exit(3)'"));
        RunResult result = executor.run(registry, Planner.of(registry).deploy("web", "report"));
        assertThat(result.service("db").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(result.service("report").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(result.service("api").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
        // It exits at once with status 3: the step fails then, not after the 8 s health timeout.
        assertThat(result.service("api").orElseThrow().detail()).contains("exited with status 3");
        assertThat(result.service("api").orElseThrow().duration()).as("well before the 8 s health timeout").isLessThan(Duration.ofSeconds(5));
        StepResult web = result.service("web").orElseThrow();
        assertThat(web.outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(web.detail()).isEqualTo("skipped: deploy:api@here failed");
        assertThat(result.succeeded()).isFalse();
    }

    @Test
    void aBadNewVersionIsRolledBackToTheLastHealthyOne() throws Exception {
        Registry good = Registry.parse(registry(""));
        assertThat(executor.run(good, Planner.of(good).deploy("api")).succeeded()).isTrue();
        assertThat(get(ports.get(1))).isEqualTo("api version one");
        Registry bad = Registry.parse(registry("exec python3 -m http.server $PORT --bind 127.0.0.1 --directory v2"));
        RunResult result = executor.run(bad, Planner.of(bad).deploy("api"));
        StepResult api = result.service("api").orElseThrow();
        assertThat(api.outcome()).as(result.render()).isEqualTo(StepOutcome.FAILED_REVERTED);
        assertThat(api.detail()).contains("-> 404").contains("rolled back to");
        assertThat(get(ports.get(1))).isEqualTo("api version one");
        assertThat(executor.state().lastHealthy("api", "here").orElseThrow().config().command()).isEqualTo(server("api"));
    }

    @Test
    void aManualRollbackRedeploysAChosenHistoryRecord() throws Exception {
        Registry v1 = Registry.parse(registry(""));
        executor.run(v1, Planner.of(v1).deploy("api"));
        String first = executor.state().history("api").get(0).id();
        Files.writeString(sites.resolve("api/v2/index.html"), "api version two");
        Registry v2 = Registry.parse(registry("exec python3 -m http.server $PORT --bind 127.0.0.1 --directory v2"));
        assertThat(executor.run(v2, Planner.of(v2).deploy("api")).succeeded()).isTrue();
        assertThat(get(ports.get(1))).isEqualTo("api version two");
        StepResult back = executor.rollbackTo(v2, first);
        assertThat(back.outcome()).as(back.detail()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(get(ports.get(1))).isEqualTo("api version one");
    }

    @Test
    void aStepTakesItsLockWithItsFirstCommandAndTheLockIsGoneWhenTheRunEnds() {
        Registry registry = Registry.parse(registry(""));
        List<String> commands = Collections.synchronizedList(new ArrayList<>());
        TransportFactory counting = dev.portoser.transport.WatchedTransport.factory(
                machine -> new LocalTransport(machine, home), command -> {
                    String argv = String.join(" ", command.argv());
                    commands.add((argv.contains("mkdir \"$d\"") ? "lock " : "") + (argv.contains("setsid") ? "start "
                            : "") + (argv.contains("rm -rf \"$d\"") ? "release" : ""));
                    return command;
                });
        try (Executor e = Executor.builder().localTransports(counting).state(new FileStateStore(stateDir)).build()) {
            RunResult result = e.run(registry, Planner.of(registry).deploy("db"));
            assertThat(result.succeeded()).as(result.render()).isTrue();
            // one round trip takes the lock and starts the service; no command of its own for the lock
            assertThat(commands.get(0)).as(commands.toString()).startsWith("lock start");
            assertThat(commands).as(commands.toString()).filteredOn(c -> c.startsWith("lock")).hasSize(1);
            assertThat(home.resolve(".portoser/locks/db")).as("released when the run ended").doesNotExist();
        }
    }

    @Test
    void everyRemoteMachineOfThePlanIsConnectedAtTheStartNotWhenItsFirstStepComes() {
        // "remote" machines on loopback addresses, run through sandboxes: no traffic leaves this host
        Registry registry = Registry.parse("""
                machines:
                  first: {host: 127.0.0.2, user: u, platform: linux}
                  later: {host: 127.0.0.3, user: u, platform: linux}
                services:
                  db: {type: local, path: %s, machine: first, command: "exec sleep 60"}
                  api: {type: local, path: %s, machine: later, command: "exec sleep 60", depends_on: [db]}
                """.formatted(site("db"), site("api")));
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        java.util.function.Function<Machine, Path> sandboxes = m -> {
            try {
                return Files.createDirectories(home.resolve(m.name()));
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        };
        TransportFactory remote = new TransportFactory() {
            Path sandbox(Machine m) {
                return sandboxes.apply(m);
            }

            @Override
            public Transport open(Machine machine) {
                return dev.portoser.transport.WatchedTransport.factory(m -> new LocalTransport(m, sandbox(m)),
                        command -> {
                            seen.add("command on " + machine.name());
                            return command;
                        }).open(machine);
            }

            @Override
            public void connectAhead(Machine machine) {
                seen.add("connect " + machine.name());
            }

            @Override
            public void close() {
            }
        };
        try (Executor e = Executor.builder().transports(remote).state(new FileStateStore(stateDir))
                .settleTime(Duration.ofMillis(200)).build()) {
            RunResult result = e.run(registry, Planner.of(registry).deploy("api"));
            assertThat(result.succeeded()).as(result.render()).isTrue();
        } finally {
            for (String m : List.of("first", "later")) {
                try (Transport t = new LocalTransport(registry.machine(m).orElseThrow(), sandboxes.apply(
                        registry.machine(m).orElseThrow()))) {
                    t.exec(Command.script(dev.portoser.deploy.KillRecorded.SCRIPT));
                }
            }
        }
        assertThat(seen).contains("connect first", "connect later");
        // api's machine was connected before db (which api waits for) was done, not when api's step began
        assertThat(seen.indexOf("connect later")).as(seen.toString()).isLessThan(seen.lastIndexOf("command on first"));
    }

    @Test
    void transientTransportFailuresAreRetriedWithTheInjectedSleeper() {
        Registry registry = Registry.parse(registry(""));
        List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
        int[] calls = {0};
        TransportFactory flaky = dev.portoser.transport.WatchedTransport.factory(
                machine -> new LocalTransport(machine, home), command -> {
                    // the start script, whether alone or carried by the command that takes the lock
                    if (String.join(" ", command.argv()).contains("setsid") && calls[0]++ < 2) {
                        throw new dev.portoser.transport.ConnectionLostException("here", "link flapped", null);
                    }
                    return command;
                });
        try (Executor e = Executor.builder().localTransports(flaky).state(new FileStateStore(stateDir))
                .sleeper(waits::add).build()) {
            RunResult result = e.run(registry, Planner.of(registry).deploy("db"));
            assertThat(result.succeeded()).as(result.render()).isTrue();
        }
        assertThat(calls[0]).isEqualTo(3);
        assertThat(waits).hasSize(2);
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(waits.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void withoutRollbackABadVersionIsJustFailed() throws Exception {
        Registry good = Registry.parse(registry(""));
        executor.run(good, Planner.of(good).deploy("api"));
        try (Executor noRollback = Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                .healthTimeout(Duration.ofSeconds(3)).rollback(false).build()) {
            Registry bad = Registry.parse(registry("exec python3 -m http.server $PORT --bind 127.0.0.1 --directory v2"));
            assertThat(noRollback.run(bad, Planner.of(bad).deploy("api")).service("api").orElseThrow().outcome())
                    .isEqualTo(StepOutcome.FAILED);
        }
    }

    @Test
    void aStalePlanIsRefusedBeforeAnythingRuns() {
        Registry registry = Registry.parse(registry(""));
        Plan plan = Planner.of(registry).deploy("api");
        Registry changed = Registry.parse(registry("exec python3 -m http.server $PORT --bind 127.0.0.1"));
        assertThatThrownBy(() -> executor.run(changed, plan)).isInstanceOf(StalePlanException.class)
                .hasMessageContaining("services.api: command changed");
        assertThat(events).isEmpty();
    }

    @Test
    void aServiceLockedByAnotherControllerFailsOrWaits() throws Exception {
        Registry registry = Registry.parse(registry(""));
        Machine here = registry.machine("here").orElseThrow();
        LockManager other = new LockManager("ctl-other", Duration.ofSeconds(30));
        try (Transport t = new LocalTransport(here, home)) {
            assertThat(other.acquire(t, "db", Duration.ZERO)).isEqualTo("acquired");
            RunResult locked = executor.run(registry, Planner.of(registry).deploy("db"));
            assertThat(locked.service("db").orElseThrow().detail())
                    .startsWith("service db on here is locked by another run: ctl-other ");
            try (Executor waiting = Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                    .healthTimeout(Duration.ofSeconds(8)).lockWait(Duration.ofSeconds(20)).build()) {
                Thread releaser = new Thread(() -> {
                    try {
                        Thread.sleep(1500);
                    } catch (InterruptedException e) {
                        return;
                    }
                    other.release(t, "db");
                });
                releaser.start();
                RunResult waited = waiting.run(registry, Planner.of(registry).deploy("db"));
                releaser.join();
                assertThat(waited.succeeded()).as(waited.render()).isTrue();
            }
        }
    }

    @Test
    void anExpiredLockOfADeadControllerIsTakenOver() throws Exception {
        Registry registry = Registry.parse(registry(""));
        Machine here = registry.machine("here").orElseThrow();
        try (Transport t = new LocalTransport(here, home)) {
            new LockManager("ctl-dead", Duration.ofSeconds(1)).acquire(t, "db", Duration.ZERO);
        }
        Thread.sleep(2100);
        List<Boolean> tookOver = Collections.synchronizedList(new ArrayList<>());
        try (Executor e = Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                .listener(new ExecutionListener() {
                    @Override
                    public void lockAcquired(dev.portoser.plan.Step step, boolean taken) {
                        tookOver.add(taken);
                    }
                }).build()) {
            assertThat(e.run(registry, Planner.of(registry).deploy("db")).succeeded()).isTrue();
        }
        assertThat(tookOver).containsExactly(true);
    }

    @Test
    void stepsLeftInFlightByADeadControllerAreReportedAndReconciled() {
        Registry registry = Registry.parse(registry(""));
        FileStateStore store = new FileStateStore(stateDir);
        long deadPid = ProcessHandle.current().pid() + 1_000_000;
        store.begin(new JournalEntry("run-old", "deploy:db@here", "db", "here", "DEPLOY", Instant.now(), "ctl-gone",
                deadPid));
        RunResult result = executor.run(registry, Planner.of(registry).deploy("db"));
        assertThat(result.recovered()).extracting(JournalEntry::stepId).containsExactly("deploy:db@here");
        assertThat(result.succeeded()).isTrue();
        assertThat(store.inFlight()).isEmpty();
        assertThat(store.history("db")).extracting(r -> r.outcome()).contains("INTERRUPTED", "SUCCEEDED");
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheRun() {
        Registry registry = Registry.parse(registry(""));
        try (Executor e = Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                .listener(new ExecutionListener() {
                    @Override
                    public void stepStarted(dev.portoser.plan.Step step) {
                        throw new IllegalStateException("listener bug");
                    }
                }).build()) {
            assertThat(e.run(registry, Planner.of(registry).deploy("db")).succeeded()).isTrue();
        }
    }

    @Test
    void cancellingARunCancelsWhatHasNotFinished() throws Exception {
        Registry registry = Registry.parse(registry("exec sleep 60"));
        RunHandle handle = executor.start(registry, Planner.of(registry).deploy("web"));
        // Cancel once db is done and api (which never serves) is waiting for its health.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!events.contains("db:SUCCEEDED") && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling a condition, within the deadline
        }
        assertThat(events).contains("db:SUCCEEDED");
        handle.cancel();
        RunResult result = handle.result().get();
        assertThat(result.service("db").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(result.service("api").orElseThrow().outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(result.service("web").orElseThrow().outcome()).isEqualTo(StepOutcome.CANCELLED);
        // the interrupted step cleaned up after itself: its lock is free at once for another controller, and its
        // journal entry is gone (else the next run would report it as a crashed controller's step)
        assertThat(new FileStateStore(stateDir).inFlight()).isEmpty();
        try (Executor other = executor("ctl-other")) {
            RunResult stop = other.run(registry, Planner.of(registry).stop("api"));
            assertThat(stop.succeeded()).as(stop.steps().toString()).isTrue();
        }
    }

    @Test
    void progressAndJsonEventsDescribeTheRunWithoutSecrets() throws Exception {
        Registry registry = Registry.parse(registry("").replace("depends_on: [db], health",
                "depends_on: [db], env: {API_TOKEN: never-shown-token}, health"));
        java.io.StringWriter plain = new java.io.StringWriter();
        java.io.StringWriter live = new java.io.StringWriter();
        java.io.StringWriter json = new java.io.StringWriter();
        try (Executor e = Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                .listenerFactory((runId, plan) -> new ExecutionListener() {
                    final ExecutionListener[] all = {new ConsoleProgress(new java.io.PrintWriter(plain), false),
                            new ConsoleProgress(new java.io.PrintWriter(live), true), new JsonLinesEvents(json)};

                    @Override
                    public void runStarted(String id, Plan p) {
                        for (ExecutionListener l : all) {
                            l.runStarted(id, p);
                        }
                    }

                    @Override
                    public void stepStarted(dev.portoser.plan.Step step) {
                        for (ExecutionListener l : all) {
                            l.stepStarted(step);
                        }
                    }

                    @Override
                    public void healthChecked(dev.portoser.plan.Step step, String service,
                                              dev.portoser.health.HealthResult result) {
                        for (ExecutionListener l : all) {
                            l.healthChecked(step, service, result);
                        }
                    }

                    @Override
                    public void stepEnded(StepResult result) {
                        for (ExecutionListener l : all) {
                            l.stepEnded(result);
                        }
                    }

                    @Override
                    public void runEnded(RunResult result) {
                        for (ExecutionListener l : all) {
                            l.runEnded(result);
                        }
                    }
                }).build()) {
            assertThat(e.run(registry, Planner.of(registry).deploy("api")).succeeded()).isTrue();
        }
        assertThat(plain.toString()).contains("DEPLOY db on here ...", "DEPLOY api on here: SUCCEEDED in",
                "done: 2 of 2 steps succeeded in");
        assertThat(live.toString()).contains("\u001b[2K", "deploy:api@here", "[##############################] 2/2");
        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        for (String line : json.toString().split("\n")) {
            events.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line));
        }
        assertThat(events).allSatisfy(n -> assertThat(n.get("schemaVersion").asInt()).isEqualTo(1));
        assertThat(events).extracting(n -> n.get("event").asText()).startsWith("runStarted", "stepStarted")
                .endsWith("stepEnded", "runEnded").contains("healthChecked");
        assertThat(plain.toString() + live + json).doesNotContain("never-shown-token");
    }

    @Test
    void aServiceWithSecretsButNoProviderFailsSayingSo() {
        Registry registry = Registry.parse(registry("").replace("depends_on: [db], health",
                "depends_on: [db], vault_secrets: [{path: secret/data/api, keys: [token]}], health"));
        RunResult result = executor.run(registry, Planner.of(registry).deploy("api"));
        assertThat(result.service("api").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(result.service("api").orElseThrow().detail()).isEqualTo("service api references vault_secrets but "
                + "the executor has no SecretProvider: set Executor.builder().secrets(...)");
    }

    @Test
    void aRotatedSecretRestartsTheServiceWithTheNewValueThroughTheExecutor() throws Exception {
        Registry registry = Registry.parse(registry("").replace("depends_on: [db], health",
                "vault_secrets: [{path: secret/data/api, keys: [token]}], health"));
        java.util.Map<String, Integer> version = new java.util.concurrent.ConcurrentHashMap<>(java.util.Map.of("v", 1));
        dev.portoser.secret.SecretProvider provider = (machine, path, key) ->
                new dev.portoser.secret.Secret("token-" + version.get("v"), String.valueOf(version.get("v")));
        try (Executor e = Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                .healthGate(new HealthGate(Duration.ofMillis(100))).secrets(provider).build();
             dev.portoser.secret.RotationWatcher watcher = new dev.portoser.secret.RotationWatcher(registry, provider,
                     Duration.ofHours(1), rotation -> e.run(registry, Planner.of(registry).restart(rotation.service())))) {
            assertThat(e.run(registry, Planner.of(registry).deploy("api")).succeeded()).isTrue();
            watcher.poll();
            Path envFile = home.resolve(".portoser/env/api.env");
            assertThat(Files.readString(envFile)).contains("TOKEN=token-1");
            String pidBefore = Files.readString(home.resolve(".portoser/run/api.pid"));
            version.put("v", 2);
            assertThat(watcher.poll()).hasSize(1);
            assertThat(Files.readString(envFile)).contains("TOKEN=token-2");
            assertThat(Files.readString(home.resolve(".portoser/run/api.pid"))).isNotEqualTo(pidBefore);
            assertThat(get(ports.get(1))).isEqualTo("api version one");
        }
    }

    @Test
    void stopPlansStopDependentsFirst() {
        Registry registry = Registry.parse(registry(""));
        assertThat(executor.run(registry, Planner.of(registry).deploy("web")).succeeded()).isTrue();
        events.clear();
        RunResult stopped = executor.run(registry, Planner.of(registry).stop("db"));
        assertThat(stopped.succeeded()).isTrue();
        assertThat(events).containsExactly("web:SUCCEEDED", "api:SUCCEEDED", "db:SUCCEEDED");
        assertThat(home.resolve(".portoser/run/db.pid")).doesNotExist();
    }

    // --- faults: each of these was reported as success (or worse) before the step knew its process ---

    /** A registry of one service {@code solo} on port 5, with an optional health check. */
    String solo(String command, String health) {
        return """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  solo: {type: local, path: %s, machine: here, command: "%s", port: %d%s}
                """.formatted(site("solo"), command, ports.get(4), health);
    }

    @Test
    void aServiceWithoutAHealthCheckWhoseProcessExitsAtOnceFailsWithItsStatusAndLog() {
        Registry registry = Registry.parse(solo("echo boom-to-the-log >&2; exit 3", ""));
        RunResult result = executor.run(registry, Planner.of(registry).deploy("solo"));
        StepResult solo = result.service("solo").orElseThrow();
        assertThat(solo.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(solo.detail()).contains("exited with status 3").contains("boom-to-the-log");
        assertThat(solo.duration()).as("well before the 8 s health timeout").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aServiceWithAHealthCheckWhoseProcessExitsAtOnceFailsWithinTwoSecondsNotAtTheHealthTimeout() {
        Registry registry = Registry.parse(solo("echo about-to-fail; exit 3",
                ", health: {type: http, endpoint: /}"));
        RunResult result = executor.run(registry, Planner.of(registry).deploy("solo"));
        StepResult solo = result.service("solo").orElseThrow();
        assertThat(solo.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(solo.detail()).contains("exited with status 3");
        assertThat(solo.duration()).as("well before the 8 s health timeout").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aMissingExecutableFailsBeforeAnythingStarts() {
        Registry registry = Registry.parse(solo("exec no-such-program-xyz --serve", ""));
        RunResult result = executor.run(registry, Planner.of(registry).deploy("solo"));
        StepResult solo = result.service("solo").orElseThrow();
        assertThat(solo.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(solo.detail()).contains("the executable 'no-such-program-xyz' of solo was not found");
        assertThat(home.resolve(".portoser/run/solo.pid")).doesNotExist();
    }

    @Test
    void aForeignServerOnThePortDoesNotPassForOursAndIsNamed() throws Exception {
        Process foreign = new ProcessBuilder("python3", "-m", "http.server", String.valueOf(ports.get(4)), "--bind",
                "127.0.0.1").directory(sites.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!listening(ports.get(4)) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Registry registry = Registry.parse(solo(server("solo"), ", health: {type: http, endpoint: /}"));
            RunResult result = executor.run(registry, Planner.of(registry).deploy("solo"));
            StepResult solo = result.service("solo").orElseThrow();
            assertThat(solo.outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(solo.detail()).contains("port " + ports.get(4) + " is already in use by PID " + foreign.pid())
                    .contains("http.server");
            assertThat(foreign.isAlive()).as("the foreign server is left alone").isTrue();
        } finally {
            foreign.destroyForcibly().waitFor();
        }
    }

    static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void stoppingAServiceWithSecretsNeedsNoSecretProvider() throws Exception {
        Registry registry = Registry.parse(registry("").replace("depends_on: [db], health",
                "vault_secrets: [{path: secret/data/api, keys: [token]}], health"));
        dev.portoser.secret.SecretProvider provider = (machine, path, key) -> new dev.portoser.secret.Secret("t", "1");
        try (Executor withSecrets = Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                .secrets(provider).build()) {
            assertThat(withSecrets.run(registry, Planner.of(registry).deploy("api")).succeeded()).isTrue();
        }
        String pid = Files.readString(home.resolve(".portoser/run/api.pid")).strip();
        RunResult stopped = executor.run(registry, Planner.of(registry).stop("api"));
        assertThat(stopped.succeeded()).as(stopped.render()).isTrue();
        assertThat(dev.portoser.deploy.Processes.running(Long.parseLong(pid))).isFalse();
    }

    @Test
    void historyThatCannotBeWrittenLeavesTheStepsOutcomeAndSaysWhatWasNotRecorded() {
        FileStateStore real = new FileStateStore(stateDir);
        dev.portoser.state.StateStore failing = new dev.portoser.state.StateStore() {
            @Override
            public void record(dev.portoser.state.DeploymentRecord record) {
                throw new IllegalStateException("no space left on " + stateDir);
            }

            @Override
            public List<dev.portoser.state.DeploymentRecord> history(String service) {
                return real.history(service);
            }

            @Override
            public java.util.Optional<dev.portoser.state.DeploymentRecord> find(String id) {
                return real.find(id);
            }

            @Override
            public void begin(JournalEntry entry) {
                real.begin(entry);
            }

            @Override
            public void end(String runId, String stepId) {
                real.end(runId, stepId);
            }

            @Override
            public List<JournalEntry> inFlight() {
                return real.inFlight();
            }
        };
        Registry registry = Registry.parse(registry(""));
        try (Executor e = Executor.builder().localTransports(sandbox).state(failing).build()) {
            RunResult result = e.run(registry, Planner.of(registry).deploy("db"));
            assertThat(result.succeeded()).isTrue();
            assertThat(result.warnings()).singleElement().asString()
                    .isEqualTo("history not recorded for db (succeeded on here): no space left on " + stateDir);
        }
    }

    @Test
    void aStepWhoseLockIsTakenOverWhileItWaitsIsStoppedAndRecordedAsLockLost() throws Exception {
        // api never becomes healthy (it serves nothing), so the step waits; meanwhile another run takes its lock.
        Registry registry = Registry.parse(registry("exec sleep 60"));
        Path owner = home.resolve(".portoser/locks/api/owner");
        try (Executor e = Executor.builder().localTransports(sandbox).state(new FileStateStore(stateDir))
                .healthTimeout(Duration.ofSeconds(60)).lockLease(Duration.ofSeconds(3)).rollback(false).build()) {
            var running = e.start(registry, Planner.of(registry).deploy("api"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!(Files.exists(owner) && Files.readString(owner).contains(" ctl-")) && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a condition, within the deadline
            }
            assertThat(owner).as("the step holds its lock").exists();
            Files.writeString(owner, (Instant.now().getEpochSecond() + 3600) + " ctl-thief 1 elsewhere 1\n");
            RunResult result = running.result().get(30, TimeUnit.SECONDS);
            StepResult api = result.service("api").orElseThrow();
            assertThat(api.outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(api.detail()).isEqualTo("the lock of api on here was lost: its lease ran out and another run "
                    + "took it over; the step was stopped");
            assertThat(api.duration()).as("stopped long before its health timeout").isLessThan(Duration.ofSeconds(20));
            assertThat(e.state().history("api")).extracting(DeploymentRecord::outcome).containsExactly("FAILED");
        }
        assertThat(Files.readString(owner)).as("the thief's lock is left alone").contains("ctl-thief");
    }
}

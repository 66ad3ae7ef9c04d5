package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.LocalProcessDeployer;
import dev.portoser.deploy.Processes;
import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.exec.StepOutcome;
import dev.portoser.plan.Planner;
import dev.portoser.state.FileStateStore;
import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self-healing on real faults of this machine: real processes, real ports, a real small file system. */
class HealerFaultsTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    @TempDir
    Path stateDir;
    LocalFixture fx;
    Executor executor;
    KnowledgeBase kb;
    final List<HealEvent> events = new CopyOnWriteArrayList<>();
    final LocalProcessDeployer deployer = new LocalProcessDeployer(Duration.ofSeconds(3), 1 << 20);

    @BeforeEach
    void setUp() throws Exception {
        fx = new LocalFixture(home, site);
        executor = Executor.builder().localTransports(fx.transports).state(new FileStateStore(stateDir))
                .healthTimeout(Duration.ofSeconds(20)).build();
        kb = KnowledgeBase.under(stateDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.close();
        fx.close();
    }

    Healer healer() {
        return Healer.builder(fx.registry).localTransports(fx.transports).executor(executor).knowledge(kb)
                .state(new FileStateStore(stateDir)).listener(events::add).clock(new TestClock()).build();
    }

    RunResult deploy(String service) {
        return executor.run(fx.registry, Planner.of(fx.registry).deploy(service));
    }

    void start(String name) {
        try (Transport t = fx.transport()) {
            var s = fx.registry.service(name).orElseThrow();
            deployer.deploy(new DeployContext(s, fx.machine, t, s.port(), Duration.ofSeconds(30)));
        }
        try {
            LocalFixture.awaitListening(fx.registry.service(name).orElseThrow().port());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    long recordedPid(String name) throws Exception {
        return Long.parseLong(Files.readString(fx.runDir().resolve(name + ".pid")).strip());
    }

    @Test
    void aForeignListenerOnThePortIsDiagnosedWithItsPidAndCommandAndLeftAlone() throws Exception {
        start("db");
        Process foreign = fx.foreignServer(fx.webPort);
        RunResult failed = deploy("web");
        assertThat(failed.service("web").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(failed.service("web").orElseThrow().detail()).contains("PID " + foreign.pid()).contains("http.server");

        Healer healer = healer();
        DiagnosisReport diagnosis = healer.diagnose("web");
        assertThat(diagnosis.diagnoses()).extracting(Diagnosis::fingerprint).containsExactly(FailurePatterns.PORT_FOREIGN);
        assertThat(diagnosis.diagnoses().get(0).cause()).contains("PID " + foreign.pid()).contains("python3 -m http.server");
        assertThat(diagnosis.fixes()).singleElement().satisfies(f -> assertThat(f.description()).startsWith("nothing: the fix is yours"));

        HealReport report = healer.heal("web");
        assertThat(report.outcome()).isEqualTo(HealReport.Outcome.NEEDS_USER);
        assertThat(report.detail()).contains("PID " + foreign.pid()).contains("http.server");
        assertThat(report.actions()).as(report.toString()).isEmpty();
        assertThat(foreign.isAlive()).as("the foreign process is never touched").isTrue();
        assertThat(kb.stats(FailurePatterns.PORT_FOREIGN).occurrences()).isEqualTo(1);
        assertThat(kb.occurrences().get(0).outcome()).isEqualTo(Occurrence.Outcome.NOT_ATTEMPTED);
    }

    @Test
    void ourOwnStaleInstanceIsStoppedAndTheDeploySucceeds() throws Exception {
        assertThat(deploy("web").succeeded()).isTrue();
        long stale = recordedPid("web");
        fx.alsoKillGroup(stale);
        // The controller that started it died with its records: the instance runs on, unrecorded.
        for (String f : new String[] {"web.pid", "web.pid.start", "web.pid.config"}) {
            Files.delete(fx.runDir().resolve(f));
        }
        assertThat(deploy("web").service("web").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);

        HealReport report = healer().heal("web");
        assertThat(report.outcome()).as(report.toString()).isEqualTo(HealReport.Outcome.HEALED);
        assertThat(report.actions()).extracting(HealReport.Action::playbook)
                .containsExactly("stop-own-stale-instance", "restart");
        assertThat(Processes.running(stale)).isFalse();
        RunResult again = deploy("web");
        assertThat(again.succeeded()).as(again.render()).isTrue();
        assertThat(kb.stats(FailurePatterns.PORT_OWN_STALE).fixed()).isEqualTo(1);
        assertThat(new FileStateStore(stateDir).history("web")).anyMatch(r -> r.action().equals("HEAL")
                && r.detail().startsWith("stop-own-stale-instance for port.own-stale"));
    }

    @Test
    void aStalePidFileNamingAForeignProcessIsRemovedAndTheProcessUntouched() throws Exception {
        start("db");
        Process sleeper = fx.foreignSleeper();
        Files.createDirectories(fx.runDir());
        Files.writeString(fx.runDir().resolve("web.pid"), sleeper.pid() + "\n");
        Files.writeString(fx.runDir().resolve("web.pid.start"), sleeper.pid() + " 1\n");

        HealReport report = healer().heal("web");
        assertThat(report.outcome()).as(report.toString()).isEqualTo(HealReport.Outcome.HEALED);
        assertThat(report.actions().get(0).playbook()).isEqualTo("remove-stale-pid-file");
        assertThat(report.actions().get(0).detail()).contains("no process was signalled");
        assertThat(sleeper.isAlive()).isTrue();
        assertThat(recordedPid("web")).as("the file now names our new instance").isNotEqualTo(sleeper.pid());
    }

    @Test
    void aStoppedDependencyIsStartedFirstThenTheDependent() throws Exception {
        assertThat(deploy("web").succeeded()).isTrue();
        executor.run(fx.registry, Planner.of(fx.registry).stop("db"));
        assertThat(fx.runDir().resolve("db.pid")).doesNotExist();

        HealReport report = healer().heal("web");
        assertThat(report.outcome()).as(report.toString()).isEqualTo(HealReport.Outcome.HEALED);
        assertThat(report.diagnoses()).extracting(Diagnosis::fingerprint).containsExactly(FailurePatterns.DEPENDENCY_UNHEALTHY);
        List<String> restarts = events.stream().filter(e -> e.kind() == HealEvent.Kind.RESTARTED)
                .map(HealEvent::service).toList();
        assertThat(restarts).containsExactly("db", "web");
        assertThat(Processes.running(recordedPid("db"))).isTrue();
        assertThat(Processes.running(recordedPid("web"))).isTrue();
    }

    @Test
    void aNearlyFullFileSystemUnderTheLogsHasOurLogsRotatedAndNothingElseDeleted() throws Exception {
        assumeTrue("0".equals(exec("id -u").strip()), "mounting a tmpfs needs root");
        Path logs = home.resolve(".portoser/logs");
        Files.createDirectories(logs);
        assertThat(exec("mount -t tmpfs -o size=2m portoser-heal-test '" + logs + "' && echo ok")).contains("ok");
        try {
            start("db");
            start("web");
            LocalFixture.awaitListening(fx.webPort);
            byte[] notes = new byte[100 * 1024];
            new java.util.Random(7).nextBytes(notes);
            Files.write(logs.resolve("notes.bin"), notes);
            Files.write(logs.resolve("stranger.log.1"), new byte[50 * 1024]);
            Files.write(logs.resolve("web.log.1"), new byte[100 * 1024]);
            try (var out = Files.newOutputStream(logs.resolve("web.log"), java.nio.file.StandardOpenOption.APPEND)) {
                out.write(("x".repeat(1023) + "\n").repeat(1700).getBytes());
            }
            assertThat(usedPercent(logs)).isGreaterThanOrEqualTo(FailurePatterns.DISK_FULL_PERCENT + 4);

            HealReport report = healer().heal("web");
            assertThat(report.outcome()).as(report.toString()).isEqualTo(HealReport.Outcome.HEALED);
            assertThat(report.actions().get(0).playbook()).isEqualTo("rotate-own-logs");
            assertThat(usedPercent(logs)).isLessThan(FailurePatterns.DISK_FULL_PERCENT);
            assertThat(Files.readAllBytes(logs.resolve("notes.bin"))).isEqualTo(notes);
            assertThat(logs.resolve("stranger.log.1")).exists();
            assertThat(logs.resolve("web.log.1")).doesNotExist();
            assertThat(Files.size(logs.resolve("web.log"))).isLessThan(Playbooks.KEEP_LOG_BYTES + 1024);
            assertThat(Files.readString(logs.resolve("web.log"))).startsWith("[portoser: truncated");
            assertThat(Processes.running(recordedPid("web"))).as("the service writes on").isTrue();
        } finally {
            fx.close();
            exec("umount '" + logs + "' || umount -l '" + logs + "'");
        }
    }

    int usedPercent(Path dir) {
        return Integer.parseInt(exec("df -Pk '" + dir + "' | tail -n 1 | awk '{sub(\"%\", \"\", $5); print $5}'").strip());
    }

    String exec(String script) {
        try (Transport t = fx.transport()) {
            return t.exec(Command.script(script).timeout(Duration.ofSeconds(20))).stdout();
        }
    }
}

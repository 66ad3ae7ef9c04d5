package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.exec.StepOutcome;
import dev.portoser.heal.Diagnosis;
import dev.portoser.heal.FailurePatterns;
import dev.portoser.heal.HealReport;
import dev.portoser.heal.Healer;
import dev.portoser.heal.KnowledgeBase;
import dev.portoser.heal.Observation;
import dev.portoser.heal.Observations;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.state.FileStateStore;
import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Self-healing over real OpenSSH on a test bed host: one observation round trip, real faults on the host. */
@ExtendWith(TestBed.class)
class HealerOnTestBedIT {
    static final int PORT = 8201;
    @TempDir
    Path stateDir;
    TestBed bed;
    SshTransportFactory ssh;
    Registry registry;

    @BeforeEach
    void setUp() throws Exception {
        bed = TestBed.get();
        ssh = SshTransportFactory.builder().knownHosts(bed.knownHosts()).build();
        Machine h1 = bed.machine(1);
        registry = Registry.parse("""
                machines:
                  h1: {host: %s, user: root, platform: linux, ssh_key: %s}
                services:
                  web: {type: local, path: /root/sites/heal, machine: h1, command: "exec python3 -m http.server $PORT", port: %d, health: {type: http, endpoint: /index.html}}
                """.formatted(h1.host(), h1.sshKey(), PORT));
        exec("mkdir -p /root/sites/heal && echo hello > /root/sites/heal/index.html");
    }

    @AfterEach
    void tearDown() throws Exception {
        exec(dev.portoser.deploy.KillRecorded.SCRIPT);
        exec("for p in $(cat /root/heal-foreign.pid 2>/dev/null); do kill -KILL $p; done; "
                + "for p in $(cat /root/heal-stale.pid 2>/dev/null); do kill -KILL -- -$p; done; "
                + "rm -rf /root/.portoser /root/sites/heal /root/heal-stale.pid /root/heal-foreign.pid; true");
        ssh.close();
    }

    String exec(String script) {
        try (Transport t = ssh.open(bed.machine(1))) {
            return t.exec(Command.script(script).timeout(Duration.ofSeconds(30))).stdout();
        }
    }

    Executor executor() {
        return Executor.builder().transports(ssh).state(new FileStateStore(stateDir)).healthTimeout(Duration.ofSeconds(15))
                .build();
    }

    Healer healer(Executor executor) {
        return Healer.builder(registry).transports(ssh).executor(executor).knowledge(KnowledgeBase.under(stateDir)).build();
    }

    @Test
    void aForeignListenerOnTheHostIsNamedWithItsPidAndCommandAndLeftAlone() throws Exception {
        String pid = exec("cd /tmp && nohup python3 -m http.server " + PORT + " --bind 0.0.0.0 > /dev/null 2>&1 < /dev/null & "
                + "echo $! | tee /root/heal-foreign.pid; i=0; while ! ss -Hltn 'sport = :" + PORT + "' | grep -q .; do "
                + "[ $i -gt 200 ] && break; sleep 0.05; i=$((i+1)); done").strip();
        try (Executor executor = executor()) {
            Healer healer = healer(executor);
            Observations seen = healer.observer().observe("web");
            Observation.PortOwner port = seen.first(Observation.PortOwner.class).orElseThrow();
            assertThat(port.owner()).isEqualTo(Observation.PortOwner.Owner.FOREIGN);
            assertThat(port.pid()).isEqualTo(Long.parseLong(pid));
            assertThat(port.command()).contains("http.server " + PORT);
            assertThat(seen.all(Observation.DiskUsage.class)).isNotEmpty();
            HealReport r = healer.heal("web");
            assertThat(r.outcome()).isEqualTo(HealReport.Outcome.NEEDS_USER);
            assertThat(r.diagnoses()).extracting(Diagnosis::fingerprint).containsExactly(FailurePatterns.PORT_FOREIGN);
            assertThat(r.detail()).contains("PID " + pid);
        }
        assertThat(exec("kill -0 " + pid + " && echo alive")).contains("alive");
    }

    @Test
    void ourOwnStaleInstanceOnTheHostIsStoppedAndTheDeploySucceeds() throws Exception {
        try (Executor executor = executor()) {
            assertThat(executor.run(registry, Planner.of(registry).deploy("web")).succeeded()).isTrue();
            exec("cp /root/.portoser/run/web.pid /root/heal-stale.pid && rm /root/.portoser/run/web.pid*");
            assertThat(executor.run(registry, Planner.of(registry).deploy("web")).service("web").orElseThrow()
                    .outcome()).isEqualTo(StepOutcome.FAILED);
            HealReport r = healer(executor).heal("web");
            assertThat(r.outcome()).as(r.toString()).isEqualTo(HealReport.Outcome.HEALED);
            assertThat(r.actions().get(0).playbook()).isEqualTo("stop-own-stale-instance");
            // A zombie (the host's PID 1 may not reap it) is dead too.
            assertThat(exec("s=$(ps -o stat= -p $(cat /root/heal-stale.pid)); case $s in ''|Z*) echo gone ;; "
                    + "*) echo alive ;; esac")).contains("gone");
            RunResult again = executor.run(registry, Planner.of(registry).deploy("web"));
            assertThat(again.succeeded()).as(again.render()).isTrue();
        }
    }
}

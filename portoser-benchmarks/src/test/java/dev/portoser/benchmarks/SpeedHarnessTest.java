package dev.portoser.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The deploy-speed harness's own logic, without a test bed: the workload is the issue's, the three tools get the
 * same work, a run is judged from the services' logs, and the statistics are right.
 */
class SpeedHarnessTest {
    private static final List<SpeedWorkload.Host> HOSTS = List.of(new SpeedWorkload.Host("h1", "10.200.0.11"),
            new SpeedWorkload.Host("h2", "10.200.0.12"), new SpeedWorkload.Host("h3", "10.200.0.13"));

    @Test
    void theWorkloadIsThirtyServicesTenPerHostDepthThreeAcrossHosts() {
        SpeedWorkload w = new SpeedWorkload(HOSTS, 1.0);
        Registry registry = Registry.parse(w.registry("/k/id_ed25519"));
        assertThat(registry.services()).hasSize(30);
        for (SpeedWorkload.Host h : HOSTS) {
            assertThat(w.services().values().stream().filter(s -> s.host().equals(h))).hasSize(10);
        }
        assertThat(w.services().values()).allSatisfy(s -> {
            if (s.level() > 0) {
                assertThat(s.dependsOn()).hasSize(2)
                        .allSatisfy(d -> assertThat(w.services().get(d).level()).isEqualTo(s.level() - 1))
                        .anySatisfy(d -> assertThat(w.services().get(d).host()).isNotEqualTo(s.host()));
            }
        });
        assertThat(Planner.of(registry).all().steps()).hasSize(30);
        assertThat(w.criticalPath()).isEqualTo(3.0);
        assertThat(new SpeedWorkload(HOSTS, 0).criticalPath()).isZero();
    }

    @Test
    void bashAndAnsibleStartEveryServiceOnItsOwnHostOnce() {
        SpeedWorkload w = new SpeedWorkload(HOSTS, 0.5);
        String bash = w.bashScript("/r/ssh_config", "/r/cm");
        String playbook = w.playbook();
        for (SpeedWorkload.Svc s : w.services().values()) {
            String start = "svc.py " + s.name() + " 0.500 " + s.port() + " ";
            assertThat(bash.split(java.util.regex.Pattern.quote(start), -1)).hasSize(2);
            assertThat(playbook.split(java.util.regex.Pattern.quote(start), -1)).hasSize(2);
            assertThat(bash).contains("wait_up " + s.host().address() + ":" + s.port() + " ");
        }
        // One ssh per host per level, each through the ControlMaster.
        assertThat(bash.lines().filter(l -> l.startsWith("ssh \"${S[@]}\" "))).hasSize(9);
        assertThat(bash).contains("ControlMaster=auto").contains("sleep 0.05");
        assertThat(playbook.lines().filter(l -> l.startsWith("- name: level "))).hasSize(3);
        // Each host has its own ControlMaster socket (a shared one would run every host's work on one host).
        assertThat(w.inventory("/k", "/kh", "/r/cm")).contains("ControlPath=/r/cm/an-%h\n")
                .contains("ansible_ssh_pipelining=true").contains("ControlPersist=60s");
    }

    @Test
    void aGoodRunPassesItsCheck() {
        SpeedWorkload w = new SpeedWorkload(HOSTS, 1.0);
        assertThat(SpeedReport.check(w.dependencies().lines().toList(), logs(w, Map.of()), allAnswer(w))).isEmpty();
    }

    @Test
    void aServiceStartedBeforeItsDependencyServedFailsTheCheck() {
        SpeedWorkload w = new SpeedWorkload(HOSTS, 1.0);
        // s11 depends on s02 (serves at 1.0) and s03; start it at 0.5.
        List<String> problems = SpeedReport.check(w.dependencies().lines().toList(), logs(w, Map.of("s11", 0.5)),
                allAnswer(w));
        assertThat(problems).containsExactly("s11 started before its dependency s02 served (0.500 s early)",
                "s11 started before its dependency s03 served (0.500 s early)");
    }

    @Test
    void aServiceThatDoesNotAnswerOrStartedTwiceFailsTheCheck() {
        SpeedWorkload w = new SpeedWorkload(HOSTS, 1.0);
        Map<String, String> answers = allAnswer(w);
        answers.put("s05", "000");
        Map<String, List<String>> logs = logs(w, Map.of());
        logs.put("s07", List.of("start s07 0.000000 11", "serve s07 1.000000 11", "start s07 5.000000 12"));
        assertThat(SpeedReport.check(w.dependencies().lines().toList(), logs, answers))
                .containsExactly("s05 did not answer 200 after the run (got 000)", "s07 started 2 times, not once");
    }

    @Test
    void mediansRatiosAndTheFloor() {
        List<SpeedReport.Run> runs = SpeedReport.parseRuns(List.of(
                "deploy-1.0 bash 1 4.0 r1", "deploy-1.0 portoser 1 3.0 r2", "deploy-1.0 ansible 1 9.0 r3",
                "deploy-1.0 bash 2 6.0 r4", "deploy-1.0 portoser 2 5.0 r5", "deploy-1.0 ansible 2 11.0 r6",
                "deploy-1.0 bash 3 5.0 r7", "deploy-1.0 portoser 3 4.5 r8", "deploy-1.0 ansible 3 10.0 r9",
                "connect ssh 1 0.3", "connect ssh 2 0.5", "redeploy portoser 1 0.8 r10"));
        assertThat(SpeedReport.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(SpeedReport.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        String table = SpeedReport.table(runs, Map.of("deploy-1.0", 3.0));
        assertThat(table).contains("median cold OpenSSH connect: 0.400 s")
                .contains("| 1.0 s start delay | 3.40 s | 5.00 s | 10.00 s | 4.50 s | 0.90× | 2.22× |")
                .contains("no-change redeploy of the 30 services (Portoser): 0.80 s");
    }

    /** Logs of a perfect run: level L starts at L × delay and serves a delay later; {@code late} overrides starts. */
    private static Map<String, List<String>> logs(SpeedWorkload w, Map<String, Double> startAt) {
        Map<String, List<String>> logs = new HashMap<>();
        for (SpeedWorkload.Svc s : w.services().values()) {
            double start = startAt.getOrDefault(s.name(), s.level() * w.delay());
            logs.put(s.name(), List.of(String.format(java.util.Locale.ROOT, "start %s %.6f 1", s.name(), start),
                    String.format(java.util.Locale.ROOT, "serve %s %.6f 1", s.name(), start + w.delay())));
        }
        return logs;
    }

    private static Map<String, String> allAnswer(SpeedWorkload w) {
        Map<String, String> answers = new HashMap<>();
        w.services().keySet().forEach(n -> answers.put(n, "200"));
        return answers;
    }
}

package dev.portoser.examples;

import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.heal.DiagnosisReport;
import dev.portoser.heal.HealReport;
import dev.portoser.heal.Healer;
import dev.portoser.heal.KnowledgeBase;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import dev.portoser.state.FileStateStore;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Self-healing on this machine: a service ({@code python3 -m http.server}) is deployed, then the controller "dies"
 * and its records of the process are lost while the process runs on. The next deploy fails (its port is taken);
 * the healer diagnoses a stale instance of our own, stops it (after checking that Portoser started it), starts the
 * service again and learns that the fix worked; the deploy then succeeds. History and knowledge live in a
 * temporary directory, removed at the end; PID and log files go to {@code ~/.portoser} as for any local service.
 */
public final class HealAService {
    private HealAService() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("portoser-heal-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Registry registry = Registry.parse("""
                machines:
                  laptop: {host: localhost, user: me, platform: linux}
                services:
                  demo-api: {type: local, path: %s, machine: laptop, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", port: %d, health: {type: http}}
                """.formatted(dir, port));
        FileStateStore state = new FileStateStore(dir.resolve("state"));
        try (Executor executor = Executor.builder().state(state).build()) {
            try {
                System.out.println("deploy: " + executor.run(registry, Planner.of(registry).deploy("demo-api"))
                        .service("demo-api").orElseThrow().outcome());
                // The controller died and took its records with it; the process runs on, unrecorded.
                Path run = Path.of(System.getProperty("user.home"), ".portoser", "run");
                for (String f : new String[] {"demo-api.pid", "demo-api.pid.start", "demo-api.pid.config"}) {
                    Files.deleteIfExists(run.resolve(f));
                }
                RunResult failed = executor.run(registry, Planner.of(registry).deploy("demo-api"));
                System.out.println("deploy again: " + failed.service("demo-api").orElseThrow().outcome());

                Healer healer = Healer.builder(registry).executor(executor).state(state)
                        .knowledge(KnowledgeBase.under(state.directory()))
                        .budgetsUnder(state.directory()) // back-off and circuit breaker outlive this process
                        .listener(e -> System.out.println("  [heal] " + e.describe()))
                        .build();
                DiagnosisReport diagnosis = healer.diagnose("demo-api");
                diagnosis.diagnoses().forEach(d -> System.out.println("diagnosis: " + d.fingerprint()));
                diagnosis.fixes().forEach(f -> System.out.println("would: " + f.playbook()));
                HealReport report = healer.heal("demo-api");
                System.out.println("heal: " + report.outcome());
                // A later process (a new healer) finds the attempt and its back-off.
                System.out.println("attempts a new healer remembers: " + Healer.builder(registry)
                        .budgetsUnder(state.directory()).build().budget("demo-api").attemptsInARow());

                System.out.println("deploy after healing: " + executor.run(registry, Planner.of(registry)
                        .deploy("demo-api")).service("demo-api").orElseThrow().outcome());
                KnowledgeBase.under(state.directory()).stats().forEach(s -> System.out.println("learnt: "
                        + s.fingerprint() + " seen " + s.occurrences() + ", fixed " + s.fixed() + " by "
                        + s.playbooks().get(0).playbook()));
            } finally {
                executor.run(registry, Planner.of(registry).stop("demo-api"));
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}

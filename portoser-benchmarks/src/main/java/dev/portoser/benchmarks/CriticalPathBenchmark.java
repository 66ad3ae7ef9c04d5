package dev.portoser.benchmarks;

import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.health.HealthGate;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import dev.portoser.ssh.SshTransportFactory;
import dev.portoser.state.FileStateStore;
import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * How close the executor gets to the best possible: 30 services in a DAG of depth 3 on 3 test bed hosts, each
 * becoming healthy a known delay after it starts; the run's wall time against the critical-path lower bound
 * computed from those delays (the longest chain of delays; no scheduler can beat it). Target: at most 1.15x.
 *
 * <p>Run as root: {@code java -cp portoser-benchmarks/target/benchmarks.jar
 * dev.portoser.benchmarks.CriticalPathBenchmark [RUNS]}.
 */
public final class CriticalPathBenchmark {
    private CriticalPathBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        BenchTestBed.with(3, dir -> measure(dir, runs));
    }

    private static void measure(Path dir, int runs) throws Exception {
        List<String[]> hosts = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("hosts"))) {
            hosts.add(line.split(" "));
        }
        Random random = new Random(7);
        StringBuilder y = new StringBuilder("machines:\n");
        for (String[] h : hosts) {
            y.append("  ").append(h[0]).append(": {host: ").append(h[1]).append(", user: root, platform: linux, ssh_key: ")
                    .append(dir.resolve("id_ed25519")).append("}\n");
        }
        y.append("services:\n");
        Map<String, Double> delay = new HashMap<>();
        Map<String, List<String>> deps = new HashMap<>();
        List<String> previous = new ArrayList<>();
        for (int layer = 0; layer < 3; layer++) {
            List<String> current = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String name = "s" + layer + i;
                double d = 1.0 + random.nextInt(21) / 10.0; // 1.0 .. 3.0 s
                delay.put(name, d);
                List<String> on = new ArrayList<>();
                if (!previous.isEmpty()) {
                    on.add(previous.get(random.nextInt(previous.size())));
                    String second = previous.get(random.nextInt(previous.size()));
                    if (!on.contains(second)) {
                        on.add(second);
                    }
                }
                deps.put(name, on);
                String[] host = hosts.get((layer * 10 + i) % hosts.size());
                y.append("  ").append(name).append(": {type: local, path: /root, machine: ").append(host[0])
                        .append(", command: \"sleep ").append(d).append("; exec python3 -m http.server $PORT\", port: ")
                        .append(9000 + layer * 10 + i).append(", health: {type: http}")
                        .append(on.isEmpty() ? "" : ", depends_on: [" + String.join(", ", on) + "]").append("}\n");
                current.add(name);
            }
            previous = current;
        }
        double bound = 0;
        Map<String, Double> finish = new HashMap<>();
        for (int layer = 0; layer < 3; layer++) {
            for (int i = 0; i < 10; i++) {
                String name = "s" + layer + i;
                double ready = deps.get(name).stream().mapToDouble(finish::get).max().orElse(0);
                finish.put(name, ready + delay.get(name));
                bound = Math.max(bound, finish.get(name));
            }
        }
        Registry registry = Registry.parse(y.toString());
        Path state = dir.resolve("state"); // inside the test bed directory, removed by its tear-down
        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(dir.resolve("known_hosts")).build();
             Executor executor = Executor.builder().transports(ssh).state(new FileStateStore(state))
                     .parallelism(30).perMachineParallelism(10).healthGate(new HealthGate(Duration.ofMillis(100)))
                     .healthTimeout(Duration.ofSeconds(60)).build()) {
            for (int r = 0; r <= runs; r++) {
                for (String[] h : hosts) { // a cold start every time: nothing running
                    try (Transport t = ssh.open(registry.machine(h[0]).orElseThrow())) {
                        t.exec(Command.script("for f in /root/.portoser/run/*.pid; do [ -f \"$f\" ] && "
                                + "kill -s KILL -- \"-$(cat \"$f\")\" 2>/dev/null; done; rm -rf /root/.portoser; true"));
                    }
                }
                long start = System.nanoTime();
                RunResult result = executor.run(registry, Planner.of(registry).all());
                double wall = (System.nanoTime() - start) / 1e9;
                if (!result.succeeded()) {
                    throw new IllegalStateException("run failed:\n" + result.render());
                }
                System.out.printf(Locale.ROOT, "%s: wall %.2f s, critical-path bound %.2f s, ratio %.3f%n",
                        r == 0 ? "warm-up" : "run " + r, wall, bound, wall / bound);
            }
        }
    }
}

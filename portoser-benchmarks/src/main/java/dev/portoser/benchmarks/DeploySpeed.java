package dev.portoser.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java half of the deploy-speed harness {@code portoser-benchmarks/speed/deploy-speed.sh} (run that; see
 * {@code portoser-benchmarks/README.md}): {@code generate RESULTS TESTBED DELAY} writes the workload for the three
 * tools into {@code RESULTS/DELAY/}, and {@code report RESULTS} checks every run from the services' logs and prints
 * medians, ratios and the physical floor.
 */
public final class DeploySpeed {
    private DeploySpeed() {
    }

    /**
     * Entry point.
     *
     * @param args {@code generate RESULTS TESTBED DELAY} or {@code report RESULTS}
     * @throws Exception when a file cannot be read or written
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("generate")) {
            Path results = Path.of(args[1]);
            Path testbed = Path.of(args[2]);
            String delay = args[3];
            List<SpeedWorkload.Host> hosts = new ArrayList<>();
            for (String line : Files.readAllLines(testbed.resolve("hosts"))) {
                String[] f = line.trim().split("\\s+");
                hosts.add(new SpeedWorkload.Host(f[0], f[1]));
            }
            SpeedWorkload w = new SpeedWorkload(hosts, Double.parseDouble(delay));
            Path out = Files.createDirectories(results.resolve(delay));
            String key = testbed.resolve("id_ed25519").toString();
            Files.writeString(out.resolve("registry.yml"), w.registry(key));
            Files.writeString(out.resolve("deploy.sh"), w.bashScript(results.resolve("ssh_config").toString(),
                    results.resolve("cm").toString()));
            Files.writeString(out.resolve("inventory"), w.inventory(key, testbed.resolve("known_hosts").toString(),
                    results.resolve("cm").toString()));
            Files.writeString(out.resolve("playbook.yml"), w.playbook());
            Files.writeString(results.resolve("dependencies-" + delay), w.dependencies());
        } else if (args.length == 2 && args[0].equals("report")) {
            SpeedReport.Report report = SpeedReport.report(Path.of(args[1]));
            System.out.print(report.table());
            if (!report.bad().isEmpty()) {
                System.out.println();
                System.out.println("Runs that failed their check (left out of the medians):");
                report.bad().forEach(b -> System.out.println("  " + b));
                System.exit(1);
            }
        } else {
            System.err.println("usage: DeploySpeed generate RESULTS TESTBED DELAY | report RESULTS");
            System.exit(2);
        }
    }
}

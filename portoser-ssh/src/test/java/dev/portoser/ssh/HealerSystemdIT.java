package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.NativeServiceDeployer;
import dev.portoser.heal.Diagnosis;
import dev.portoser.heal.FailurePatterns;
import dev.portoser.heal.Healer;
import dev.portoser.heal.Observation;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The observer and the "unit failing" pattern on a real systemd (the nspawn test host), over SSH: a native service
 * deployed and running, then made to exit with status 7 at once and killed (systemd restarts it, and it fails), is
 * diagnosed as its unit failing, with the unit's name, state and exit code.
 */
class HealerSystemdIT {
    static final NativeServiceDeployer DEPLOYER = new NativeServiceDeployer();
    static SystemdHost host;
    static Transport root;

    @BeforeAll
    static void startHost() throws Exception {
        host = SystemdHost.get();
        root = host.ssh.open(host.root);
        SystemdHost.sh(root, "mkdir -p /srv/boom && printf '%s\\n' 'if [ -f /srv/boom/fail ]; then echo unit-boom; exit 7; fi' "
                + "'exec python3 -m http.server 8311' > /srv/boom/run.sh");
    }

    @AfterAll
    static void close() {
        if (root != null) {
            root.close();
        }
    }

    @Test
    void aFailingUnitIsDiagnosedWithItsNameStateAndExitCode() {
        Registry registry = Registry.parse("""
                machines:
                  %s
                services:
                  boom: {type: native, path: /srv/boom, machine: %s, command: "/bin/sh /srv/boom/run.sh"}
                """.formatted(SystemdHost.yaml(host.root), host.root.name()));
        DeployContext c = new DeployContext(registry.service("boom").orElseThrow(),
                registry.machine(host.root.name()).orElseThrow(), root, null, Duration.ofSeconds(60));
        try {
            DEPLOYER.deploy(c);
            // From now on it exits with status 7 at once; its running instance is killed, so systemd restarts it.
            SystemdHost.sh(root, "touch /srv/boom/fail && systemctl kill -s KILL portoser-boom.service");
            Healer healer = Healer.builder(registry).transports(host.ssh).build();
            // First systemd shows the kill (signal 9), then its restart's exit: wait (bounded) for status 7.
            Instant end = Instant.now().plus(Duration.ofSeconds(60));
            Observation.Unit seen = healer.observer().observe("boom").first(Observation.Unit.class).orElseThrow();
            while (!Integer.valueOf(7).equals(seen.lastExit()) && Instant.now().isBefore(end)) {
                seen = healer.observer().observe("boom").first(Observation.Unit.class).orElseThrow();
            }
            Observation.Unit unit = seen;
            assertThat(unit.unit()).contains("boom").endsWith(".service");
            assertThat(unit.lastExit()).as(unit.describe()).isEqualTo(7);
            assertThat(unit.activeState().equals("failed") || unit.subState().equals("auto-restart"))
                    .as(unit.describe()).isTrue();
            List<Diagnosis> found = healer.diagnose("boom").diagnoses();
            assertThat(found).extracting(Diagnosis::fingerprint).contains(FailurePatterns.UNIT_FAILING);
            Diagnosis d = found.stream().filter(x -> x.fingerprint().equals(FailurePatterns.UNIT_FAILING)).findFirst()
                    .orElseThrow();
            assertThat(d.cause()).contains("unit " + unit.unit() + " fails").contains("exit 7");
            assertThat(d.evidence()).anyMatch(e -> e.contains(unit.unit())).anyMatch(e -> e.contains("unit-boom"));
        } finally {
            DEPLOYER.remove(c);
            SystemdHost.sh(root, "rm -f /srv/boom/fail");
        }
    }
}

package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.ServiceStatus;
import dev.portoser.health.HealthStatus;
import dev.portoser.heal.Observation.PortOwner.Owner;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each built-in pattern on the observations that show its failure, and none on a healthy service. */
class FailurePatternsTest {
    static Observations seen(Observation... items) {
        List<Observation> all = new java.util.ArrayList<>(List.of(new Observation.Reachability(true, "")));
        all.addAll(List.of(items));
        return new Observations("web", "here", Instant.EPOCH, all);
    }

    static List<String> fingerprints(Observations o) {
        return FailurePatterns.diagnose(FailurePatterns.builtIns(), o).stream().map(Diagnosis::fingerprint).toList();
    }

    @Test
    void aHealthyServiceHasNoDiagnosis() {
        assertThat(fingerprints(seen(new Observation.Instance(ServiceStatus.State.RUNNING, "42", null, "runs"),
                new Observation.PidFile("/h/.portoser/run/web.pid", true, 42L, true, true, ""),
                new Observation.PortOwner(8080, Owner.OURS, 42L, "web", "python3"),
                new Observation.DiskUsage("/srv", "/", 40, 1 << 20),
                new Observation.PathAccess("/srv", true, true, true, true, true, "drwxr-xr-x u:u"),
                new Observation.Executable("python3", true, "/usr/bin/python3"),
                new Observation.Dependency("db", HealthStatus.HEALTHY, "ok"),
                new Observation.Health(HealthStatus.HEALTHY, "200")))).isEmpty();
    }

    @Test
    void anUnreachableMachineIsOnlyThat() {
        Observations o = new Observations("web", "far", Instant.EPOCH,
                List.of(new Observation.Reachability(false, "connection refused")));
        List<Diagnosis> d = FailurePatterns.diagnose(FailurePatterns.builtIns(), o);
        assertThat(d).extracting(Diagnosis::fingerprint).containsExactly(FailurePatterns.SSH_UNREACHABLE);
        assertThat(d.get(0).cause()).contains("far").contains("connection refused");
    }

    @Test
    void theOwnerOfThePortDecidesTheDiagnosisAndOnlyOursIsOursToFix() {
        Diagnosis foreign = FailurePatterns.diagnose(FailurePatterns.builtIns(),
                seen(new Observation.PortOwner(8080, Owner.FOREIGN, 777L, null, "python3 -m http.server 8080"))).get(0);
        assertThat(foreign.fingerprint()).isEqualTo(FailurePatterns.PORT_FOREIGN);
        assertThat(foreign.cause()).contains("PID 777").contains("python3 -m http.server 8080");
        assertThat(foreign.oursToFix()).isFalse();
        Diagnosis stale = FailurePatterns.diagnose(FailurePatterns.builtIns(),
                seen(new Observation.PortOwner(8080, Owner.OURS_STALE, 778L, "web", "python3"))).get(0);
        assertThat(stale.fingerprint()).isEqualTo(FailurePatterns.PORT_OWN_STALE);
        assertThat(stale.oursToFix()).isTrue();
        assertThat(fingerprints(seen(new Observation.PortOwner(8080, Owner.OTHER_SERVICE, 9L, "api", "x"))))
                .containsExactly(FailurePatterns.PORT_OTHER_SERVICE);
    }

    @Test
    void everyOtherBuiltInFiresOnItsEvidence() {
        assertThat(fingerprints(seen(new Observation.Dependency("db", HealthStatus.DOWN, "gone"),
                new Observation.Dependency("cache", HealthStatus.HEALTHY, "ok"))))
                .containsExactly(FailurePatterns.DEPENDENCY_UNHEALTHY);
        assertThat(fingerprints(seen(new Observation.Instance(ServiceStatus.State.FAILED, null, null, "not ours"),
                new Observation.PidFile("/p", true, 5L, true, false, "sleep 300"))))
                .containsExactly(FailurePatterns.PIDFILE_STALE);
        assertThat(fingerprints(seen(new Observation.DiskUsage("/logs", "/logs", 96, 80))))
                .containsExactly(FailurePatterns.DISK_FULL);
        assertThat(fingerprints(seen(new Observation.DockerDaemon(Observation.DockerDaemon.DaemonState.DOWN, "refused"))))
                .containsExactly(FailurePatterns.DOCKER_DOWN);
        assertThat(fingerprints(seen(new Observation.Container("portoser-web-web-1", "exited", 137, true, 0))))
                .containsExactly(FailurePatterns.OUT_OF_MEMORY);
        assertThat(fingerprints(seen(new Observation.Container("portoser-web-web-1", "exited", 3, false, 2),
                new Observation.LogTail("out", List.of("boom")))))
                .containsExactly(FailurePatterns.CONTAINER_EXITS);
        assertThat(fingerprints(seen(new Observation.Instance(ServiceStatus.State.FAILED, null, 3, "exited 3"))))
                .containsExactly(FailurePatterns.PROCESS_EXITS);
        assertThat(fingerprints(seen(new Observation.Unit("portoser-web.service", "failed", "failed", "exit-code", 1))))
                .containsExactly(FailurePatterns.UNIT_FAILING);
        assertThat(fingerprints(seen(new Observation.LogTail("log", List.of("open /srv/x: Permission denied")))))
                .containsExactly(FailurePatterns.PERMISSION_DENIED);
        assertThat(fingerprints(seen(new Observation.PathAccess("/srv", false, false, false, false, false, ""))))
                .containsExactly(FailurePatterns.PATH_MISSING);
        assertThat(fingerprints(seen(new Observation.Executable("gunicorn", false, ""))))
                .containsExactly(FailurePatterns.EXECUTABLE_MISSING);
        assertThat(fingerprints(seen(new Observation.ComposeFile("/srv/docker-compose.yml", false))))
                .containsExactly(FailurePatterns.COMPOSE_FILE_MISSING);
    }

    @Test
    void aProcessKilledForMemoryIsOutOfMemoryNotACrash() {
        Diagnosis d = FailurePatterns.diagnose(FailurePatterns.builtIns(),
                seen(new Observation.Instance(ServiceStatus.State.FAILED, null, 137, "exited 137"),
                        new Observation.LogTail("log", List.of("allocating", "Killed")))).get(0);
        assertThat(d.fingerprint()).isEqualTo(FailurePatterns.OUT_OF_MEMORY);
        assertThat(d.evidence()).contains("Killed");
    }

    @Test
    void thePidFileOfAProcessThatExitedByItselfIsTheCrashNotAStaleFile() {
        assertThat(fingerprints(seen(new Observation.Instance(ServiceStatus.State.FAILED, null, 3, "exited 3"),
                new Observation.PidFile("/p", true, 5L, false, false, ""))))
                .containsExactly(FailurePatterns.PROCESS_EXITS);
    }

    @Test
    void fingerprintsAreStableAcrossOccurrences() {
        Observations a = seen(new Observation.PortOwner(8080, Owner.FOREIGN, 1L, null, "a"));
        Observations b = seen(new Observation.PortOwner(9090, Owner.FOREIGN, 2L, null, "b"));
        assertThat(fingerprints(a)).isEqualTo(fingerprints(b));
    }
}

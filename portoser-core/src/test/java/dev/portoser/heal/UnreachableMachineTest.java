package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.KillRecorded;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine that cannot be reached: diagnosed as such, waited for with growing pauses (a recording sleeper, so
 * nothing sleeps), and healed once it answers again. The "machine" is this one behind a transport factory that
 * refuses its first connections, as an SSH factory does while the host is down.
 */
class UnreachableMachineTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    final List<Duration> slept = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        try (Transport t = new LocalTransport(registry().machine("far").orElseThrow(), home)) {
            t.exec(Command.script(KillRecorded.SCRIPT));
        }
    }

    Registry registry() {
        return Registry.parse("""
                machines:
                  far: {host: 10.200.0.99, user: u, platform: linux}
                services:
                  worker: {type: local, path: %s, machine: far, command: "exec sleep 300"}
                """.formatted(site));
    }

    Healer healer(int refusals) {
        AtomicInteger left = new AtomicInteger(refusals);
        TransportFactory flaky = new TransportFactory() {
            @Override
            public Transport open(Machine m) {
                if (left.getAndDecrement() > 0) {
                    throw new TransportException(m.name(), "cannot connect to " + m.host() + ":22: connection timed out",
                            null);
                }
                return new LocalTransport(m, home);
            }

            @Override
            public void close() {
            }
        };
        return Healer.builder(registry()).transports(flaky).sleeper(slept::add).clock(new TestClock()).build();
    }

    @Test
    void anUnreachableMachineIsWaitedForWithGrowingPausesThenTheServiceIsStarted() throws Exception {
        // refused: the observation, then the first two reconnections
        HealReport r = healer(3).heal("worker");
        assertThat(r.diagnoses()).extracting(Diagnosis::fingerprint).containsExactly(FailurePatterns.SSH_UNREACHABLE);
        assertThat(r.diagnoses().get(0).cause()).contains("far").contains("connection timed out");
        assertThat(slept).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(r.actions()).extracting(HealReport.Action::playbook).containsExactly("wait-for-machine", "restart");
        assertThat(r.outcome()).as(r.toString()).isEqualTo(HealReport.Outcome.HEALED);
    }

    @Test
    void aMachineThatStaysDownIsReportedNotRestarted() throws Exception {
        HealReport r = healer(100).heal("worker");
        assertThat(r.outcome()).isEqualTo(HealReport.Outcome.FAILED);
        assertThat(slept).hasSize(5);
        assertThat(r.actions()).extracting(HealReport.Action::playbook).containsExactly("wait-for-machine");
        assertThat(r.detail()).contains("cannot be reached");
    }
}

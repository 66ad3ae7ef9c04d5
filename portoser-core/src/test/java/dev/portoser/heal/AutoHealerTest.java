package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.health.HealthMonitor;
import dev.portoser.health.HealthState;
import dev.portoser.deploy.Processes;
import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health monitor finds a killed service unhealthy; the auto-healer, opted in for it, starts it again. */
class AutoHealerTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    LocalFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new LocalFixture(home, site);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    long pid(String name) throws Exception {
        return Long.parseLong(Files.readString(fx.runDir().resolve(name + ".pid")).strip());
    }

    @Test
    void aKilledServiceIsHealedWhenTheMonitorFindsItUnhealthyAndOneNotOptedInIsNot() throws Exception {
        TestClock clock = new TestClock();
        Healer healer = Healer.builder(fx.registry).localTransports(fx.transports).clock(clock).build();
        assertThat(healer.heal("web").outcome()).as("db, then web").isEqualTo(HealReport.Outcome.HEALED);
        long before = pid("web");
        LinkedBlockingQueue<HealReport> reports = new LinkedBlockingQueue<>();
        try (AutoHealer auto = AutoHealer.of(healer, Set.of("web"), reports::add);
             HealthMonitor monitor = HealthMonitor.builder(fx.registry).localTransports(fx.transports).listener(auto)
                     .scheduling(false).start()) {
            assertThat(monitor.checkNow("web").get(20, TimeUnit.SECONDS).state()).isEqualTo(HealthState.HEALTHY);
            clock.advance(Duration.ofSeconds(11)); // past the back-off of the first heal
            try (Transport t = fx.transport()) {
                t.exec(Command.of("kill", "-KILL", "--", "-" + before));
            }
            assertThat(monitor.checkNow("web").get(20, TimeUnit.SECONDS).state()).isEqualTo(HealthState.UNHEALTHY);
            HealReport r = reports.poll(60, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.outcome()).as(r.toString()).isEqualTo(HealReport.Outcome.HEALED);
            assertThat(r.actions()).extracting(HealReport.Action::playbook)
                    .as("killed without an exit record: its PID file names a process that is gone")
                    .containsExactly("remove-stale-pid-file", "restart");
            assertThat(pid("web")).isNotEqualTo(before);
            assertThat(Processes.running(pid("web"))).isTrue();
            assertThat(monitor.checkNow("web").get(20, TimeUnit.SECONDS).state()).isEqualTo(HealthState.HEALTHY);

            // db is not opted in: it turns unhealthy and stays so.
            try (Transport t = fx.transport()) {
                t.exec(Command.of("kill", "-KILL", "--", "-" + pid("db")));
            }
            assertThat(monitor.checkNow("db").get(20, TimeUnit.SECONDS).state()).isEqualTo(HealthState.UNHEALTHY);
            assertThat(reports.poll(300, TimeUnit.MILLISECONDS)).isNull();
            assertThat(List.of(monitor.snapshot("db").orElseThrow().state())).containsExactly(HealthState.UNHEALTHY);
        }
    }
}

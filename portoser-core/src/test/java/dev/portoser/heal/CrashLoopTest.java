package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.LocalProcessDeployer;
import dev.portoser.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash-looping process (it exits with status 3 until a file appears) under a policy of 10 s doubling, 3
 * attempts per 30 minutes, reset after 10 minutes healthy; the clock is moved by hand, so nothing sleeps.
 */
class CrashLoopTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    LocalFixture fx;
    final TestClock clock = new TestClock();
    final List<HealEvent> events = new CopyOnWriteArrayList<>();
    final LocalProcessDeployer deployer = new LocalProcessDeployer(Duration.ofSeconds(3), 1 << 20);
    Healer healer;

    @BeforeEach
    void setUp() throws Exception {
        fx = new LocalFixture(home, site, "test -f ok || exit 3; exec python3 -m http.server $PORT --bind 127.0.0.1");
        HealingPolicy policy = HealingPolicy.DEFAULT.withBackoff(Duration.ofSeconds(10), 2, Duration.ofMinutes(5), 0)
                .withCircuitBreaker(3, Duration.ofMinutes(30)).withResetAfterHealthy(Duration.ofMinutes(10));
        healer = Healer.builder(fx.registry).localTransports(fx.transports).policy("web", policy).clock(clock)
                .listener(events::add).healthTimeout(Duration.ofSeconds(20)).build();
        start("db");
        LocalFixture.awaitListening(fx.dbPort);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    void start(String name) {
        try (Transport t = fx.transport()) {
            var s = fx.registry.service(name).orElseThrow();
            deployer.start(new DeployContext(s, fx.machine, t, s.port(), Duration.ofSeconds(30)));
        }
    }

    Duration nextAttemptIn() {
        return Duration.between(clock.instant(), healer.budget("web").admit(clock.instant()).from());
    }

    @Test
    void backOffGrowsTheCircuitOpensAfterThreeAttemptsAndEverythingResetsAfterAHealthyPeriod() throws Exception {
        HealReport first = healer.heal("web");
        assertThat(first.outcome()).as(first.toString()).isEqualTo(HealReport.Outcome.FAILED);
        assertThat(nextAttemptIn()).isEqualTo(Duration.ofSeconds(10));
        assertThat(healer.heal("web").outcome()).as("backing off").isEqualTo(HealReport.Outcome.REFUSED);

        clock.advance(Duration.ofSeconds(10));
        HealReport second = healer.heal("web");
        assertThat(second.outcome()).isEqualTo(HealReport.Outcome.FAILED);
        assertThat(second.diagnoses()).extracting(Diagnosis::fingerprint).containsExactly(FailurePatterns.PROCESS_EXITS);
        assertThat(second.diagnoses().get(0).cause()).contains("status 3");
        assertThat(nextAttemptIn()).isEqualTo(Duration.ofSeconds(20));

        clock.advance(Duration.ofSeconds(20));
        assertThat(healer.heal("web").outcome()).isEqualTo(HealReport.Outcome.FAILED);
        assertThat(nextAttemptIn()).as("the circuit is open: three attempts within 30 minutes")
                .isEqualTo(Duration.ofMinutes(30).minusSeconds(30));
        clock.advance(Duration.ofSeconds(40));
        HealReport refused = healer.heal("web");
        assertThat(refused.outcome()).isEqualTo(HealReport.Outcome.REFUSED);
        assertThat(refused.detail()).contains("circuit is open");
        assertThat(events).anyMatch(e -> e.kind() == HealEvent.Kind.CIRCUIT_OPEN);
        long restarts = events.stream().filter(e -> e.kind() == HealEvent.Kind.RESTARTED).count();
        assertThat(restarts).isEqualTo(3);

        // The user fixes it; once it has been healthy for 10 minutes, the counters reset.
        Files.writeString(fx.site.resolve("web/ok"), "");
        start("web");
        LocalFixture.awaitListening(fx.webPort);
        assertThat(healer.heal("web").outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        assertThat(healer.budget("web").attemptsInARow()).as("not yet: healthy for 0 s").isEqualTo(3);
        clock.advance(Duration.ofMinutes(10));
        assertThat(healer.heal("web").outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        assertThat(healer.budget("web").attemptsInARow()).isZero();
        assertThat(events).anyMatch(e -> e.kind() == HealEvent.Kind.COUNTERS_RESET);

        // It breaks again: healing may start at once, and the back-off starts from 10 s again.
        Instant now = clock.instant();
        assertThat(healer.budget("web").admit(now).allowed()).isTrue();
        healer.budget("web").attempted(now);
        assertThat(nextAttemptIn()).isEqualTo(Duration.ofSeconds(10));
    }
}

package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.LocalProcessDeployer;
import dev.portoser.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy counters kept under the state directory: every heal is made by a new healer (as every {@code portoser
 * heal} is a new process), and still the back-off grows, the circuit opens after three attempts, and only a healthy
 * period resets them. A real crash-looping process; the clock is moved by hand, so nothing sleeps.
 */
class PersistedBudgetTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    @TempDir
    Path state;
    LocalFixture fx;
    final TestClock clock = new TestClock();
    final List<HealEvent> events = new CopyOnWriteArrayList<>();
    final LocalProcessDeployer deployer = new LocalProcessDeployer(Duration.ofSeconds(3), 1 << 20);
    final HealingPolicy policy = HealingPolicy.DEFAULT.withBackoff(Duration.ofSeconds(10), 2, Duration.ofMinutes(5), 0)
            .withCircuitBreaker(3, Duration.ofMinutes(30)).withResetAfterHealthy(Duration.ofMinutes(10));

    @BeforeEach
    void setUp() throws Exception {
        fx = new LocalFixture(home, site, "test -f ok || exit 3; exec python3 -m http.server $PORT --bind 127.0.0.1");
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

    /** A healer as one CLI invocation makes it: nothing in memory from the last. */
    Healer healer() {
        return Healer.builder(fx.registry).localTransports(fx.transports).policy("web", policy).clock(clock)
                .listener(events::add).healthTimeout(Duration.ofSeconds(20)).budgetsUnder(state).build();
    }

    HealReport heal() throws InterruptedException {
        return healer().heal("web");
    }

    @Test
    void theCircuitOpensAcrossHealersAndResetsOnlyAfterAHealthyPeriod() throws Exception {
        assertThat(heal().outcome()).isEqualTo(HealReport.Outcome.FAILED);
        HealReport backingOff = heal();
        assertThat(backingOff.outcome()).as("a new healer still backs off").isEqualTo(HealReport.Outcome.REFUSED);
        assertThat(backingOff.detail()).contains("backing off after 1 attempt");
        assertThat(state.resolve("healing/web.json")).isRegularFile();

        clock.advance(Duration.ofSeconds(10));
        assertThat(heal().outcome()).isEqualTo(HealReport.Outcome.FAILED);
        clock.advance(Duration.ofSeconds(20));
        assertThat(heal().outcome()).isEqualTo(HealReport.Outcome.FAILED);
        clock.advance(Duration.ofSeconds(40));
        HealReport open = heal();
        assertThat(open.outcome()).isEqualTo(HealReport.Outcome.REFUSED);
        assertThat(open.detail()).contains("3 attempts within PT30M").contains("circuit is open");
        assertThat(events).anyMatch(e -> e.kind() == HealEvent.Kind.CIRCUIT_OPEN);
        assertThat(events.stream().filter(e -> e.kind() == HealEvent.Kind.RESTARTED).count()).isEqualTo(3);

        // Fixed by the user. Seen healthy: the healthy period starts, but a reload resets nothing.
        Files.writeString(fx.site.resolve("web/ok"), "");
        start("web");
        LocalFixture.awaitListening(fx.webPort);
        assertThat(heal().outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        clock.advance(Duration.ofMinutes(9));
        assertThat(heal().outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        assertThat(healer().budget("web").attemptsInARow()).as("healthy for 9 minutes only").isEqualTo(3);
        assertThat(events).noneMatch(e -> e.kind() == HealEvent.Kind.COUNTERS_RESET);

        clock.advance(Duration.ofMinutes(1));
        assertThat(heal().outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        assertThat(events).anyMatch(e -> e.kind() == HealEvent.Kind.COUNTERS_RESET);
        Healer fresh = healer();
        assertThat(fresh.budget("web").attemptsInARow()).isZero();
        assertThat(fresh.budget("web").admit(clock.instant()).allowed()).isTrue();
    }

    @Test
    void aGarbledCountersFileIsMovedAsideReportedOnceAndHealingGoesOn() throws Exception {
        Files.createDirectories(state.resolve("healing"));
        Files.writeString(state.resolve("healing/web.json"), "{\"schemaVersion\": 1, \"counters\": {\"inARow\": ");
        Healer healer = healer();
        assertThat(healer.heal("web").outcome()).as("fresh counters: an attempt is made")
                .isEqualTo(HealReport.Outcome.FAILED);
        List<String> warnings = healer.drainWarnings();
        assertThat(warnings).singleElement().asString().contains("web.json").contains("moved it aside to web.json"
                + ".corrupt-").contains("fresh counters");
        assertThat(healer.drainWarnings()).isEmpty();
        try (var listing = Files.list(state.resolve("healing"))) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList()).anyMatch(n -> n.startsWith(
                    "web.json.corrupt-")).contains("web.json");
        }
        assertThat(healer().budget("web").attemptsInARow()).as("the new file was written").isEqualTo(1);
    }
}

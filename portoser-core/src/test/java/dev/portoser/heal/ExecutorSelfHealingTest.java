package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.Processes;
import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.exec.StepOutcome;
import dev.portoser.exec.StepResult;
import dev.portoser.plan.Planner;
import dev.portoser.state.FileStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor heals before it gives up: our own instance left running by a dead controller (its PID files gone)
 * holds the port; with a healer the deploy stops it and succeeds on the retry, without one it fails.
 */
class ExecutorSelfHealingTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    @TempDir
    Path state;
    LocalFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new LocalFixture(home, site);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private long strandOurOwnInstance(Executor executor) throws Exception {
        assertThat(executor.run(fx.registry, Planner.of(fx.registry).deploy("web")).succeeded()).isTrue();
        long stale = Long.parseLong(Files.readString(fx.runDir().resolve("web.pid")).strip());
        fx.alsoKillGroup(stale);
        for (String f : new String[] {"web.pid", "web.pid.start", "web.pid.config"}) {
            Files.delete(fx.runDir().resolve(f));
        }
        return stale;
    }

    @Test
    void aDeployBlockedByOurOwnStaleInstanceIsHealedAndSucceeds() throws Exception {
        FailureHealer healer = FailureHealer.of(r -> Healer.builder(r).localTransports(fx.transports)
                .clock(new TestClock()).build());
        try (Executor executor = Executor.builder().localTransports(fx.transports).state(new FileStateStore(state))
                .healer(healer).build()) {
            long stale = strandOurOwnInstance(executor);
            RunResult result = executor.run(fx.registry, Planner.of(fx.registry).deploy("web"));
            StepResult web = result.service("web").orElseThrow();
            assertThat(web.outcome()).as(result.render()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(web.detail()).startsWith("healed (");
            assertThat(Processes.running(stale)).as("the stale instance was stopped").isFalse();
            long now = Long.parseLong(Files.readString(fx.runDir().resolve("web.pid")).strip());
            assertThat(Processes.running(now)).isTrue();
        }
    }

    @Test
    void withoutAHealerTheSameDeployFails() throws Exception {
        try (Executor executor = Executor.builder().localTransports(fx.transports).state(new FileStateStore(state))
                .build()) {
            long stale = strandOurOwnInstance(executor);
            RunResult result = executor.run(fx.registry, Planner.of(fx.registry).deploy("web"));
            assertThat(result.service("web").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(Processes.running(stale)).isTrue();
        }
    }
}

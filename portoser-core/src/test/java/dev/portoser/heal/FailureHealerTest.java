package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.DeployException;
import dev.portoser.deploy.LocalProcessDeployer;
import dev.portoser.deploy.Processes;
import dev.portoser.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook an executor calls before it rolls back: it fixes the cause (our stale instance on the port) without
 * starting the service, so the caller's one retry succeeds; a foreign listener is not fixed, so the caller rolls back.
 */
class FailureHealerTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    LocalFixture fx;
    final LocalProcessDeployer deployer = new LocalProcessDeployer(Duration.ofSeconds(3), 1 << 20);

    @BeforeEach
    void setUp() throws Exception {
        fx = new LocalFixture(home, site);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    void deploy(String name) {
        try (Transport t = fx.transport()) {
            var s = fx.registry.service(name).orElseThrow();
            deployer.deploy(new DeployContext(s, fx.machine, t, s.port(), Duration.ofSeconds(30)));
        }
    }

    @Test
    void theCauseIsFixedWithoutStartingTheServiceAndTheRetrySucceeds() throws Exception {
        deploy("db");
        LocalFixture.awaitListening(fx.dbPort);
        deploy("web");
        LocalFixture.awaitListening(fx.webPort);
        long stale = Long.parseLong(Files.readString(fx.runDir().resolve("web.pid")).strip());
        fx.alsoKillGroup(stale);
        for (String f : new String[] {"web.pid", "web.pid.start", "web.pid.config"}) {
            Files.delete(fx.runDir().resolve(f));
        }
        String failure;
        try {
            deploy("web");
            throw new AssertionError("the port is taken");
        } catch (DeployException e) {
            failure = e.getMessage();
        }
        FailureHealer hook = FailureHealer.of(r -> Healer.builder(r).localTransports(fx.transports)
                .clock(new TestClock()).build());
        assertThat(hook.healBeforeRetry(fx.registry, "web", failure)).isTrue();
        assertThat(Processes.running(stale)).isFalse();
        assertThat(fx.runDir().resolve("web.pid")).as("the healer did not start it: the caller retries")
                .doesNotExist();
        deploy("web");
        assertThat(fx.runDir().resolve("web.pid")).exists();
    }

    @Test
    void aForeignListenerIsNotFixedSoTheCallerRollsBack() throws Exception {
        deploy("db");
        LocalFixture.awaitListening(fx.dbPort);
        Process foreign = fx.foreignServer(fx.webPort);
        FailureHealer hook = FailureHealer.of(Healer.builder(fx.registry).localTransports(fx.transports)
                .clock(new TestClock()).build());
        assertThat(hook.healBeforeRetry(fx.registry, "web", "port in use")).isFalse();
        assertThat(foreign.isAlive()).isTrue();
        assertThat(FailureHealer.NONE.healBeforeRetry(fx.registry, "web", "x")).isFalse();
    }
}

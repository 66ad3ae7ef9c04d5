package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.LocalProcessDeployer;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.health.HealthStatus;
import dev.portoser.heal.Observation.PortOwner.Owner;
import dev.portoser.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The observer on real processes of this machine. */
class ObserverTest {
    @TempDir
    Path home;
    @TempDir
    Path site;
    LocalFixture fx;
    Observer observer;
    final LocalProcessDeployer deployer = new LocalProcessDeployer(Duration.ofSeconds(3), 1 << 20);

    @BeforeEach
    void setUp() throws Exception {
        fx = new LocalFixture(home, site);
        observer = Observer.builder(fx.registry).localTransports(fx.transports).build();
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
    void aForeignListenerOnThePortIsNamedWithItsPidAndCommand() throws Exception {
        Process foreign = fx.foreignServer(fx.webPort);
        Observations o = observer.observe("web");
        Observation.PortOwner port = o.first(Observation.PortOwner.class).orElseThrow();
        assertThat(port.owner()).isEqualTo(Owner.FOREIGN);
        assertThat(port.pid()).isEqualTo(foreign.pid());
        assertThat(port.command()).contains("http.server").contains(String.valueOf(fx.webPort));
        assertThat(o.reachable()).isTrue();
    }

    @Test
    void ourOwnRunningInstanceOnItsPortIsOursAndHealthy() throws Exception {
        deploy("web");
        LocalFixture.awaitListening(fx.webPort);
        Observations o = observer.observe("web");
        assertThat(o.first(Observation.PortOwner.class).orElseThrow().owner()).isEqualTo(Owner.OURS);
        assertThat(o.first(Observation.Instance.class).orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(o.first(Observation.PidFile.class).orElseThrow().ours()).isTrue();
        assertThat(o.first(Observation.Executable.class).orElseThrow().found()).isTrue();
        assertThat(o.first(Observation.PathAccess.class).orElseThrow().directory()).isTrue();
        assertThat(o.all(Observation.DiskUsage.class)).isNotEmpty();
        assertThat(o.first(Observation.Health.class).orElseThrow().status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(o.first(Observation.Dependency.class).orElseThrow().healthy()).as("db is stopped").isFalse();
    }

    @Test
    void anInstanceWhoseRecordsAreLostIsAStaleOneOfOurs() throws Exception {
        deploy("web");
        LocalFixture.awaitListening(fx.webPort);
        long leader = Long.parseLong(Files.readString(fx.runDir().resolve("web.pid")).strip());
        fx.alsoKillGroup(leader);
        for (String f : new String[] {"web.pid", "web.pid.start", "web.pid.config"}) {
            Files.delete(fx.runDir().resolve(f));
        }
        Observation.PortOwner port = observer.observe("web").first(Observation.PortOwner.class).orElseThrow();
        assertThat(port.owner()).isEqualTo(Owner.OURS_STALE);
        assertThat(port.service()).isEqualTo("web");
    }

    @Test
    void aPidFileNamingAForeignProcessIsSeenAsNotOurs() throws Exception {
        Process sleeper = fx.foreignSleeper();
        Files.createDirectories(fx.runDir());
        Files.writeString(fx.runDir().resolve("web.pid"), sleeper.pid() + "\n");
        Files.writeString(fx.runDir().resolve("web.pid.start"), sleeper.pid() + " 1\n");
        Observation.PidFile pid = observer.observe("web").first(Observation.PidFile.class).orElseThrow();
        assertThat(pid.present()).isTrue();
        assertThat(pid.pid()).isEqualTo(sleeper.pid());
        assertThat(pid.alive()).isTrue();
        assertThat(pid.ours()).isFalse();
        assertThat(pid.command()).contains("sleep 300");
    }

    @Test
    void aMissingProgramAndPathAreSeen() throws Exception {
        LocalFixture other = new LocalFixture(home, site.resolve("nowhere"), "exec no-such-program-xyz --flag");
        try {
            Files.delete(site.resolve("nowhere/web"));
            Observations o = Observer.builder(other.registry).localTransports(other.transports).build().observe("web");
            assertThat(o.first(Observation.PathAccess.class).orElseThrow().exists()).isFalse();
            assertThat(o.first(Observation.Executable.class).orElseThrow().found()).isFalse();
        } finally {
            other.close();
        }
    }
}

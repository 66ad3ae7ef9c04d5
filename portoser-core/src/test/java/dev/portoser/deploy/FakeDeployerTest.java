package dev.portoser.deploy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.ServiceType;
import dev.portoser.transport.LocalTransport;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The in-memory fake passes the same contract as the real deployers. */
class FakeDeployerTest extends DeployerContract {
    @TempDir
    static Path home;
    final FakeDeployer fake = new FakeDeployer(ServiceType.LOCAL);

    @Override
    protected Deployer deployer() {
        return fake;
    }

    @Override
    protected DeployContext context(int variant) {
        Registry registry = Registry.parse("""
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web:
                    type: local
                    path: /srv/web
                    machine: here
                    command: ./run
                    env: {VARIANT: "%d"}
                """.formatted(variant));
        Machine machine = registry.machine("here").orElseThrow();
        return new DeployContext(registry.service("web").orElseThrow(), machine, new LocalTransport(machine, home),
                null, Duration.ofSeconds(5));
    }

    @Override
    protected void crash(DeployContext context) {
        fake.crash(context);
    }
}

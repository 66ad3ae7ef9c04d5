package dev.portoser.deploy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import dev.portoser.transport.LocalTransport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalProcessDeployer} passes the contract on this machine, with a real {@code python3 -m http.server}. */
class LocalProcessDeployerContractTest extends DeployerContract {
    @TempDir
    Path home;
    @TempDir
    Path site;

    final LocalProcessDeployer deployer = new LocalProcessDeployer(Duration.ofSeconds(3), 1 << 20);
    LocalTransport transport;
    int port;

    @BeforeEach
    void setUp() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    @Override
    protected void cleanUp() {
        if (transport != null) {
            transport.exec(Command.script(KillRecorded.SCRIPT));
            transport.close();
        }
    }

    @Override
    protected Deployer deployer() {
        return deployer;
    }

    @Override
    protected DeployContext context(int variant) {
        Registry registry = Registry.parse("""
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web: {type: local, path: %s, machine: here, port: %d, env: {VARIANT: "%d"},
                        command: "exec python3 -m http.server $PORT --bind 127.0.0.1"}
                """.formatted(site, port, variant));
        Machine machine = registry.machine("here").orElseThrow();
        if (transport == null) {
            transport = new LocalTransport(machine, home);
        }
        return new DeployContext(registry.service("web").orElseThrow(), machine, transport, port,
                java.util.Map.of(), Duration.ofSeconds(30), ConfigDigest.perProcess());
    }

    @Override
    protected void crash(DeployContext context) {
        transport.exec(Command.script(KillRecorded.SCRIPT, "web"));
    }
}

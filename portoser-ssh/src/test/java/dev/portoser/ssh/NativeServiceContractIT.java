package dev.portoser.ssh;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.DeployerContract;
import dev.portoser.deploy.NativeServiceDeployer;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link NativeServiceDeployer} passes the deployer contract on a real systemd, over SSH, as root (a system unit).
 * systemd restarts a crashed unit by itself; the restart delay here is long enough that the test sees the crash.
 */
class NativeServiceContractIT extends DeployerContract {
    static SystemdHost host;
    static Transport transport;
    static final NativeServiceDeployer DEPLOYER = new NativeServiceDeployer(Duration.ofSeconds(60));

    @BeforeAll
    static void startHost() throws Exception {
        host = SystemdHost.get();
        transport = host.ssh.open(host.root);
        SystemdHost.sh(transport, "mkdir -p /srv/contract");
    }

    @AfterAll
    static void close() {
        if (transport != null) {
            SystemdHost.sh(transport, "rm -rf /srv/contract");
            transport.close();
        }
    }

    @Override
    protected Deployer deployer() {
        return DEPLOYER;
    }

    @Override
    protected DeployContext context(int variant) {
        Registry registry = Registry.parse("""
                machines:
                  %s
                services:
                  contract:
                    type: native
                    path: /srv/contract
                    machine: %s
                    command: sleep 100000
                    env: {VARIANT: "%d"}
                """.formatted(SystemdHost.yaml(host.root), host.root.name(), variant));
        Machine m = registry.machine(host.root.name()).orElseThrow();
        return new DeployContext(registry.service("contract").orElseThrow(), m, transport, null, Duration.ofSeconds(60));
    }

    @Override
    protected void crash(DeployContext context) {
        SystemdHost.sh(transport, "kill -KILL \"$(systemctl show -p MainPID --value portoser-contract.service)\"");
    }
}

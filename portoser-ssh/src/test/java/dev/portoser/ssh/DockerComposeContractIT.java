package dev.portoser.ssh;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.DeployerContract;
import dev.portoser.deploy.DockerComposeDeployer;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link DockerComposeDeployer} passes the deployer contract on a real Docker engine, over SSH. */
class DockerComposeContractIT extends DeployerContract {
    static DockerHost host;
    static Transport transport;
    static final DockerComposeDeployer DEPLOYER = new DockerComposeDeployer(Duration.ofSeconds(2));

    /** The machine to deploy to: the host as its port-22 logins see it (Compose v2 where obtainable). */
    Machine target() {
        return host.machine;
    }

    @BeforeAll
    static void startHost() throws Exception {
        host = DockerHost.get();
        transport = host.open();
        DockerHost.sh(transport, """
                mkdir -p /root/contract && cat > /root/contract/docker-compose.yml <<'YML'
                services:
                  app:
                    image: portoser/busybox:1
                    command: ["httpd", "-f", "-p", "8080", "-h", "/"]
                    init: true
                YML
                """);
    }

    static final java.util.Map<String, Transport> TRANSPORTS = new java.util.concurrent.ConcurrentHashMap<>();

    static Transport transportTo(Machine m) {
        return m.sshPort() == host.machine.sshPort() ? transport : TRANSPORTS.computeIfAbsent(m.name(), n -> host.ssh.open(m));
    }

    @AfterAll
    static void close() {
        TRANSPORTS.values().forEach(Transport::close);
        TRANSPORTS.clear();
        if (transport != null) {
            DockerHost.sh(transport, "rm -rf /root/contract");
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
                    type: docker
                    path: /root/contract
                    machine: %s
                    env: {VARIANT: "%d"}
                """.formatted(DockerHost.yaml(target()), target().name(), variant));
        Machine m = registry.machine(target().name()).orElseThrow();
        return new DeployContext(registry.service("contract").orElseThrow(), m, transportTo(m), null,
                Duration.ofSeconds(60));
    }

    @Override
    protected void crash(DeployContext context) {
        DockerHost.sh(transport, "docker kill $(docker ps -q --filter label=com.docker.compose.project=$1)",
                DockerComposeDeployer.projectName(context.service()));
    }
}

package dev.portoser.ssh;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.DeployerContract;
import dev.portoser.deploy.DockerComposeDeployer;
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

    @AfterAll
    static void close() {
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
                  docker: {host: %s, user: root, platform: linux, ssh_key: %s}
                services:
                  contract:
                    type: docker
                    path: /root/contract
                    machine: docker
                    env: {VARIANT: "%d"}
                """.formatted(host.machine.host(), host.machine.sshKey(), variant));
        return new DeployContext(registry.service("contract").orElseThrow(), registry.machine("docker").orElseThrow(),
                transport, null, Duration.ofSeconds(60));
    }

    @Override
    protected void crash(DeployContext context) {
        DockerHost.sh(transport, "docker kill $(docker ps -q --filter label=com.docker.compose.project=$1)",
                DockerComposeDeployer.projectName(context.service()));
    }
}

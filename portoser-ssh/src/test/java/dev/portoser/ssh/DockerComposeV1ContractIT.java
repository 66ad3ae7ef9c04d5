package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.DockerComposeDeployer;
import dev.portoser.registry.Machine;
import org.junit.jupiter.api.Test;

/**
 * The same contract where the machine has only Compose v1 ({@code docker-compose}): the deployer detects it and
 * falls back. The docker host's logins on port 2222 see no v2 plugin.
 */
class DockerComposeV1ContractIT extends DockerComposeContractIT {
    @Override
    Machine target() {
        assertThat(host.machineV1).as("Compose v1 (docker-compose) is installed on the docker host").isNotNull();
        return host.machineV1;
    }

    @Test
    void theMachineIsDetectedAsHavingOnlyComposeV1() throws Exception {
        DockerComposeDeployer.ComposeCli cli = DEPLOYER.compose(context(0));
        assertThat(cli.flavor()).isEqualTo(DockerComposeDeployer.Flavor.V1);
        assertThat(cli.hasWait()).isFalse();
        assertThat(DEPLOYER.explain(context(0))).contains("compose: docker-compose 1.");
    }
}

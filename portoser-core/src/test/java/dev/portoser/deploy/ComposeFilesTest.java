package dev.portoser.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import dev.portoser.transport.LocalTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The files {@link DockerComposeDeployer} generates, and what it reads of the user's Compose file. */
class ComposeFilesTest {
    @TempDir
    Path home;

    static Service service(String extra) {
        return Registry.parse("""
                machines:
                  m: {host: h, user: u, platform: linux}
                services:
                  api:
                    type: docker
                    path: /srv/api
                    machine: m
                %s
                """.formatted(extra.indent(4))).service("api").orElseThrow();
    }

    DeployContext context(Service s, Map<String, Secret> secrets) {
        Machine m = new Machine("m", "h", "u", dev.portoser.registry.Platform.LINUX, 22, "~/.ssh/id", null, null, null,
                null, List.of());
        return new DeployContext(s, m, new LocalTransport(m, home), 8080, secrets, Duration.ofSeconds(5));
    }

    @Test
    void theUsersFileTellsItsServicesVersionAndTheVolumesNamedAfterTheProject() {
        ComposeFiles.UserFile f = ComposeFiles.read("""
                version: "3.8"
                services: {api: {image: a}, db: {image: b}}
                volumes:
                  data: {}
                  cache:
                  fixed: {name: fixed_name}
                  outside: {external: true}
                """);
        assertThat(f.parsed()).isTrue();
        assertThat(f.version()).isEqualTo("3.8");
        assertThat(f.services()).containsExactly("api", "db");
        assertThat(f.projectVolumes()).containsExactly("data", "cache");
        assertThat(ComposeFiles.read("services: {api: [").parsed()).isFalse();
    }

    @Test
    void theOverrideCarriesTheEnvFileResourcesAndPortAndParsesBackAsYaml() {
        Service s = service("port_mapping: {host: 8080, container: 80}\nresources: {memory: 512MiB, cpus: 0.5}");
        ComposeFiles.UserFile f = ComposeFiles.read("services: {api: {image: a}, db: {image: b}}");
        String override = ComposeFiles.override(s, f, "/home/u/.portoser/compose/api/portoser.env");

        Map<?, ?> doc = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(override);
        Map<?, ?> api = (Map<?, ?>) ((Map<?, ?>) doc.get("services")).get("api");
        Map<?, ?> db = (Map<?, ?>) ((Map<?, ?>) doc.get("services")).get("db");
        assertThat(api.get("env_file")).isEqualTo(List.of("/home/u/.portoser/compose/api/portoser.env"));
        assertThat(api.get("ports")).isEqualTo(List.of("8080:80"));
        assertThat(db.get("ports")).as("the port goes to the service named like the registry's").isNull();
        assertThat(api.get("deploy").toString()).isEqualTo("{resources={limits={memory=512m, cpus=0.5}}}");
        assertThat(override).doesNotContain("version");
    }

    @Test
    void aFormat2FileGetsMemLimitAndItsVersionRepeated() {
        Service s = service("resources: {memory: 64M}");
        String override = ComposeFiles.override(s, ComposeFiles.read("version: '2.4'\nservices: {web: {image: a}}"),
                "/e");
        assertThat(override).contains("version: \"2.4\"").contains("mem_limit: \"64m\"").doesNotContain("deploy:");
    }

    @Test
    void aPortMappingWithSeveralServicesAndNoneNamedLikeTheServiceIsRefused() {
        Service s = service("port_mapping: {host: 8080, container: 80}");
        assertThatThrownBy(() -> ComposeFiles.override(s, ComposeFiles.read("services: {a: {}, b: {}}"), "/e"))
                .isInstanceOf(DeployException.class)
                .hasMessage("cannot apply port_mapping of api: its compose file docker-compose.yml has 2 services [a, b]"
                        + " and none is named api");
    }

    @Test
    void theEnvFileQuotesValuesLiterallyAndMasksOrVersionsSecrets() {
        Service s = service("env: {GREETING: \"hello $HOME # not a comment\"}");
        DeployContext c = context(s, Map.of("TOKEN", new Secret("s3cr3t", "4")));
        assertThat(ComposeFiles.envFile(c, ComposeFiles.SecretView.VALUE))
                .endsWith("PORT='8080'\nGREETING='hello $HOME # not a comment'\nTOKEN='s3cr3t'\n");
        assertThat(ComposeFiles.envFile(c, ComposeFiles.SecretView.MASKED)).contains("TOKEN='********'")
                .doesNotContain("s3cr3t");
        assertThat(ComposeFiles.envFile(c, ComposeFiles.SecretView.DIGEST)).contains("TOKEN='version 4'")
                .doesNotContain("s3cr3t");
        DeployContext quoted = context(s, Map.of("TOKEN", new Secret("it's", null)));
        assertThatThrownBy(() -> ComposeFiles.envFile(quoted, ComposeFiles.SecretView.VALUE))
                .hasMessageContaining("cannot pass TOKEN of api to Compose").hasMessageNotContaining("it's");
    }

    @Test
    void sizesBecomeComposeUnits() {
        assertThat(ComposeFiles.composeSize("512M")).isEqualTo("512m");
        assertThat(ComposeFiles.composeSize("1GiB")).isEqualTo("1g");
        assertThat(ComposeFiles.composeSize("100")).isEqualTo("100");
    }

    @Test
    void theDefaultProjectNameIsTheDirectorysBaseName() {
        assertThat(DockerComposeDeployer.defaultProjectName("/srv/My.App/")).isEqualTo("myapp");
        assertThat(DockerComposeDeployer.projectName(service(""))).isEqualTo("portoser-api");
    }

    @Test
    void statusIsConcludedFromTheContainers() {
        var running = new DockerComposeDeployer.Container("id1", "running", 0, "healthy", "api", "p-api-1");
        var crashed = new DockerComposeDeployer.Container("id2", "exited", 137, "", "db", "p-db-1");
        var done = new DockerComposeDeployer.Container("id3", "exited", 0, "", "init", "p-init-1");
        assertThat(DockerComposeDeployer.conclude(List.of(running, done), "d", false))
                .isEqualTo(ServiceStatus.running(List.of("id1"), "d", "1 container(s) running"));
        assertThat(DockerComposeDeployer.conclude(List.of(running, crashed), "d", false).state())
                .isEqualTo(ServiceStatus.State.FAILED);
        assertThat(DockerComposeDeployer.conclude(List.of(crashed), "d", true).state())
                .as("stopped by us").isEqualTo(ServiceStatus.State.STOPPED);
        assertThat(DockerComposeDeployer.conclude(List.of(), null, false).state()).isEqualTo(ServiceStatus.State.STOPPED);
        assertThat(DockerComposeDeployer.conclude(List.of(done), "d", false).state())
                .as("every container ended without being stopped").isEqualTo(ServiceStatus.State.FAILED);
    }

    @Test
    void whatTheDockerClientSaysBecomesOneLineThatNamesTheMachine() {
        Machine m = new Machine("web1", "h", "deploy", dev.portoser.registry.Platform.LINUX, 22, "~/.ssh/id", null, null,
                null, null, List.of());
        // Said by the Docker 28.2 and 20.10 clients on this machine, as a login outside the docker group.
        String denied = "\npermission denied while trying to connect to the Docker daemon socket at "
                + "unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version\": dial unix "
                + "/var/run/docker.sock: connect: permission denied\n";
        assertThat(DockerComposeDeployer.engineError(m, denied).getMessage())
                .startsWith("the login deploy on web1 may not use the Docker socket (add it to the docker group): "
                        + "permission denied while trying to connect").doesNotContain("\n");
        String down = "\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n";
        assertThat(DockerComposeDeployer.engineError(m, down).getMessage()).isEqualTo("Docker is not running on web1: "
                + "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?");
    }
}

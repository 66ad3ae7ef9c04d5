package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portoser registry import-bash}, on registries written the way the Bash Portoser's code reads them. */
class ImportBashCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private Path copy(String name) throws Exception {
        Path file = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("bash/" + name)) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aSmallDockerRegistryImportsValidWithOneGuess() throws Exception {
        Path old = copy("minimal.yml");
        Path target = dir.resolve("registry.yml");
        Run r = run("registry", "import-bash", old.toString(), "-o", target.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo(old + ":14:3: guessed: services.worker has no deployment_type; type is docker"
                + " (the Bash tool's default)\n" + old + ": 1 field not mapped or guessed; " + target + " is valid\n");
        Registry registry = Registry.load(target);
        assertThat(registry.machine("box").orElseThrow().host()).isEqualTo("10.0.0.5");
        assertThat(registry.machine("box").orElseThrow().user()).isEqualTo("deploy");
        Service api = registry.service("api").orElseThrow();
        assertThat(api.path()).isEqualTo("/srv/api");
        assertThat(api.port()).isEqualTo(8000);
        assertThat(api.health().endpoint()).isEqualTo("/healthz");
        assertThat(registry.service("worker").orElseThrow().dependsOn()).containsExactly("api");
    }

    @Test
    void aFullRegistryKeepsWhatMapsAndReportsTheRestWithLines() throws Exception {
        Path old = copy("registry.yml");
        Run r = run("registry", "import-bash", old.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        List<String> report = r.err().lines().toList();
        assertThat(report).contains(
                old + ":2:1: not mapped: version (the Bash schema's version)",
                old + ":5:1: not mapped: domain (DNS names are not managed here)",
                old + ":10:1: not mapped: caddy (Caddy is not managed here)",
                old + ":23:14: not mapped: hosts.pi1.context (Docker runs on the machine itself over SSH; no Docker"
                        + " context is used)",
                old + ":30:13: not mapped: hosts.mini.status (the state of a machine is observed, not stored in the"
                        + " registry)",
                old + ":31:3: guessed: hosts.nuc has no ssh_user; the Bash tool used $USER, so user is '"
                        + System.getProperty("user.name") + "'",
                old + ":42:19: not mapped: services.postgres.service_name (the Compose service key; Portoser manages"
                        + " the whole Compose project)",
                old + ":45:3: guessed: services.kag has no deployment_type; type is docker (the Bash tool's default)",
                old + ":61:22: guessed: services.web.healthcheck_url is https; checks here are plain HTTP on the"
                        + " service port",
                old + ":61:22: guessed: services.web.healthcheck_url names host web.internal; the check goes to the"
                        + " service's machine",
                old + ":58:19: not mapped: services.web start command: it is in the service.yml on the machine, which"
                        + " the import cannot read; set services.web.command",
                old + ":70:26: not mapped: services.exporter.healthcheck_command (health checks are http, tcp or"
                        + " process; a shell command is not one)");
        // The registry's own problems follow, then one summary line that says why it is not valid yet.
        assertThat(r.err()).contains("services.web.command").contains("services.exporter.command");
        assertThat(report.get(report.size() - 1)).isEqualTo(old + ": 21 fields not mapped or guessed; <output> is"
                + " not valid yet: fix the errors above, then run 'portoser registry validate'");

        // What maps is kept.
        String yaml = r.out();
        assertThat(yaml).contains("""
                  "mini":
                    host: "192.168.1.60"
                    user: "admin"
                    platform: "darwin"
                    ssh_port: 2222
                """).contains("""
                  "kag":
                    type: "docker"
                    path: "/opt/portoser/kag"
                    machine: "nuc"
                    compose_file: "compose.yaml"
                    port: 8600
                    health:
                      type: "http"
                      endpoint: "/health"
                      interval: 15
                    depends_on: ["postgres"]
                """).contains("""
                    tags: ["ingress", "dns"]
                """);

        // Given the commands the import could not know, the result is valid.
        String completed = yaml.replace("""
                    machine: "mini"
                """, """
                    machine: "mini"
                    command: "uv run web"
                """).replace("""
                    machine: "pi1"
                """, """
                    machine: "pi1"
                    command: "/usr/bin/node_exporter"
                """);
        Registry registry = Registry.parse(completed);
        assertThat(registry.services().keySet()).containsExactly("postgres", "kag", "web", "exporter");
        assertThat(registry.service("exporter").orElseThrow().serviceName()).isEqualTo("node-exporter");
    }

    @Test
    void anExistingOutputIsKeptUnlessForced() throws Exception {
        Path old = copy("minimal.yml");
        Path target = Files.writeString(dir.resolve("registry.yml"), "keep me\n");
        Run r = run("registry", "import-bash", old.toString(), "-o", target.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("portoser: " + target + " exists; choose another file or add --force\n");
        assertThat(Files.readString(target)).isEqualTo("keep me\n");
        assertThat(run("registry", "import-bash", old.toString(), "-o", target.toString(), "--force").exitCode())
                .isZero();
    }

    @Test
    void aFileThatIsNotABashRegistryIsOneLine() throws Exception {
        Path notYaml = Files.writeString(dir.resolve("bad.yml"), "hosts: [\n", StandardCharsets.UTF_8);
        Run r = run("registry", "import-bash", notYaml.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("portoser: " + notYaml + ":2:1: not valid YAML: ").doesNotContain("Exception");
        Path ours = Files.writeString(dir.resolve("ours.yml"), "machines: {}\nservices: {}\n");
        Run o = run("registry", "import-bash", ours.toString());
        assertThat(o.err()).isEqualTo("portoser: " + ours + ":1:1: no hosts: mapping, so this is not a Bash"
                + " Portoser registry\n");
    }
}

package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portoser machine ...}, {@code service ...} and {@code registry reload}, run as separate processes. */
class RegistryEditIT {
    private static final String REGISTRY = """
            # our machines
            machines:
              m1:
                host: "192.168.0.245"   # the main box
                user: admin
                platform: darwin

            services:
              db:
                type: docker
                path: /opt/db
                machine: m1
                port: 5432

              web:
                type: local
                path: /opt/web
                machine: m1
                command: ./web
                port: 8080
                depends_on:
                  - db
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CliProcess.Result run(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--registry");
        all.add("registry.yml");
        return CliProcess.run(dir, Map.of(), all.toArray(String[]::new));
    }

    private String registry() throws Exception {
        return Files.readString(dir.resolve("registry.yml"));
    }

    @Test
    void machineVerbsAddUpdateShowListAndRemoveKeepingEveryOtherByte() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), REGISTRY);
        CliProcess.Result add = run("machine", "add", "--name", "mini1", "--host", "192.168.0.96", "--user", "ubuntu",
                "--platform", "linux", "--tag", "production,linux");
        assertThat(add.exitCode()).as(add.stderr()).isZero();
        assertThat(add.stdout().strip()).isEqualTo("registry.yml: added machine 'mini1'");
        assertThat(registry()).isEqualTo(REGISTRY.replace("    platform: darwin\n", """
                    platform: darwin
                  mini1:
                    host: 192.168.0.96
                    user: ubuntu
                    platform: linux
                    tags: [production, linux]
                """));
        assertThat(dir.resolve("registry.yml.bak")).hasContent(REGISTRY);

        CliProcess.Result update = run("machine", "update", "mini1", "--host", "10.0.0.7", "--port", "2222");
        assertThat(update.exitCode()).as(update.stderr()).isZero();
        assertThat(registry()).contains("    host: 10.0.0.7\n    user: ubuntu\n    platform: linux\n"
                + "    tags: [production, linux]\n    port: 2222\n");

        CliProcess.Result show = run("machine", "show", "mini1", "--json");
        assertThat(show.exitCode()).isZero();
        JsonNode doc = JSON.readTree(show.stdout());
        assertThat(doc.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(doc.at("/machine/host").asText()).isEqualTo("10.0.0.7");
        assertThat(doc.at("/machine/port").asInt()).isEqualTo(2222);
        assertThat(doc.at("/machine/tags/1").asText()).isEqualTo("linux");

        CliProcess.Result list = run("machine", "list", "--json");
        assertThat(JSON.readTree(list.stdout()).at("/machines/0/services").toString()).isEqualTo("[\"db\",\"web\"]");
        assertThat(run("machine", "list").stdout()).contains("m1               192.168.0.245            admin"
                + "        darwin   db, web");

        CliProcess.Result refused = run("machine", "remove", "m1");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr().strip()).isEqualTo("portoser: machine 'm1' is used by services db, web; move or "
                + "remove them first, or force the removal to remove them too");

        CliProcess.Result removed = run("machine", "remove", "mini1");
        assertThat(removed.exitCode()).isZero();
        assertThat(registry()).isEqualTo(REGISTRY);

        assertThat(run("machine", "show", "nowhere").exitCode()).isEqualTo(1);
        CliProcess.Result usage = run("machine", "add", "--host", "h");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.stderr()).contains("Missing required option: '--name=NAME'");
    }

    @Test
    void serviceVerbsAndTheirRefusals() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), REGISTRY);
        CliProcess.Result add = run("service", "add", "--name", "worker", "--type", "local", "--path", "/opt/worker",
                "--machine", "m1", "--command", "./work --queue a", "--depends-on", "db", "--env", "QUEUE=a",
                "--health-type", "process");
        assertThat(add.exitCode()).as(add.stderr()).isZero();
        assertThat(registry()).endsWith("""
                      - db

                  worker:
                    type: local
                    path: /opt/worker
                    machine: m1
                    command: ./work --queue a
                    depends_on: [db]
                    env:
                      QUEUE: a
                    health:
                      type: process
                """);

        CliProcess.Result duplicate = run("service", "add", "--name", "web", "--type", "local", "--path", "/opt/w",
                "--machine", "m1");
        assertThat(duplicate.exitCode()).isEqualTo(1);
        assertThat(duplicate.stderr().strip()).isEqualTo("portoser: service 'web' already exists; use update to "
                + "change it");

        CliProcess.Result unknownMachine = run("service", "update", "worker", "--machine", "m7");
        assertThat(unknownMachine.exitCode()).isEqualTo(1);
        assertThat(unknownMachine.stderr()).contains("registry.yml:27:14: error: services.worker.machine: unknown "
                + "machine 'm7'").contains("refused: the registry would be invalid; nothing was written");

        CliProcess.Result clash = run("service", "update", "worker", "--port", "8080");
        assertThat(clash.exitCode()).isEqualTo(1);
        assertThat(clash.stderr()).contains("port 8080 on machine 'm1' is already used by service 'web'");

        CliProcess.Result dependedOn = run("service", "remove", "db");
        assertThat(dependedOn.exitCode()).isEqualTo(1);
        assertThat(dependedOn.stderr().strip()).isEqualTo("portoser: service 'db' is a dependency of web, worker; "
                + "remove it from their depends_on first, or force the removal");

        String before = registry();
        CliProcess.Result update = run("service", "update", "web", "--port", "9000", "--unset", "depends_on");
        assertThat(update.exitCode()).as(update.stderr()).isZero();
        assertThat(registry()).isEqualTo(before.replace("    port: 8080\n    depends_on:\n      - db\n",
                "    port: 9000\n"));

        CliProcess.Result show = run("service", "show", "worker", "--json");
        JsonNode doc = JSON.readTree(show.stdout());
        assertThat(doc.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(doc.at("/service/dependsOn/0").asText()).isEqualTo("db");
        assertThat(doc.at("/service/env/0").asText()).isEqualTo("QUEUE");
        assertThat(doc.at("/service/health/type").asText()).isEqualTo("process");
        assertThat(run("service", "show", "web").stdout()).contains("port:         9000");

        CliProcess.Result list = run("service", "list", "--json");
        assertThat(JSON.readTree(list.stdout()).get("services")).extracting(n -> n.get("name").asText())
                .containsExactly("db", "web", "worker");
        assertThat(run("service", "list").stdout()).contains("web                  local   m1             9000");

        CliProcess.Result forced = run("service", "remove", "db", "--force");
        assertThat(forced.exitCode()).as(forced.stderr()).isZero();
        assertThat(forced.stdout()).contains("note: removed 'db' from the depends_on of service 'worker'")
                .contains("registry.yml: removed service 'db'");
        assertThat(run("service", "list", "--json").stdout()).doesNotContain("\"db\"");
        assertThat(run("service", "frobnicate").exitCode()).isEqualTo(2);
    }

    @Test
    void dryRunPrintsTheUnifiedDiffAndChangesNothing() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), REGISTRY);
        CliProcess.Result r = run("service", "update", "web", "--port", "9000", "--dry-run");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("""
                --- registry.yml
                +++ registry.yml (edited)
                @@ -17,6 +17,6 @@
                     path: /opt/web
                     machine: m1
                     command: ./web
                -    port: 8080
                +    port: 9000
                     depends_on:
                       - db
                """);
        assertThat(registry()).isEqualTo(REGISTRY);
        assertThat(dir.resolve("registry.yml.bak")).doesNotExist();
        CliProcess.Result machine = run("machine", "update", "m1", "--host", "10.0.0.1", "--dry-run");
        assertThat(machine.stdout()).contains("-  host: \"192.168.0.245\"   # the main box".replace("-  ", "-    "))
                .contains("+    host: \"10.0.0.1\"   # the main box");
        assertThat(registry()).isEqualTo(REGISTRY);
    }

    @Test
    void serviceMoveEditsTheRegistryAndShowsTheMigrationPlan() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), REGISTRY + """
                  api: {type: local, path: /opt/api, machine: m2, command: ./api}
                """.replace("services:", "").replaceFirst("^", "").indent(0)
                .replace("  api:", "  api:"));
        // add the second machine through the CLI
        assertThat(run("machine", "add", "--name", "m2", "--host", "10.0.0.2", "--user", "u", "--platform", "linux")
                .exitCode()).isZero();
        CliProcess.Result dry = run("service", "move", "web", "--machine", "m2", "--dry-run");
        assertThat(dry.exitCode()).as(dry.stderr()).isZero();
        assertThat(dry.stdout()).contains("-    machine: m1\n+    machine: m2\n")
                .contains("MIGRATE  web  m1 -> m2").contains("STOP     web  on m1");
        assertThat(registry()).contains("    machine: m1\n    command: ./web");

        CliProcess.Result moved = run("service", "move", "web", "--machine", "m2", "--no-deploy");
        assertThat(moved.exitCode()).as(moved.stderr()).isZero();
        assertThat(moved.stdout().strip()).isEqualTo("registry.yml: moved service 'web' to machine 'm2'");
        assertThat(registry()).contains("    machine: m2\n    command: ./web");
        CliProcess.Result again = run("service", "move", "web", "--machine", "m2", "--no-deploy");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr().strip()).isEqualTo("portoser: service 'web' already runs on machine 'm2'");
        assertThat(run("service", "move", "web").exitCode()).isEqualTo(2);

        // The history says web was deployed on m1 and never stopped there: a plain deploy moves it now.
        dev.portoser.registry.Service web = dev.portoser.registry.Registry.load(dir.resolve("registry.yml"))
                .service("web").orElseThrow();
        new dev.portoser.state.FileStateStore(dir.resolve("state")).record(new dev.portoser.state.DeploymentRecord(
                "r1", java.time.Instant.now(), "run-1", "web", "m1", "DEPLOY", "SUCCEEDED", java.time.Duration.ZERO,
                web.withMachine("m1"), "fp", 8080, true, "ctl", "started"));
        CliProcess.Result deploy = run("deploy", "web", "--dry-run", "--state-dir", "state");
        assertThat(deploy.exitCode()).as(deploy.stderr()).isZero();
        assertThat(deploy.stdout()).contains("MIGRATE  web  m1 -> m2").contains("runs on m1 since it was deployed")
                .contains("STOP     web  on m1");
    }

    @Test
    void aFailedMigrationGivesTheRegistryItsOldMachineBack() throws Exception {
        Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("app"));
        String registry = """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                  there: {host: 127.0.0.1, user: u, platform: linux, port: %d}
                services:
                  app: {type: local, path: %s, machine: here, command: ./app, port: 8080, health: {type: tcp}}
                """.formatted(freePort(), dir.resolve("app"));
        Files.writeString(dir.resolve("registry.yml"), registry);
        CliProcess.Result r = CliProcess.run(dir, Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + dir.resolve("home")),
                "service", "move", "app", "--machine", "there", "--registry", "registry.yml", "--state-dir",
                dir.resolve("state").toString(), "--no-rollback", "--known-hosts", dir.resolve("known_hosts").toString());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
        // Nothing listens on the target's SSH port: the migration fails at once and the old instance stays.
        assertThat(r.stdout()).contains("registry.yml: moved service 'app' to machine 'there'")
                .contains("MIGRATE app on there: FAILED").contains("STOP app on here: SKIPPED");
        assertThat(r.stderr()).contains("portoser: the migration of 'app' to 'there' failed; the registry says "
                + "'here' again");
        assertThat(registry()).isEqualTo(registry);
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void registryReloadValidatesAndSaysNoServerIsRunning() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), REGISTRY);
        Path state = Files.createDirectories(dir.resolve("state"));
        CliProcess.Result ok = run("registry", "reload", "--state-dir", state.toString());
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.stdout().strip()).isEqualTo("registry.yml: valid: 1 machines, 2 services\nno portoser serve is "
                + "running for " + state + "; every other command reads the file afresh");
        Files.writeString(dir.resolve("registry.yml"), REGISTRY.replace("darwin", "windows"));
        CliProcess.Result bad = run("registry", "reload");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.stdout()).contains("registry.yml:6:15: error: machines.m1.platform")
                .contains("registry.yml: invalid: not reloaded; fix it first");
    }

    @Test
    void theTopLevelHelpGivesEachCommandAWholeSentence() throws Exception {
        CliProcess.Result help = CliProcess.run(dir, Map.of(), "--help");
        String text = help.stdout();
        String commands = text.substring(text.indexOf("Commands:") + "Commands:".length(), text.indexOf("Exit codes:"));
        List<String> summaries = new ArrayList<>();
        for (String line : commands.split("\n")) {
            if (line.startsWith("  ") && !line.startsWith("    ")) {
                summaries.add(line.strip());
            } else if (!line.isBlank()) {
                summaries.set(summaries.size() - 1, summaries.get(summaries.size() - 1) + " " + line.strip());
            }
        }
        assertThat(summaries).hasSizeGreaterThanOrEqualTo(16)
                .anySatisfy(s -> assertThat(s).startsWith("machine "))
                .anySatisfy(s -> assertThat(s).startsWith("service "))
                .allSatisfy(s -> assertThat(s).endsWith("."));
    }
}

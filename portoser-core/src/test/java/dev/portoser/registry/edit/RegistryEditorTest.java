package dev.portoser.registry.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The editor changes exactly the bytes of what it edits, checks every edit, and saves safely. */
class RegistryEditorTest {
    static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @TempDir
    Path dir;

    static String rich() throws IOException {
        return Files.readString(Path.of("src/test/resources/edit/rich.yml"));
    }

    /** The rich registry as LF, CRLF, with a BOM, and both. */
    static Stream<Arguments> variants() throws IOException {
        String lf = rich();
        String crlf = lf.replace("\n", "\r\n");
        return Stream.of(Arguments.of("LF", bytes(lf, false)), Arguments.of("CRLF", bytes(crlf, false)),
                Arguments.of("BOM+LF", bytes(lf, true)), Arguments.of("BOM+CRLF", bytes(crlf, true)));
    }

    static byte[] bytes(String text, boolean bom) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        if (!bom) {
            return body;
        }
        byte[] out = new byte[body.length + 3];
        System.arraycopy(BOM, 0, out, 0, 3);
        System.arraycopy(body, 0, out, 3, body.length);
        return out;
    }

    Path write(byte[] content) throws IOException {
        Path file = dir.resolve("registry.yml");
        Files.write(file, content);
        return file;
    }

    /** The lines removed and added between two texts, by trimming the common head and tail. */
    static List<List<String>> changedLines(String before, String after) {
        List<String> a = List.of(before.split("\n", -1));
        List<String> b = List.of(after.split("\n", -1));
        int head = 0;
        while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
            head++;
        }
        int tail = 0;
        while (tail < a.size() - head && tail < b.size() - head
                && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
            tail++;
        }
        return List.of(a.subList(head, a.size() - tail), b.subList(head, b.size() - tail));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aNoOpEditAndAnEditUndoneLeaveTheFileByteIdentical(String name, byte[] content) throws IOException {
        Path file = write(content);
        String sha = RegistryFiles.sha256(content);
        RegistryEditor editor = RegistryEditor.open(file);
        editor.updateService("web-app", Map.of("port", 8080));           // the value it has
        editor.updateMachine("m1", Map.of("host", "192.168.0.245"));
        assertThat(editor.changed()).isFalse();
        assertThat(editor.save().written()).isFalse();
        editor.updateService("web-app", Map.of("port", 9000)).updateService("web-app", Map.of("port", 8080));
        editor.addService("extra", Map.of("type", "local", "path", "/opt/extra", "machine", "m1", "command", "./x"))
                .removeService("extra", false);
        editor.addMachine("spare", Map.of("host", "10.0.0.9", "user", "u", "platform", "linux"))
                .removeMachine("spare", false);
        editor.addDependency("worker", "web-app").removeDependency("worker", "web-app");
        assertThat(editor.changed()).isFalse();
        editor.save();
        assertThat(RegistryFiles.sha256(Files.readAllBytes(file))).isEqualTo(sha);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void eachEditChangesOnlyItsOwnLinesAndKeepsLineEndsAndTheBom(String name, byte[] content) throws IOException {
        Path file = write(content);
        boolean crlf = name.contains("CRLF");
        RegistryEditor editor = RegistryEditor.open(file);
        String before = editor.text();

        editor.updateService("web-app", Map.of("port", 9000));
        String eol = crlf ? "\r" : "";
        assertThat(changedLines(before, editor.text())).containsExactly(
                List.of("    port: 8080    # primary port" + eol), List.of("    port: 9000    # primary port" + eol));

        String step = editor.text();
        editor.updateMachine("m1", Map.of("host", "10.0.0.1"));
        assertThat(changedLines(step, editor.text())).containsExactly(
                List.of("    host: \"192.168.0.245\"" + eol), List.of("    host: \"10.0.0.1\"" + eol));

        step = editor.text();
        editor.updateMachine("mini1", Map.of("user", "admin"));
        assertThat(changedLines(step, editor.text())).containsExactly(
                List.of("  mini1: {host: 192.168.0.96, user: ubuntu, platform: linux}   # a flow map" + eol),
                List.of("  mini1: {host: 192.168.0.96, user: admin, platform: linux}   # a flow map" + eol));

        step = editor.text();
        editor.addDependency("web-app", "worker");
        assertThat(changedLines(step, editor.text())).containsExactly(List.of(), List.of("      - worker" + eol));

        step = editor.text();
        editor.updateService("web-app", Map.of("env", Map.of("NEW", "x y")));
        assertThat(changedLines(step, editor.text()).get(1)).containsExactly(
                "    env: {NODE_ENV: production, LOG_LEVEL: info, NEW: x y}" + eol);

        editor.save();
        byte[] saved = Files.readAllBytes(file);
        assertThat(saved.length >= 3 && saved[0] == BOM[0] && saved[1] == BOM[1] && saved[2] == BOM[2])
                .isEqualTo(name.startsWith("BOM"));
        String text = new String(saved, StandardCharsets.UTF_8);
        long lineFeeds = text.chars().filter(c -> c == '\n').count();
        long crlfs = text.split("\r\n", -1).length - 1;
        assertThat(crlfs).isEqualTo(crlf ? lineFeeds : 0);
        Registry registry = Registry.load(file);
        assertThat(registry.service("web-app").orElseThrow().port()).isEqualTo(9000);
        assertThat(registry.service("web-app").orElseThrow().dependsOn()).containsExactly("postgres", "worker");
        assertThat(registry.service("web-app").orElseThrow().env()).containsEntry("NEW", "x y");
        assertThat(registry.machine("mini1").orElseThrow().user()).isEqualTo("admin");
    }

    @Test
    void newEntriesFollowTheIndentationBlankLinesAndStyleOfTheirNeighbours() throws IOException {
        RegistryEditor editor = RegistryEditor.open(write(rich().getBytes(StandardCharsets.UTF_8)));
        String before = editor.text();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", "local");
        fields.put("path", "/opt/mail");
        fields.put("machine", "m1");
        fields.put("command", "./mail --port 2525");
        fields.put("tags", List.of("mail", "internal"));
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("type", "tcp");
        health.put("port", 2525);
        fields.put("health", health);
        editor.addService("mail", fields);
        assertThat(changedLines(before, editor.text()).get(1)).containsExactly(
                "  mail:",
                "    type: local",
                "    path: /opt/mail",
                "    machine: m1",
                "    command: ./mail --port 2525",
                "    tags: [mail, internal]",
                "    health:",
                "      type: tcp",
                "      port: 2525",
                "");

        String flow = """
                machines:
                    a: {host: h1, user: u, platform: linux}
                services: {}
                """;
        RegistryEditor flowEditor = RegistryEditor.open(write(flow.getBytes(StandardCharsets.UTF_8)));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("host", "h2");
        b.put("user", "u");
        b.put("platform", "linux");
        flowEditor.addMachine("b", b)
                .updateMachine("b", Map.of("platform", "bsd"))
                .addService("s", Map.of("type", "local", "path", "/opt/s", "machine", "b", "command", "./s"));
        assertThat(flowEditor.text()).startsWith("""
                machines:
                    a: {host: h1, user: u, platform: linux}
                    b: {host: h2, user: u, platform: bsd}
                services: {s: {""");
        assertThat(flowEditor.registry().service("s").orElseThrow().machine()).isEqualTo("b");
    }

    @Test
    void newMachinesAndServicesListTheirFieldsInTheDocumentedOrderWhateverTheMap() throws IOException {
        RegistryEditor editor = RegistryEditor.open(write(rich().getBytes(StandardCharsets.UTF_8)));
        String before = editor.text();
        editor.addMachine("z", Map.of("tags", List.of("t"), "platform", "linux", "user", "u", "host", "h"));
        assertThat(changedLines(before, editor.text()).get(1)).containsExactly("  z:", "    host: h", "    user: u",
                "    platform: linux", "    tags: [t]", "");
    }

    @Test
    void anEditThroughAnAliasOrAnAnchorIsRefusedNamingEveryPlaceItAffects() throws IOException {
        RegistryEditor editor = RegistryEditor.open(write(rich().getBytes(StandardCharsets.UTF_8)));
        String before = editor.text();
        assertThatThrownBy(() -> editor.updateService("worker", Map.of("health", Map.of("port", 1))))
                .isInstanceOf(RegistryEditException.class)
                .hasMessageContaining("'services.worker.health' is the alias *tcp")
                .hasMessageContaining("services.web-app.health (line 38)")
                .hasMessageContaining("services.worker.health (line 48)");
        assertThatThrownBy(() -> editor.updateService("postgres", Map.of("health", Map.of("interval", 60))))
                .isInstanceOf(RegistryEditException.class)
                .hasMessageContaining("carries the anchor &tcp (line 23)");
        assertThatThrownBy(() -> editor.set(List.of("services", "web-app", "health", "interval"), null))
                .isInstanceOf(RegistryEditException.class).hasMessageContaining("comes from a merge key");
        assertThat(editor.text()).isEqualTo(before);
        // A key of its own next to a merge key overrides it for this service only.
        editor.updateService("web-app", Map.of("health", Map.of("interval", 5)));
        Registry registry = editor.registry();
        assertThat(registry.service("web-app").orElseThrow().health().interval()).hasSeconds(5);
        assertThat(registry.service("postgres").orElseThrow().health().interval()).hasSeconds(15);
        assertThat(editor.text()).contains("      <<: *tcp\n      port: 8080\n      interval: 5\n");
        editor.updateService("api", Map.of("health", Map.of("timeout", 2)));
        assertThat(editor.text()).contains("health: {<<: *http, port: 7000, timeout: 2}}");
    }

    @Test
    void anInvalidResultIsRefusedWithLocatedProblemsAndChangesNothing() throws IOException {
        Path file = write(rich().getBytes(StandardCharsets.UTF_8));
        RegistryEditor editor = RegistryEditor.open(file);
        String before = editor.text();
        assertThatThrownBy(() -> editor.updateService("web-app", Map.of("port", 70000)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.problems().get(0).toString())
                        .isEqualTo(file + ":33:11: error: services.web-app.port: expected a port number from 1 to "
                                + "65535 or 'auto', found 70000"));
        assertThatThrownBy(() -> editor.addService("x", Map.of("type", "local", "path", "/opt/x",
                "machine", "nowhere", "command", "./x")))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.problems().get(0).message())
                        .startsWith("unknown machine 'nowhere'"));
        assertThatThrownBy(() -> editor.addDependency("postgres", "web-app"))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.problems().toString())
                        .contains("circular dependency"));
        assertThatThrownBy(() -> editor.moveService("worker", "m1").updateService("worker", Map.of("port", 5432)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.problems().toString())
                        .contains("port 5432 on machine 'm1' is already used by service 'postgres'"));
        assertThat(editor.text()).isNotEqualTo(before).contains("machine: m1\n    command: |");
        assertThatThrownBy(() -> editor.addMachine("m1", Map.of())).isInstanceOf(RegistryEditException.class)
                .hasMessage("machine 'm1' already exists; use update to change it");
        assertThatThrownBy(() -> editor.moveService("worker", "m1")).isInstanceOf(RegistryEditException.class)
                .hasMessage("service 'worker' already runs on machine 'm1'");
        assertThatThrownBy(() -> editor.moveService("nope", "m1")).isInstanceOf(RegistryEditException.class)
                .hasMessage("unknown service 'nope'; services are: postgres, web-app, worker, api");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void removingWhatOthersUseIsRefusedUnlessForcedAndTheMessageListsThem() throws IOException {
        RegistryEditor editor = RegistryEditor.open(write(rich().getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> editor.removeService("postgres", false)).isInstanceOf(RegistryEditException.class)
                .hasMessage("service 'postgres' is a dependency of web-app; remove it from their depends_on first, "
                        + "or force the removal");
        assertThatThrownBy(() -> editor.removeMachine("mini1", false)).isInstanceOf(RegistryEditException.class)
                .hasMessage("machine 'mini1' is used by services worker, api; move or remove them first, or force "
                        + "the removal to remove them too");
        editor.addDependency("api", "worker");
        assertThatThrownBy(() -> editor.removeService("worker", false)).isInstanceOf(RegistryEditException.class)
                .hasMessageStartingWith("service 'worker' is a dependency of api;");
        String before = editor.text();
        editor.removeService("worker", true);
        assertThat(editor.notices()).containsExactly("removed 'worker' from the depends_on of service 'api'",
                "removed 'worker' from group 'backend'");
        assertThat(editor.registry().service("api").orElseThrow().dependsOn()).isEmpty();
        assertThat(editor.registry().group("backend").orElseThrow().members()).containsExactly("postgres");
        List<List<String>> changed = changedLines(before, editor.text());
        assertThat(changed.get(0)).contains("  worker:", "    - worker").doesNotContain("  postgres:");
        assertThat(changed.get(1)).containsExactly(
                "  api: {type: local, path: /opt/api, machine: mini1, command: ./api, port: 7000, health: {<<: *http, "
                        + "port: 7000}}",
                "",
                "groups:",
                "  backend:",
                "    - postgres");
    }

    @Test
    void aServiceThatDefinesAnAnchorOthersUseCannotBeRemoved() throws IOException {
        RegistryEditor editor = RegistryEditor.open(write(rich().getBytes(StandardCharsets.UTF_8)));
        editor.removeDependency("web-app", "postgres");
        assertThatThrownBy(() -> editor.removeService("postgres", false)).isInstanceOf(RegistryEditException.class)
                .hasMessageContaining("cannot remove 'services.postgres': it defines the anchor &tcp used at "
                        + "services.web-app.health (line ");
    }

    @Test
    void forcingAMachineRemovalRemovesItsServicesAndTheirTraces() throws IOException {
        RegistryEditor editor = RegistryEditor.open(write(rich().getBytes(StandardCharsets.UTF_8)));
        editor.removeMachine("mini1", true);
        assertThat(editor.notices()).containsExactly("removed 'worker' from group 'backend'",
                "removed service 'worker', which ran on machine 'mini1'",
                "removed service 'api', which ran on machine 'mini1'");
        Registry registry = editor.registry();
        assertThat(registry.machines()).containsOnlyKeys("m1");
        assertThat(registry.services()).containsOnlyKeys("postgres", "web-app");
        assertThat(editor.text()).contains("# end of registry").contains("# the database");
    }

    @Test
    void savingKeepsTheModeRotatesBackupsAndRefusesWhenTheFileChanged() throws IOException {
        Path file = write(rich().getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        List<String> versions = new ArrayList<>();
        versions.add(Files.readString(file));
        for (int port = 9001; port <= 9004; port++) {
            RegistryEditor editor = RegistryEditor.open(file);
            editor.updateService("web-app", Map.of("port", port));
            SaveResult result = editor.save();
            assertThat(result.written()).isTrue();
            assertThat(result.backup()).isEqualTo(dir.resolve("registry.yml.bak"));
            versions.add(Files.readString(file));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(Files.readString(dir.resolve("registry.yml.bak"))).isEqualTo(versions.get(3));
        assertThat(Files.readString(dir.resolve("registry.yml.bak.1"))).isEqualTo(versions.get(2));
        assertThat(Files.readString(dir.resolve("registry.yml.bak.2"))).isEqualTo(versions.get(1));
        assertThat(dir.resolve("registry.yml.bak.3")).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("registry.yml", "registry.yml.bak", "registry.yml.bak.1",
                            "registry.yml.bak.2", ".registry.yml.lock");
        }

        RegistryEditor first = RegistryEditor.open(file);
        RegistryEditor second = RegistryEditor.builder().backups(0).open(file);
        first.updateService("web-app", Map.of("port", 7001)).save();
        second.updateService("worker", Map.of("description", "late"));
        assertThatThrownBy(second::save).isInstanceOf(RegistryConflictException.class)
                .hasMessage(file + " changed on disk since it was read (another editor saved it); nothing was "
                        + "written; open it again and redo the edit");
        assertThat(Registry.load(file).service("web-app").orElseThrow().port()).isEqualTo(7001);
        assertThat(Files.readString(file)).doesNotContain("late");
    }

    @Test
    void backupsCanBeTurnedOffAndASymlinkIsFollowed() throws IOException {
        Path real = dir.resolve("real.yml");
        Files.writeString(real, rich());
        Path link = Files.createSymbolicLink(dir.resolve("registry.yml"), real);
        RegistryEditor editor = RegistryEditor.builder().backups(0).open(link);
        SaveResult result = editor.updateService("web-app", Map.of("port", 9100)).save();
        assertThat(result.backup()).isNull();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).contains("port: 9100");
        assertThat(dir.resolve("real.yml.bak")).doesNotExist();
    }

    @Test
    void theDiffIsAUnifiedDiffOfTheEditedLines() throws IOException {
        Path file = write(rich().getBytes(StandardCharsets.UTF_8));
        RegistryEditor editor = RegistryEditor.open(file);
        assertThat(editor.diff()).isEmpty();
        editor.updateService("web-app", Map.of("port", 9000));
        assertThat(editor.diff()).isEqualTo("--- " + file + "\n+++ " + file + " (edited)\n"
                + "@@ -30,7 +30,7 @@\n"
                + "     path: /opt/web\n"
                + "     machine: m1\n"
                + "     command: \"uv run python main.py\"\n"
                + "-    port: 8080    # primary port\n"
                + "+    port: 9000    # primary port\n"
                + "     depends_on:\n"
                + "       - postgres   # data\n"
                + "     env: {NODE_ENV: production, LOG_LEVEL: info}\n");
    }

    @Test
    void valuesAreQuotedWhenThePlainFormWouldReadBackDifferently() throws IOException {
        RegistryEditor editor = RegistryEditor.open(write(rich().getBytes(StandardCharsets.UTF_8)));
        editor.updateService("worker", Map.of("description", "yes: #1 \"best\"", "env",
                Map.of("FLAG", "true", "EMPTY", "")));
        Registry registry = editor.registry();
        assertThat(registry.service("worker").orElseThrow().description()).isEqualTo("yes: #1 \"best\"");
        assertThat(registry.service("worker").orElseThrow().env()).containsEntry("FLAG", "true")
                .containsEntry("EMPTY", "");
        editor.updateService("worker", Map.of("command", "./other"));
        assertThat(editor.text()).contains("    command: ./other\n\n    health: *tcp");
    }
}

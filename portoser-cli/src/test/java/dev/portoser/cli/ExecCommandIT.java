package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portoser exec}: one command on many machines, run as a user would. */
class ExecCommandIT {
    @TempDir
    Path dir;

    @BeforeEach
    void registry() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  one: {host: localhost, user: u, platform: linux, tags: [web]}
                  two: {host: localhost, user: u, platform: linux}
                services: {}
                """);
    }

    @Test
    void aCommandRunsOnEveryMachineWithItsOutputGroupedPerMachine() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "exec", "--all", "--", "echo", "hello; not a shell");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).containsPattern("(?m)^== one: exit 0 \\(\\d+\\.\\d+ s\\)\\nhello; not a shell$")
                .containsPattern("(?m)^== two: exit 0 .*\\nhello; not a shell$");
    }

    @Test
    void aFailureOnOneMachineExitsOneAndJsonTellsEachMachine() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "exec", "--json", "one", "two", "--", "sh", "-c",
                "[ \"$(hostname)\" = never ] || exit 3");
        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode doc = new ObjectMapper().readTree(r.stdout());
        assertThat(doc.get("ok").asBoolean()).isFalse();
        assertThat(doc.get("machines")).hasSize(2);
        assertThat(doc.get("machines").get(0).get("exitCode").asInt()).isEqualTo(3);
    }

    @Test
    void machinesAreChosenByTag() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "exec", "--tag", "web", "--", "true");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("== one: exit 0").doesNotContain("== two");
    }

    @Test
    void anUnknownMachineOrAMissingCommandIsAUsageError() throws Exception {
        CliProcess.Result unknown = CliProcess.run(dir, Map.of(), "exec", "three", "--", "true");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown machine 'three'; machines are: one, two");
        CliProcess.Result none = CliProcess.run(dir, Map.of(), "exec", "--all");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.stderr()).contains("a command is required after '--'");
    }
}

package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Problem;
import dev.portoser.registry.Registry;
import dev.portoser.transport.LocalTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User playbooks: validated with positions like the registry; parameters are arguments, never code. */
class PlaybookFileTest {
    static final List<String> KNOWN = FailurePatterns.builtIns().stream().map(FailurePattern::fingerprint).toList();

    @TempDir
    Path dir;

    static List<String> problems(String yaml) {
        try {
            PlaybookFile.parse(yaml, "playbooks.yml", KNOWN);
            return List.of();
        } catch (PlaybookFileException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
    }

    @Test
    void aValidFileGivesItsPlaybooksInOrder() {
        List<CommandPlaybook> p = PlaybookFile.parse("""
                playbooks:
                  clear-cache:
                    fingerprint: disk.full
                    description: remove the cache
                    run:
                      - [find, "${path}/cache", -type, f, -delete]
                  kick:
                    fingerprint: unit.failing
                    run: [[systemctl, reset-failed, "${unit}"]]
                """, "playbooks.yml", KNOWN);
        assertThat(p).extracting(CommandPlaybook::name).containsExactly("clear-cache", "kick");
        assertThat(p.get(0).commands()).containsExactly(List.of("find", "${path}/cache", "-type", "f", "-delete"));
    }

    @Test
    void everyProblemIsOneLineWithFileLineAndColumn() {
        assertThat(problems("""
                playbooks:
                  clear-cache:
                    fingerprint: disk.ful
                    runs: []
                  Bad Name:
                    fingerprint: disk.full
                    run:
                      - "rm -rf ${path}/cache"
                      - [echo, "${pidd}"]
                """)).containsExactly(
                "playbooks.yml:2:3: error: playbooks.clear-cache.run: missing required field (a list of commands, each a "
                        + "list of arguments)",
                "playbooks.yml:3:18: error: playbooks.clear-cache.fingerprint: unknown fingerprint 'disk.ful' (did you "
                        + "mean 'disk.full'?); known: " + String.join(", ", new java.util.TreeSet<>(KNOWN)),
                "playbooks.yml:4:5: error: playbooks.clear-cache.runs: unknown key (did you mean 'run'?)",
                "playbooks.yml:5:3: error: playbooks.Bad Name: a playbook name is lowercase letters, digits, '.', '_' "
                        + "and '-' (at most 63), starting with a letter or digit",
                "playbooks.yml:8:9: error: playbooks.Bad Name.run[0]: expected a command as a list of arguments, such "
                        + "as [systemctl, restart, \"${service}\"], found a value (commands run without a shell, so a "
                        + "value is always one argument)",
                "playbooks.yml:9:16: error: playbooks.Bad Name.run[1][1]: unknown parameter ${pidd} (did you mean "
                        + "'pid'?); known: service, machine, path, port, pid, command, holder, pidFile, mount, "
                        + "usedPercent, exitCode, container, unit, program, file, dependency");
        assertThat(problems("playbooks: [oops")).singleElement().asString().startsWith("playbooks.yml:1:");
    }

    @Test
    void aMissingFileHasNoPlaybooks() {
        assertThat(PlaybookFile.load(dir.resolve("playbooks.yml"), KNOWN)).isEmpty();
    }

    @Test
    void aHostileFactIsOneArgumentAndNeverRunAsCode() throws Exception {
        Registry registry = Registry.parse("""
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web: {type: local, path: %s, machine: here, command: "true"}
                """.formatted(dir));
        CommandPlaybook p = PlaybookFile.parse("""
                playbooks:
                  note:
                    fingerprint: port.foreign
                    run: [[sh, -c, 'printf "%s" "$1" > seen', sh, "${command}"]]
                """, "playbooks.yml", KNOWN).get(0);
        String hostile = "x; touch pwned $(touch pwned2) `touch pwned3`";
        Diagnosis d = new Diagnosis(FailurePatterns.PORT_FOREIGN, "web", "here", "c", List.of(),
                Map.of("command", hostile), false);
        var machine = registry.machine("here").orElseThrow();
        try (PlaybookContext c = new PlaybookContext(registry, registry.service("web").orElseThrow(), machine,
                () -> new LocalTransport(machine, dir), n -> null, t -> { }, Duration.ofSeconds(10))) {
            assertThat(p.run(d, c).fixed()).isTrue();
        }
        assertThat(Files.readString(dir.resolve("seen"))).isEqualTo(hostile);
        assertThat(dir.resolve("pwned")).doesNotExist();
        assertThat(dir.resolve("pwned2")).doesNotExist();
        assertThat(dir.resolve("pwned3")).doesNotExist();
    }
}

package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI prints only its own lines; {@code --verbose} and {@code PORTOSER_LOG} let the libraries log. */
class LoggingIT {
    private static final String VALID = """
            machines:
              m1: {host: 10.200.0.11, user: deploy, platform: linux}
            services:
              web: {type: local, path: /opt/web, machine: m1, command: ./run}
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void registry() throws Exception {
        Files.writeString(dir.resolve("registry.yml"), VALID);
    }

    @Test
    void aNormalRunPrintsNoLibraryLines() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "registry", "validate");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("registry.yml: valid: 1 machine, 1 service, 0 groups\n");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void verboseTurnsOnTheLibrariesInfoLines() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "registry", "validate", "--verbose");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("INFO").contains("HV000001");
    }

    @Test
    void portoserLogDebugTurnsOnDebugLines() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of("PORTOSER_LOG", "debug"), "registry", "validate");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).containsPattern("(?m)^DEBUG AbstractConfigurationImpl - ");
        CliProcess.Result quiet = CliProcess.run(dir, Map.of("PORTOSER_LOG", "off"), "registry", "validate",
                "--verbose");
        assertThat(quiet.stderr()).isEmpty();
    }
}

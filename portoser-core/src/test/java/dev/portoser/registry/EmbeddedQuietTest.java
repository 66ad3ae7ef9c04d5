package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Embedded in another program, loading a registry prints nothing: Hibernate Validator's {@code HV000001} start-up
 * line (java.util.logging, INFO, on stderr by default) stays out, and the host's logging configuration is left as it
 * was. Each case runs in a fresh JVM, as the line is logged once per JVM, with no slf4j binding on the class path.
 */
class EmbeddedQuietTest {
    static final String VERSION_LOGGER = "org.hibernate.validator.internal.util.Version";
    static final String REGISTRY = """
            machines:
              m1: {host: localhost, user: deploy, platform: linux}
            services:
              web: {type: local, machine: m1, port: 8080, path: /srv/web, command: "python3 -m http.server 8080"}
            """;

    /** A host application: optionally configures the validator's logger itself, then loads a registry. */
    public static final class Host {
        public static void main(String[] args) {
            Logger kept = Logger.getLogger(VERSION_LOGGER);
            if (args.length > 0) {
                kept.setLevel(Level.parse(args[0]));
            }
            Registry registry = Registry.parse(REGISTRY);
            System.out.println("loaded " + registry.services().size() + " service; level " + kept.getLevel());
        }
    }

    private static String[] run(String... args) throws Exception {
        // The test class path without any slf4j binding: a host that has none, like the one in the issue.
        String classpath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j-simple") && !entry.contains("logback"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, Host.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return new String[] {out, err};
    }

    @Test
    void loadingARegistryPrintsNothingAndLeavesTheLoggerAsItWas() throws Exception {
        String[] r = run();
        assertThat(r[0]).isEqualTo("loaded 1 service; level null\n");
        assertThat(r[1]).isEmpty();
    }

    @Test
    void aHostThatAsksForTheValidatorsInfoLinesStillGetsThem() throws Exception {
        String[] r = run("INFO");
        assertThat(r[0]).isEqualTo("loaded 1 service; level INFO\n");
        assertThat(r[1]).contains("HV000001");
    }
}

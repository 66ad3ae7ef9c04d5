package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * When {@code ./portoser} in a checkout rebuilds the CLI: after a change to any module the CLI is made of, and
 * only then. Runs the real launcher in a copy of the checkout's layout whose {@code mvnw} only records its calls
 * (a real build inside the build that runs this test would rewrite its own jars).
 */
class CheckoutLauncherIT {
    private static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
    private static final Instant LAST_HOUR = Instant.now().minusSeconds(3600);

    @TempDir
    Path root;
    Path calls;

    @BeforeEach
    void checkoutWithAFreshBuild() throws Exception {
        Files.copy(CHECKOUT.resolve("portoser"), root.resolve("portoser"));
        Files.copy(CHECKOUT.resolve("pom.xml"), root.resolve("pom.xml"));
        for (String module : List.of("portoser-core", "portoser-ssh", "portoser-vault", "portoser-server", "portoser-cli",
                "portoser-examples", "portoser-benchmarks")) {
            Path dir = Files.createDirectories(root.resolve(module + "/src/main/java/dev/portoser"));
            Files.copy(CHECKOUT.resolve(module + "/pom.xml"), root.resolve(module + "/pom.xml"));
            Files.writeString(dir.resolve("Source.java"), "class Source {}\n");
            Files.createDirectories(root.resolve(module + "/src/main/resources"));
            Files.writeString(root.resolve(module + "/src/main/resources/a.properties"), "a=1\n");
            Files.createDirectories(root.resolve(module + "/src/test/java"));
            Files.writeString(root.resolve(module + "/src/test/java/SourceTest.java"), "class SourceTest {}\n");
        }
        calls = root.resolve("mvnw-calls");
        Path mvnw = root.resolve("mvnw");
        Files.writeString(mvnw, "#!/bin/sh\necho \"$*\" >> '" + calls + "'\n");
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(f, FileTime.from(LAST_HOUR));
            }
        }
        Path jar = Files.createDirectories(root.resolve("portoser-cli/target")).resolve("portoser.jar");
        Files.copy(CliProcess.JAR, jar);
        Files.setLastModifiedTime(jar, FileTime.from(LAST_HOUR.plusSeconds(60)));
    }

    private CliProcess.Result launch() throws Exception {
        return CliProcess.exec(List.of(root.resolve("portoser").toString(), "--version"), root, Map.of());
    }

    private long builds() throws Exception {
        return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
    }

    private void change(String file) throws Exception {
        Files.setLastModifiedTime(root.resolve(file), FileTime.from(LAST_HOUR.plusSeconds(120)));
    }

    @Test
    void anUnchangedCheckoutRunsTheJarWithoutBuilding() throws Exception {
        CliProcess.Result r = launch();
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("portoser ");
        assertThat(builds()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"portoser-core/src/main/java/dev/portoser/Source.java",
            "portoser-ssh/src/main/java/dev/portoser/Source.java",
            "portoser-vault/src/main/java/dev/portoser/Source.java",
            "portoser-cli/src/main/java/dev/portoser/Source.java",
            "portoser-vault/src/main/resources/a.properties",
            "portoser-ssh/pom.xml",
            "pom.xml"})
    void aChangeToAModuleOfTheCliRebuildsItOnce(String file) throws Exception {
        change(file);
        CliProcess.Result r = launch();
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).isEqualTo("portoser: building the CLI (sources changed)...\n");
        assertThat(Files.readAllLines(calls)).singleElement().asString()
                .contains("-pl portoser-cli -am package").contains("-DskipTests");
        // The build marks the jar: the next run does not build again.
        assertThat(launch().exitCode()).isZero();
        assertThat(builds()).isEqualTo(1);
    }

    @Test
    void theLauncherMakesAnAppCdsArchiveOncePerBuildOfTheJarAndMapsIt() throws Exception {
        Files.createDirectories(root.resolve("examples"));
        Files.copy(CHECKOUT.resolve("examples/registry.yml"), root.resolve("examples/registry.yml"));
        Path jsa = root.resolve("portoser-cli/target/portoser.jar.jsa");
        CliProcess.Result r = launch();
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).isEmpty();
        assertThat(jsa).isNotEmptyFile();
        FileTime made = Files.getLastModifiedTime(jsa);
        assertThat(launch().stdout()).startsWith("portoser ");
        assertThat(Files.getLastModifiedTime(jsa)).isEqualTo(made);
        // A new jar (a build) gets a new archive; PORTOSER_CDS=0 neither makes nor maps one.
        Files.setLastModifiedTime(root.resolve("portoser-cli/target/portoser.jar"), FileTime.from(Instant.now()));
        assertThat(launch().exitCode()).isZero();
        assertThat(Files.getLastModifiedTime(jsa)).isGreaterThan(made);
        Files.delete(jsa);
        CliProcess.Result off = CliProcess.exec(List.of(root.resolve("portoser").toString(), "--version"), root,
                Map.of("PORTOSER_CDS", "0"));
        assertThat(off.exitCode()).as(off.stderr()).isZero();
        assertThat(jsa).doesNotExist();
        assertThat(builds()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"portoser-examples/src/main/java/dev/portoser/Source.java",
            "portoser-benchmarks/pom.xml",
            "portoser-ssh/src/test/java/SourceTest.java"})
    void changesOutsideTheCliDoNotRebuildIt(String file) throws Exception {
        change(file);
        assertThat(launch().exitCode()).isZero();
        assertThat(builds()).isZero();
    }
}

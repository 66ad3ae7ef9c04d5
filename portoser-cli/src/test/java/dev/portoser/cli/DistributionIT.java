package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI distribution ({@code portoser-VERSION.tar.gz} and {@code .zip}) as a user installs it: unpacked into a
 * directory of its own, far from the checkout, and run through {@code bin/portoser}.
 */
class DistributionIT {
    static final String VERSION = System.getProperty("portoser.version", "0.1.0-SNAPSHOT");
    static final Path ARCHIVE = Path.of(System.getProperty("portoser.dist.archive",
            "target/portoser-" + VERSION)).toAbsolutePath();

    @TempDir
    static Path unpacked;
    static Path home;

    @TempDir
    Path dir;

    /** Symbolic links out of the temporary directory are removed here, so that JUnit need not warn about them. */
    @org.junit.jupiter.api.AfterEach
    void removeLinks() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isSymbolicLink).toList()) {
                Files.delete(f);
            }
        }
    }

    @BeforeAll
    static void unpack() throws Exception {
        CliProcess.Result r = CliProcess.exec(List.of("tar", "-xzf", ARCHIVE + ".tar.gz", "-C", unpacked.toString()),
                unpacked, Map.of());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        home = unpacked.resolve("portoser-" + VERSION);
    }

    private CliProcess.Result portoser(Map<String, String> env, Set<String> unset, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/portoser").toString()));
        command.addAll(List.of(args));
        return CliProcess.exec(command, dir, env, unset);
    }

    private CliProcess.Result portoser(String... args) throws Exception {
        return portoser(Map.of("JAVA_HOME", System.getProperty("java.home")), Set.of(), args);
    }

    @Test
    void theUnpackedDistributionRunsTheDemo() throws Exception {
        CliProcess.Result version = portoser("--version");
        assertThat(version.exitCode()).as(version.stderr()).isZero();
        assertThat(version.stdout()).startsWith("portoser " + VERSION + "\n");
        assertThat(version.stderr()).isEmpty();

        // The Java file server: the demo's one part that depends on how the launcher sets the class path.
        CliProcess.Result demo = portoser("demo", "--server", "java");
        assertThat(demo.exitCode()).as(demo.stdout() + demo.stderr()).isZero();
        assertThat(demo.stdout()).contains("done: 4 of 4 steps succeeded")
                .contains("Demo done: every service was healthy, and everything is stopped and removed.");
    }

    @Test
    void theArchiveHoldsTheLauncherLibrariesCompletionAndManPages() throws Exception {
        Path bin = home.resolve("bin/portoser");
        assertThat(Files.getPosixFilePermissions(bin)).containsAll(PosixFilePermissions.fromString("r-xr-xr-x"));
        assertThat(Files.readString(bin)).startsWith("#!/bin/sh\n");
        assertThat(home.resolve("lib/portoser-cli-" + VERSION + ".jar")).isRegularFile();
        assertThat(home.resolve("lib/portoser-ssh-" + VERSION + ".jar")).isRegularFile();
        assertThat(home.resolve("lib/portoser-vault-" + VERSION + ".jar")).isRegularFile();
        assertThat(home.resolve("LICENSE")).isRegularFile();
        for (String shell : List.of("bash", "zsh")) {
            assertThat(Files.readString(home.resolve("completion/portoser." + shell)))
                    .contains("complete -F _complete_portoser")
                    .contains("local commands=\"demo registry ").contains(" deploy ").contains("--dry-run");
        }
        assertThat(Files.readString(home.resolve("man/man1/portoser.1"))).contains(".TH \"PORTOSER\" \"1\"");
        assertThat(Files.readString(home.resolve("man/man1/portoser-deploy.1")))
                .contains(".SH \"SYNOPSIS\"").contains("\\-\\-dry\\-run");

        // The zip holds the same files as the tar.gz.
        Set<String> inTar = new TreeSet<>();
        try (Stream<Path> files = Files.walk(unpacked)) {
            files.filter(Files::isRegularFile).forEach(f -> inTar.add(unpacked.relativize(f).toString()));
        }
        Set<String> inZip = new TreeSet<>();
        try (ZipFile zip = new ZipFile(ARCHIVE + ".zip")) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (!entry.isDirectory()) {
                    inZip.add(entry.getName());
                }
            }
        }
        assertThat(inZip).isEqualTo(inTar);
    }

    @Test
    void aLinkToTheLauncherFindsTheLibrariesNextToIt() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("portoser"), home.resolve("bin/portoser"));
        CliProcess.Result r = CliProcess.exec(List.of(link.toString(), "--version"), dir,
                Map.of("JAVA_HOME", System.getProperty("java.home")));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("portoser " + VERSION);
    }

    @Test
    void withoutJavaTheLauncherSaysWhatItNeeds() throws Exception {
        Path tools = toolsWithoutJava();
        CliProcess.Result r = portoser(Map.of("PATH", tools.toString()), Set.of("JAVA_HOME"), "--version");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).isEqualTo("portoser: needs Java 17 or newer: none on PATH and JAVA_HOME is not set"
                + " (install a JDK or JRE 17+, e.g. openjdk-17-jre-headless)\n");
    }

    @Test
    void anOldJavaIsNamedWithItsVersion() throws Exception {
        Path tools = toolsWithoutJava();
        Path java = tools.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        CliProcess.Result r = portoser(Map.of("PATH", tools.toString()), Set.of("JAVA_HOME"), "--version");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).isEqualTo("portoser: needs Java 17 or newer, but " + java
                + " is Java 11.0.22; set JAVA_HOME to a newer one\n");

        CliProcess.Result viaHome = portoser(Map.of("JAVA_HOME", dir.resolve("nothing").toString()), Set.of(),
                "--version");
        assertThat(viaHome.exitCode()).isEqualTo(2);
        assertThat(viaHome.stderr()).startsWith("portoser: JAVA_HOME is " + dir.resolve("nothing") + ", but ");
    }

    @Test
    void anAppCdsArchiveInLibIsUsed() throws Exception {
        Path lib = home.resolve("lib");
        Path archive = lib.resolve("portoser.jsa");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            // The README's command for making the archive.
            CliProcess.Result made = CliProcess.exec(List.of(java.toString(), "-XX:ArchiveClassesAtExit=" + archive,
                    "-cp", lib + "/*", "dev.portoser.cli.Main", "--version"), dir, Map.of());
            assertThat(made.exitCode()).as(made.stderr()).isZero();
            assertThat(archive).isRegularFile();

            Path loaded = dir.resolve("classes.txt");
            CliProcess.Result r = portoser(Map.of("JAVA_HOME", System.getProperty("java.home"),
                    "PORTOSER_JAVA_OPTS", "-Xlog:class+load:file=" + loaded), Set.of(), "--version");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stderr()).isEmpty();
            assertThat(Files.readString(loaded)).contains("dev.portoser.cli.Main source: shared objects file");
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    /** A directory with the few tools the launcher uses, and no java. */
    private Path toolsWithoutJava() throws IOException {
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : List.of("sh", "sed", "dirname", "ls", "cut")) {
            for (String bin : List.of("/usr/bin/", "/bin/")) {
                if (Files.isExecutable(Path.of(bin + tool))) {
                    Files.createSymbolicLink(tools.resolve(tool), Path.of(bin + tool));
                    break;
                }
            }
        }
        return tools;
    }
}

package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure that reaches a person running {@code portoser} is one line in words: garbage, missing and unreadable
 * files, an SSH server with an unknown or changed host key, a connection that is dropped. No Java class name, no
 * stack trace, no third-party log line; the class name and the trace only with {@code --verbose}.
 */
class HumanErrorsIT {
    /** A Java class name or a stack frame. */
    private static final Pattern JAVA = Pattern.compile(
            "[A-Z][A-Za-z]+(Exception|Error)\\b|\\bat [a-z]+\\.[\\w.$]+\\(|\\b(java|net\\.schmizz|com\\.hierynomus|com"
                    + "\\.fasterxml|org\\.snakeyaml)\\.");

    @TempDir
    Path dir;
    private Map<String, String> home;

    @BeforeEach
    void registry() throws IOException {
        Files.createDirectories(dir.resolve("home/.portoser"));
        Files.createDirectories(dir.resolve("site"));
        home = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + dir.resolve("home"));
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web:
                    type: local
                    path: %s/site
                    machine: here
                    command: "sleep 30"
                    vault_secrets: [{path: secret/data/web, keys: [api_key]}]
                """.formatted(dir));
    }

    private CliProcess.Result portoser(String... args) throws Exception {
        return CliProcess.run(dir, home, args);
    }

    private static String withoutToolOptionsNotice(String stderr) {
        return stderr.lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).map(l -> l + "\n")
                .reduce("", String::concat);
    }

    /** Deploys {@code web} with the given secrets file and returns the one failure line of the run. */
    private String deployWithSecrets(Path secrets) throws Exception {
        CliProcess.Result r = portoser("deploy", "web", "--registry", "registry.yml", "--secrets-file",
                secrets.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        String all = r.stdout() + withoutToolOptionsNotice(r.stderr());
        assertThat(all).doesNotContainPattern(JAVA).doesNotContain("hunter2");
        List<String> failed = all.lines().filter(l -> l.startsWith("DEPLOY web on here: FAILED")).toList();
        assertThat(failed).hasSize(1);
        return failed.get(0).replaceFirst("FAILED in [0-9.]+s", "FAILED");
    }

    private Path secretsFile(String content) throws IOException {
        Path file = dir.resolve("secrets.json");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void aTruncatedSecretsFileIsDescribedWithItsPosition() throws Exception {
        Path file = secretsFile("{\"secret/data/web\": {\"api_key\": \"hunter2");
        assertThat(deployWithSecrets(file)).isEqualTo("DEPLOY web on here: FAILED - cannot read the secrets file "
                + file + ": the JSON ends too early, at line 1, column 41 (a value, a '}' or a ']' is missing)");
    }

    @Test
    void anEmptySecretsFileIsCalledEmpty() throws Exception {
        Path file = secretsFile("");
        assertThat(deployWithSecrets(file)).isEqualTo("DEPLOY web on here: FAILED - cannot read the secrets file "
                + file + ": the file is empty; expected a JSON document");
    }

    @Test
    void aSecretsFileThatIsNotJsonIsSaidSoWithoutQuotingIt() throws Exception {
        Path file = secretsFile("secret/data/web:\n  api_key: hunter2\n");
        assertThat(deployWithSecrets(file)).isEqualTo("DEPLOY web on here: FAILED - cannot read the secrets file "
                + file + ": not valid JSON: a word that is not JSON (text needs double quotes), at line 1, column 1");
    }

    @Test
    void aSecretsFileOfTheWrongShapeNamesWhere() throws Exception {
        Path file = secretsFile("{\"secret/data/web\": [\"hunter2\"]}");
        assertThat(deployWithSecrets(file)).isEqualTo("DEPLOY web on here: FAILED - cannot read the secrets file "
                + file + ": the JSON does not have the expected shape at secret/data/web, at line 1, column 21");
    }

    @Test
    void aMissingSecretsFileIsNoSuchFile() throws Exception {
        Path file = dir.resolve("nope.json");
        assertThat(deployWithSecrets(file)).isEqualTo("DEPLOY web on here: FAILED - cannot read the secrets file "
                + file + ": no such file or directory");
    }

    @Test
    void aSecretsFileThatIsADirectoryIsSaidSo() throws Exception {
        Path file = Files.createDirectory(dir.resolve("secrets.d"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertThat(deployWithSecrets(file)).isEqualTo("DEPLOY web on here: FAILED - cannot read the secrets file "
                + file + ": is a directory");
    }

    @Test
    void anUnreadableRegistryIsPermissionDenied() throws Exception {
        // Root reads every file: run the CLI as nobody, on a registry of root's that only its owner may read.
        Path file = dir.resolve("unreadable.yml");
        Files.writeString(file, "machines: {}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        for (Path open : List.of(dir, dir.resolve("home"), dir.resolve("home/.portoser"))) {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        } else {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("-w-------"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                CliProcess.JAR.toString(), "registry", "validate", "--registry", file.toString()));
        CliProcess.Result r = CliProcess.exec(command, dir, home);
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo(file + ": error: cannot read the file: permission denied\n"
                + file + ": invalid: 1 error\n");
        assertThat(withoutToolOptionsNotice(r.stderr())).isEmpty();
    }

    @Test
    void aRegistryThatIsADirectoryIsSaidSo() throws Exception {
        CliProcess.Result r = portoser("registry", "validate", "--registry", "site");
        assertThat(r.stdout() + withoutToolOptionsNotice(r.stderr())).doesNotContainPattern(JAVA)
                .contains("site: error: cannot read the file: is a directory");
    }

    @Test
    void aGarbledConfigFileIsOneLocatedLine() throws Exception {
        Files.writeString(dir.resolve("home/.portoser/config.yml"), "registry: [\n  oops: {\n");
        CliProcess.Result r = portoser("registry", "validate");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(withoutToolOptionsNotice(r.stderr()).strip()).matches(
                "portoser: " + Pattern.quote(dir.resolve("home/.portoser/config.yml").toString())
                        + ":3:1: invalid YAML: [^\\n]+").doesNotContainPattern(JAVA);
    }

    // --- SSH ---------------------------------------------------------------------------------------------------

    private void sshMachine(int port) throws IOException {
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  far: {host: 127.0.0.1, port: %d, user: u, platform: linux}
                services:
                  api: {type: local, path: /opt/api, machine: far, command: "sleep 30"}
                """.formatted(port));
    }

    private static SshServer sshServer(Path dir) throws IOException {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host-key")));
        server.setPasswordAuthenticator((user, password, session) -> false);
        server.start();
        return server;
    }

    /** Deploys {@code api} and returns what a person sees: stdout, then stderr without the JVM's notice. */
    private CliProcess.Result deployApi(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("deploy", "api", "--registry", "registry.yml", "--known-hosts",
                dir.resolve("known_hosts").toString()));
        args.addAll(List.of(more));
        CliProcess.Result r = portoser(args.toArray(String[]::new));
        return new CliProcess.Result(r.exitCode(), r.stdout(), withoutToolOptionsNotice(r.stderr()));
    }

    @Test
    void anUnknownHostKeyIsOurOneLineAndNothingFromTheSshLibrary() throws Exception {
        Files.writeString(dir.resolve("known_hosts"), "");
        try (SshServer server = sshServer(dir)) {
            sshMachine(server.getPort());
            CliProcess.Result r = deployApi();
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).isEmpty();
            assertThat(r.stdout()).doesNotContainPattern(JAVA).containsPattern(
                    "DEPLOY api on far: FAILED in [0-9.]+s - refused to connect to far \\(u@127\\.0\\.0\\.1:"
                            + server.getPort() + "\\): the host key of \\[127\\.0\\.0\\.1]:" + server.getPort() + " \\(SHA256:[^)]+\\) is "
                            + "not in " + Pattern.quote(dir.resolve("known_hosts").toString()) + "; add it "
                            + "\\(ssh-keyscan\\) or enable trust-on-first-use\n");
        }
    }

    @Test
    void aChangedHostKeyIsOurOneLineAndNothingFromTheSshLibrary() throws Exception {
        try (SshServer server = sshServer(dir)) {
            Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + server.getPort() + " " + otherKey(dir) + "\n");
            sshMachine(server.getPort());
            CliProcess.Result r = deployApi();
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).isEmpty();
            assertThat(r.stdout()).doesNotContainPattern(JAVA).containsPattern(
                    "DEPLOY api on far: FAILED in [0-9.]+s - refused to connect to far \\(u@127\\.0\\.0\\.1:"
                            + server.getPort() + "\\): the host key of \\[127\\.0\\.0\\.1]:" + server.getPort()
                            + " CHANGED: it is now SHA256:[^,]+, which does not match [^\n]+\n");
        }
    }

    @Test
    void aDroppedConnectionIsOurOneLineAndNothingFromTheSshLibrary() throws Exception {
        Files.writeString(dir.resolve("known_hosts"), "");
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread dropper = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        s.getOutputStream().write("SSH-2.0-dropper\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "dropper");
            dropper.setDaemon(true);
            dropper.start();
            sshMachine(listener.getLocalPort());
            CliProcess.Result r = deployApi();
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).isEmpty();
            assertThat(r.stdout()).doesNotContainPattern(JAVA).containsPattern(
                    "DEPLOY api on far: FAILED in [0-9.]+s - [^\n]+\n");
        }
    }

    @Test
    void verboseShowsTheSshLibraryAndTheStackTrace() throws Exception {
        Files.writeString(dir.resolve("known_hosts"), "");
        try (SshServer server = sshServer(dir)) {
            sshMachine(server.getPort());
            CliProcess.Result r = deployApi("--verbose");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).contains("net.schmizz");
        }
    }

    /** A host key of the same kind as the server's, but another one: what a changed machine presents. */
    private static String otherKey(Path dir) throws IOException, GeneralSecurityException {
        PublicKey key = new SimpleGeneratorHostKeyProvider(dir.resolve("old-host-key")).loadKeys(null).iterator().next()
                .getPublic();
        return PublicKeyEntry.toString(key);
    }
}

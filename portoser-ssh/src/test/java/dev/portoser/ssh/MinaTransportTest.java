package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import dev.portoser.transport.AuthenticationException;
import dev.portoser.transport.Command;
import dev.portoser.transport.HostKeyVerificationException;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract over SSH, against an in-process server; plus host key and login refusals. */
class MinaTransportTest extends TransportContract {
    @TempDir
    static Path dir;
    static MinaServer server;
    static Path key;
    static SshTransportFactory factory;

    @BeforeAll
    static void startServer() throws Exception {
        key = TestKeys.generate(dir.resolve("id_ecdsa"), "ecdsa", "");
        server = new MinaServer(dir, Path.of(key + ".pub"));
        factory = SshTransportFactory.builder().knownHosts(server.knownHosts).build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        factory.close();
        server.close();
    }

    static Machine machine(Path sshKey) {
        return new Machine("mina", "127.0.0.1", System.getProperty("user.name"), Platform.LINUX, server.port(),
                sshKey.toString(), null, null, null, null, List.of());
    }

    @Override
    protected Transport open() {
        return factory.open(machine(key));
    }

    @Override
    protected String scratchDirectory(Transport transport) throws Exception {
        return Files.createTempDirectory(dir, "scratch").toRealPath().toString();
    }

    @Test
    void anUnknownHostKeyIsRefusedByDefault() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
        try (SshTransportFactory strict = SshTransportFactory.builder().knownHosts(empty).build()) {
            assertThatThrownBy(() -> strict.open(machine(key)).exec(Command.of("true")))
                    .isInstanceOf(HostKeyVerificationException.class)
                    .hasMessageContaining("mina (" + System.getProperty("user.name") + "@127.0.0.1:" + server.port())
                    .hasMessageContaining("is not in " + empty)
                    .hasMessageContaining("SHA256:");
        }
    }

    @Test
    void trustOnFirstUseRecordsTheKeyAndThenChecksIt() throws Exception {
        Path file = dir.resolve("tofu_known_hosts");
        Files.deleteIfExists(file);
        try (SshTransportFactory tofu = SshTransportFactory.builder().knownHosts(file).trustOnFirstUse().build()) {
            assertThat(tofu.open(machine(key)).exec(Command.of("true")).succeeded()).isTrue();
        }
        assertThat(Files.readString(file)).startsWith("[127.0.0.1]:" + server.port() + " ecdsa-sha2-nistp521 ");
        try (SshTransportFactory strict = SshTransportFactory.builder().knownHosts(file).build()) {
            assertThat(strict.open(machine(key)).exec(Command.of("true")).succeeded()).isTrue();
        }
    }

    @Test
    void aChangedHostKeyIsRefusedEvenWithTrustOnFirstUse() throws Exception {
        Path other = TestKeys.generate(dir.resolve("other_host_key"), "ecdsa", "", "-b", "521");
        String forged = "[127.0.0.1]:" + server.port() + " " + Files.readString(Path.of(other + ".pub"))
                .replace(" portoser-test", "");
        Path file = Files.writeString(dir.resolve("changed_known_hosts"), forged);
        try (SshTransportFactory tofu = SshTransportFactory.builder().knownHosts(file).trustOnFirstUse().build()) {
            assertThatThrownBy(() -> tofu.open(machine(key)).exec(Command.of("true")))
                    .isInstanceOf(HostKeyVerificationException.class)
                    .hasMessageContaining("CHANGED");
        }
        assertThat(Files.readString(file)).isEqualTo(forged);
    }

    @Test
    void aHostKeyOfANewTypeForAKnownHostIsNotAFirstUse() throws Exception {
        Path other = TestKeys.generate(dir.resolve("other_type_key"), "ed25519", "");
        String known = "[127.0.0.1]:" + server.port() + " " + Files.readString(Path.of(other + ".pub"))
                .replace(" portoser-test", "");
        Path file = Files.writeString(dir.resolve("other_type_known_hosts"), known);
        try (SshTransportFactory tofu = SshTransportFactory.builder().knownHosts(file).trustOnFirstUse().build()) {
            assertThatThrownBy(() -> tofu.open(machine(key)).exec(Command.of("true")))
                    .isInstanceOf(HostKeyVerificationException.class)
                    .hasMessageContaining("knows another key of this host");
        }
        assertThat(Files.readString(file)).isEqualTo(known);
    }

    @Test
    void aKeyTheServerDoesNotKnowIsAnAuthenticationError() throws Exception {
        Path stranger = TestKeys.generate(dir.resolve("id_stranger"), "ecdsa", "");
        assertThatThrownBy(() -> factory.open(machine(stranger)).exec(Command.of("true")))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("refused the login of user '" + System.getProperty("user.name") + "'");
    }

    @Test
    void aMissingKeyFileIsAnAuthenticationErrorThatNamesIt() {
        Path missing = dir.resolve("no-such-key");
        assertThatThrownBy(() -> factory.open(machine(missing)).exec(Command.of("true")))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining(missing + " (ssh_key of machine 'mina') is missing or unreadable");
    }

    @Test
    void anEncryptedKeyUsesThePassphraseProvider() throws Exception {
        Path locked = TestKeys.generate(dir.resolve("id_locked"), "ecdsa", "s3cret phrase");
        Path authorized = Path.of(key + ".pub");
        Files.writeString(authorized, Files.readString(authorized) + Files.readString(Path.of(locked + ".pub")));
        try (SshTransportFactory withPhrase = SshTransportFactory.builder().knownHosts(server.knownHosts)
                .passphrases((m, k) -> "s3cret phrase".toCharArray()).build()) {
            assertThat(withPhrase.open(machine(locked)).exec(Command.of("true")).succeeded()).isTrue();
        }
        try (SshTransportFactory without = SshTransportFactory.builder().knownHosts(server.knownHosts).build()) {
            assertThatThrownBy(() -> without.open(machine(locked)).exec(Command.of("true")))
                    .isInstanceOf(AuthenticationException.class);
        }
    }
}

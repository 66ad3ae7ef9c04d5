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
    void stepsWaitingForAConnectThatFailsGetItsFailureInsteadOfEachTryingAgain() throws Exception {
        // a server that accepts and never says a word: each connect attempt waits for the read timeout
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(server.knownHosts)
                     .readTimeout(java.time.Duration.ofSeconds(3)).connectTimeout(java.time.Duration.ofSeconds(3))
                     .build()) {
            List<java.net.Socket> held = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                        accepted.incrementAndGet();
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Machine dead = new Machine("silent", "127.0.0.1", System.getProperty("user.name"), Platform.LINUX,
                    silent.getLocalPort(), key.toString(), null, null, null, null, List.of());
            List<java.util.concurrent.CompletableFuture<String>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        ssh.open(dead).exec(Command.of("true"));
                        return "connected?";
                    } catch (dev.portoser.transport.TransportException e) {
                        return e.getMessage();
                    }
                }));
            }
            List<String> answers = new java.util.ArrayList<>();
            for (var call : calls) {
                answers.add(call.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(answers).doesNotContain("connected?");
            assertThat(accepted.get()).as(answers.toString()).isEqualTo(1); // one connect, one failure for all four
            for (java.net.Socket s : held) {
                s.close();
            }
        }
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

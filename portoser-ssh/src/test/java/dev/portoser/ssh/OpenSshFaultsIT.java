package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import dev.portoser.transport.AuthenticationException;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.ConnectionLostException;
import dev.portoser.transport.HostKeyVerificationException;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures on real hosts: each ends in a {@link TransportException} within the configured time, never a hang,
 * and the next operation after recovery works.
 */
@ExtendWith(TestBed.class)
class OpenSshFaultsIT {
    /** A generous guard against hangs; the assertions themselves are about the exception, not the time. */
    static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static SshTransportFactory factory(TestBed bed) {
        return SshTransportFactory.builder().knownHosts(bed.knownHosts()).connectTimeout(Duration.ofSeconds(3))
                .readTimeout(Duration.ofSeconds(10)).keepAliveInterval(Duration.ofSeconds(2)).build();
    }

    @Test
    void sshdKilledDuringALongCommandIsAConnectionLoss() throws Exception {
        TestBed bed = TestBed.get();
        try (SshTransportFactory ssh = factory(bed)) {
            Transport host = ssh.open(bed.machine(2));
            assertThat(host.exec(Command.of("true")).succeeded()).isTrue();
            CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
                try {
                    TimeUnit.MILLISECONDS.sleep(800);
                    bed.killSshd(2);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTimeoutPreemptively(HANG_GUARD, () ->
                    assertThatThrownBy(() -> host.exec(Command.of("sleep", "30").timeout(Duration.ofSeconds(20))))
                            .isInstanceOf(ConnectionLostException.class)
                            .hasMessageContaining("h2 (root@" + bed.ip(2)));
            killer.get();
            bed.restartSshd(2);
            assertThat(host.exec(Command.of("hostname")).stdout().strip()).isEqualTo("ptsr-h2");
        } finally {
            bed.restartSshd(2);
        }
    }

    @Test
    void aPartitionDuringACommandEndsAtTheCommandTimeout() throws Exception {
        TestBed bed = TestBed.get();
        assertThat(bed.namespaces).as("partitions need network namespaces").isTrue();
        try (SshTransportFactory ssh = factory(bed)) {
            Transport host = ssh.open(bed.machine(3));
            assertThat(host.exec(Command.of("true")).succeeded()).isTrue();
            bed.linkDown(3);
            try {
                assertTimeoutPreemptively(HANG_GUARD, () ->
                        assertThatThrownBy(() -> host.exec(Command.of("sleep", "30").timeout(Duration.ofSeconds(4))))
                                .isInstanceOf(TransportException.class)
                                .hasMessageContaining("h3"));
                assertTimeoutPreemptively(HANG_GUARD, () ->
                        assertThat(host.isReachable(Duration.ofSeconds(4))).isFalse());
            } finally {
                bed.linkUp(3);
            }
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                CommandResult after = retry(() -> host.exec(Command.of("hostname").timeout(Duration.ofSeconds(10))));
                assertThat(after.stdout().strip()).isEqualTo("ptsr-h3");
            });
        }
    }

    @Test
    void aNewConnectionToASilentHostTimesOut() throws Exception {
        TestBed bed = TestBed.get();
        assertThat(bed.namespaces).as("iptables inside a host needs network namespaces").isTrue();
        bed.dropTraffic(3);
        try (SshTransportFactory ssh = factory(bed)) {
            assertTimeoutPreemptively(HANG_GUARD, () ->
                    assertThatThrownBy(() -> ssh.open(bed.machine(3)).exec(Command.of("true")))
                            .isInstanceOf(TransportTimeoutException.class)
                            .hasMessageContaining("no answer from h3 (root@" + bed.ip(3) + ":22) within PT3S"));
        } finally {
            bed.restoreTraffic(3);
        }
    }

    @Test
    void aSilentDropDuringACommandEndsAtTheCommandTimeout() throws Exception {
        TestBed bed = TestBed.get();
        assertThat(bed.namespaces).isTrue();
        try (SshTransportFactory ssh = factory(bed)) {
            Transport host = ssh.open(bed.machine(3));
            assertThat(host.exec(Command.of("true")).succeeded()).isTrue();
            bed.dropTraffic(3);
            try {
                assertTimeoutPreemptively(HANG_GUARD, () ->
                        assertThatThrownBy(() -> host.exec(Command.of("sleep", "30").timeout(Duration.ofSeconds(4))))
                                .isInstanceOf(TransportException.class));
            } finally {
                bed.restoreTraffic(3);
            }
        }
    }

    @Test
    void aChangedHostKeyIsRefused() throws Exception {
        TestBed bed = TestBed.get();
        Path other = TestKeys.generate(dir.resolve("impostor"), "ed25519", "");
        String known = Files.readAllLines(bed.knownHosts()).stream()
                .filter(l -> !l.startsWith(bed.ip(1) + " ") || !l.contains("ssh-ed25519"))
                .reduce("", (a, b) -> a + b + "\n")
                + bed.ip(1) + " " + Files.readString(Path.of(other + ".pub")).replace(" portoser-test", "");
        Path file = Files.writeString(dir.resolve("known_hosts"), known);
        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(file).build()) {
            assertThatThrownBy(() -> ssh.open(bed.machine(1)).exec(Command.of("true")))
                    .isInstanceOf(HostKeyVerificationException.class)
                    .hasMessageContaining("h1 (root@" + bed.ip(1) + ":22)")
                    .hasMessageContaining("CHANGED");
        }
    }

    @Test
    void aHashedKnownHostsFileIsUnderstood() throws Exception {
        TestBed bed = TestBed.get();
        Path hashed = Files.copy(bed.knownHosts(), dir.resolve("hashed_known_hosts"));
        TestBed.run("ssh-keygen", "-H", "-f", hashed.toString());
        assertThat(Files.readString(hashed)).startsWith("|1|").doesNotContain(bed.ip(1));
        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(hashed).build()) {
            assertThat(ssh.open(bed.machine(1)).exec(Command.of("hostname")).stdout().strip()).isEqualTo("ptsr-h1");
        }
    }

    @Test
    void anUnknownHostIsRefusedWithoutTrustOnFirstUse() throws Exception {
        TestBed bed = TestBed.get();
        Path empty = Files.writeString(dir.resolve("empty"), "");
        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(empty).build()) {
            assertThatThrownBy(() -> ssh.open(bed.machine(1)).exec(Command.of("true")))
                    .isInstanceOf(HostKeyVerificationException.class).hasMessageContaining("is not in " + empty);
        }
    }

    @Test
    void aWrongUserKeyIsAnAuthenticationError() throws Exception {
        TestBed bed = TestBed.get();
        Path stranger = TestKeys.generate(dir.resolve("stranger"), "ed25519", "");
        Machine m = bed.machine(1);
        Machine withStranger = new Machine(m.name(), m.host(), m.user(), m.platform(), m.sshPort(), stranger.toString(),
                null, null, null, null, List.of());
        try (SshTransportFactory ssh = factory(bed)) {
            assertThatThrownBy(() -> ssh.open(withStranger).exec(Command.of("true")))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("refused the login of user 'root'");
        }
    }

    @Test
    void everyCommonKeyTypeLogsIn() throws Exception {
        TestBed bed = TestBed.get();
        for (String type : List.of("ed25519", "ecdsa", "rsa")) {
            Path key = TestKeys.generate(dir.resolve("id_" + type), type, "");
            Files.writeString(bed.authorizedKeys(), Files.readString(Path.of(key + ".pub")),
                    java.nio.file.StandardOpenOption.APPEND);
            Machine m = bed.machine(1);
            Machine withKey = new Machine(m.name(), m.host(), m.user(), m.platform(), m.sshPort(), key.toString(),
                    null, null, null, null, List.of());
            try (SshTransportFactory ssh = factory(bed)) {
                assertThat(ssh.open(withKey).exec(Command.of("hostname")).stdout().strip()).as(type)
                        .isEqualTo("ptsr-h1");
            }
        }
    }

    private interface Attempt<T> {
        T run();
    }

    /** After a partition heals, the first attempt may still meet the old, dead connection. */
    private static <T> T retry(Attempt<T> attempt) throws InterruptedException {
        TransportException last = null;
        for (int i = 0; i < 5; i++) {
            try {
                return attempt.run();
            } catch (TransportException e) {
                last = e;
                TimeUnit.SECONDS.sleep(1);
            }
        }
        throw last;
    }
}

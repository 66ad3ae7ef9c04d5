package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import dev.portoser.transport.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test bed script itself: the loopback fallback works, and {@code down} leaves nothing behind. */
class TestBedScriptIT {
    static final String SCRIPT = Path.of("..", "testbed", "testbed.sh").toAbsolutePath().normalize().toString();

    @Test
    void theLoopbackFallbackGivesRealHostsThatDownRemoves() throws Exception {
        dev.portoser.RootOnly.assume("the SSH test bed (mount namespaces, OpenSSH sshd)");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "portoser-testbed-loopback");
        ProcessBuilder up = new ProcessBuilder(SCRIPT, "up", "2", dir.toString()).redirectErrorStream(true);
        up.environment().put("FORCE_LOOPBACK", "1");
        Process p = up.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        try {
            assertThat(Files.readAllLines(dir.resolve("hosts"))).containsExactly("h1 127.0.0.11 2222",
                    "h2 127.0.0.12 2222");
            Machine h2 = new Machine("h2", "127.0.0.12", "root", Platform.LINUX, 2222,
                    dir.resolve("id_ed25519").toString(), null, null, null, null, List.of());
            try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(dir.resolve("known_hosts")).build()) {
                assertThat(ssh.open(h2).exec(Command.of("hostname")).stdout().strip()).isEqualTo("ptsr-h2");
            }
        } finally {
            TestBed.run(SCRIPT, "down", dir.toString());
        }
        assertThat(dir).doesNotExist();
        assertThat(TestBed.run("sh", "-c", "pgrep -f '[s]shd.*portoser-testbed-loopback' || true")).isBlank();
    }
}

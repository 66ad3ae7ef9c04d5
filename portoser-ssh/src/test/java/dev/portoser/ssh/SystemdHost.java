package dev.portoser.ssh;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The project's systemd test host ({@code testbed/systemd-host.sh}): a debootstrapped Debian booted with
 * {@code systemd-nspawn -b} in a network namespace at 10.200.0.134, reachable over SSH as root and as the non-root
 * login {@code deploy}. Started once per test JVM (building its cached root first when there is none) and torn
 * down when the JVM ends. Run tests that use it under {@code flock /tmp/portoser-testbed.lock}.
 */
final class SystemdHost {
    private static final Path SCRIPT = Path.of("..", "testbed", "systemd-host.sh").toAbsolutePath().normalize();
    private static volatile SystemdHost instance;

    final Path dir;
    /** The host as root: system units. */
    final Machine root;
    /** The host as {@code deploy}: user units. */
    final Machine user;
    final SshTransportFactory ssh;

    private SystemdHost(Path dir) throws IOException {
        this.dir = dir;
        List<Machine> machines = Files.readAllLines(dir.resolve("hosts")).stream().map(line -> line.split(" "))
                .map(f -> new Machine(f[0], f[1], f[3], Platform.LINUX, Integer.parseInt(f[2]),
                        dir.resolve("id_ed25519").toString(), null, null, null, null, List.of())).toList();
        this.root = machines.get(0);
        this.user = machines.get(1);
        this.ssh = SshTransportFactory.builder().knownHosts(dir.resolve("known_hosts")).build();
    }

    /** The running host, started on first use. */
    static synchronized SystemdHost get() throws Exception {
        if (instance == null) {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "portoser-systemd-it");
            long start = System.nanoTime();
            // A cold cache builds the root first (minutes), hence the long bound.
            String out = run(600, SCRIPT.toString(), "up", dir.toString());
            System.out.printf("systemd-host: up in %d ms: %s%n", (System.nanoTime() - start) / 1_000_000, out.strip());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    instance.ssh.close();
                    run(120, SCRIPT.toString(), "down", dir.toString());
                } catch (Exception e) {
                    System.err.println("systemd-host: tear-down failed: " + e);
                }
            }, "portoser-systemd-host-down"));
            instance = new SystemdHost(dir);
        }
        return instance;
    }

    /** The registry line of a machine. */
    static String yaml(Machine m) {
        return "%s: {host: %s, port: %d, user: %s, platform: linux, ssh_key: %s}".formatted(m.name(), m.host(),
                m.sshPort(), m.user(), m.sshKey());
    }

    /** Runs a command on the host and returns its output, failing on a non-zero exit. */
    static String sh(Transport t, String script, String... args) {
        CommandResult r = t.exec(Command.script(script, args));
        if (!r.succeeded()) {
            throw new AssertionError("on the systemd host: " + script + " -> " + r.exitCode() + " " + r.stdout()
                    + r.stderr());
        }
        return r.stdout();
    }

    static String run(int seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}

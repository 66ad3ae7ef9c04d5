package dev.portoser.ssh;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The project's Docker test host ({@code testbed/docker-host.sh}): a network namespace at 10.200.0.130 with its
 * own dockerd, Compose and OpenSSH sshd, started once per test JVM and torn down when it ends. Run tests that use
 * it under {@code flock /tmp/portoser-docker.lock}.
 */
final class DockerHost {
    private static final Path SCRIPT = Path.of("..", "testbed", "docker-host.sh").toAbsolutePath().normalize();
    private static volatile DockerHost instance;

    final Path dir;
    final Machine machine;
    /** The same host on port 2222, whose logins see only Compose v1; null when v1 is not installed. */
    final Machine machineV1;
    /** The same host on port 2223, whose logins find no Docker engine. */
    final Machine machineWithoutEngine;
    /** {@code v2} or {@code v1}: the Compose the host's logins find. */
    final String compose;
    final SshTransportFactory ssh;

    private DockerHost(Path dir) throws Exception {
        this.dir = dir;
        List<Machine> machines = Files.readAllLines(dir.resolve("hosts")).stream().map(line -> line.split(" "))
                .map(f -> new Machine(f[0], f[1], "root", Platform.LINUX, Integer.parseInt(f[2]),
                        dir.resolve("id_ed25519").toString(), null, null, null, null, List.of())).toList();
        this.machine = machines.get(0);
        this.machineV1 = machines.stream().filter(m -> m.name().equals("docker-v1")).findFirst().orElse(null);
        this.machineWithoutEngine = machines.stream().filter(m -> m.name().equals("docker-off")).findFirst().orElseThrow();
        this.compose = Files.readString(dir.resolve("compose")).strip();
        this.ssh = SshTransportFactory.builder().knownHosts(dir.resolve("known_hosts")).build();
    }

    /** The running host, started on first use. */
    static synchronized DockerHost get() throws Exception {
        dev.portoser.RootOnly.assume("the Docker test host (a network namespace, dockerd, sshd)");
        if (instance == null) {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "portoser-docker-it");
            long start = System.nanoTime();
            TestBed.run(SCRIPT.toString(), "up", dir.toString());
            System.out.printf("docker-host: up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    instance.ssh.close();
                    TestBed.run(SCRIPT.toString(), "down", dir.toString());
                } catch (Exception e) {
                    System.err.println("docker-host: tear-down failed: " + e);
                }
            }, "portoser-docker-host-down"));
            instance = new DockerHost(dir);
        }
        return instance;
    }

    /** A new transport to the host (close it). */
    Transport open() {
        return ssh.open(machine);
    }

    /** The registry lines of a machine. */
    static String yaml(Machine m) {
        return "%s: {host: %s, port: %d, user: root, platform: linux, ssh_key: %s}".formatted(m.name(), m.host(),
                m.sshPort(), m.sshKey());
    }

    /** Runs a command on the host and returns its output, failing on a non-zero exit. */
    static String sh(Transport t, String script, String... args) {
        CommandResult r = t.exec(Command.script(script, args));
        if (!r.succeeded()) {
            throw new AssertionError("on the docker host: " + script + " -> " + r);
        }
        return r.stdout();
    }
}

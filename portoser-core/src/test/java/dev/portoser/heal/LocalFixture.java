package dev.portoser.heal;

import dev.portoser.deploy.KillRecorded;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: a registry of two local services on this machine ({@code db}, and {@code web} that depends on it),
 * both {@code python3 -m http.server}, with a home directory of their own; cleans up every process it knows of.
 */
final class LocalFixture implements AutoCloseable {
    final Path home;
    final Path site;
    final int dbPort;
    final int webPort;
    final Registry registry;
    final Machine machine;
    final TransportFactory transports;
    private final List<Process> foreign = new ArrayList<>();
    private final List<Long> extra = new ArrayList<>();

    LocalFixture(Path home, Path site) throws IOException {
        this(home, site, "exec python3 -m http.server $PORT --bind 127.0.0.1");
    }

    LocalFixture(Path home, Path site, String webCommand) throws IOException {
        this.home = home;
        this.site = site;
        this.dbPort = freePort();
        this.webPort = freePort();
        Files.createDirectories(site.resolve("db"));
        Files.createDirectories(site.resolve("web"));
        this.registry = Registry.parse("""
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  db: {type: local, path: %s/db, machine: here, port: %d, command: "exec python3 -m http.server $PORT --bind 127.0.0.1", health: {type: http, timeout: 2s}}
                  web: {type: local, path: %s/web, machine: here, port: %d, command: "%s", depends_on: [db], health: {type: http, timeout: 2s}}
                """.formatted(site, dbPort, site, webPort, webCommand));
        this.machine = registry.machine("here").orElseThrow();
        this.transports = new TransportFactory() {
            @Override
            public Transport open(Machine m) {
                return new LocalTransport(m, home);
            }

            @Override
            public void close() {
            }
        };
    }

    Transport transport() {
        return new LocalTransport(machine, home);
    }

    /** Starts a foreign {@code python3 -m http.server} on a port and waits until it listens. */
    Process foreignServer(int port) throws Exception {
        Process p = new ProcessBuilder("python3", "-m", "http.server", String.valueOf(port), "--bind", "127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        foreign.add(p);
        awaitListening(port);
        return p;
    }

    /** A foreign process that does nothing. */
    Process foreignSleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "300").start();
        foreign.add(p);
        return p;
    }

    /** Kills this process group too at the end (a service whose records a test removed). */
    void alsoKillGroup(long pid) {
        extra.add(pid);
    }

    Path runDir() {
        return home.resolve(".portoser/run");
    }

    static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.onSpinWait();
                Thread.sleep(20); // polling a condition with a bound, not synchronising on time
            }
        }
        throw new AssertionError("nothing listens on port " + port + " after 20 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try (Transport t = transport()) {
            t.exec(Command.script(KillRecorded.SCRIPT));
            for (long pid : extra) {
                t.exec(Command.of("kill", "-KILL", "--", "-" + pid));
            }
        }
        for (Process p : foreign) {
            p.destroyForcibly().waitFor();
        }
    }
}
